import Foundation
import LocalLambda
import Testing

@testable import Packaging

/// Small C programs compiled once per test run, plus helpers around them.
enum Fixtures {
    /// `int main(){return 0;}` linked dynamically against this machine's glibc.
    static let dynamicBinary: Result<URL, FixtureError> = compile(name: "dynamic", source: "int main(void){return 0;}")

    /// A program that calls into libm and libpthread so it has several DT_NEEDED entries.
    static let multiLibraryBinary: Result<URL, FixtureError> = compile(
        name: "multi",
        source: """
            #include <math.h>
            #include <pthread.h>
            #include <stdio.h>
            static void *work(void *arg) { return arg; }
            int main(int argc, char **argv) {
                pthread_t thread;
                pthread_create(&thread, 0, work, 0);
                pthread_join(thread, 0);
                printf("%f\\n", cos((double)argc));
                return 0;
            }
            """,
        flags: ["-Wl,--no-as-needed", "-lm", "-lpthread"]
    )

    /// The same trivial program, statically linked (what the musl SDK route produces in spirit).
    static let staticBinary: Result<URL, FixtureError> = compile(
        name: "static", source: "int main(void){return 0;}", flags: ["-static"])

    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("packaging-tests-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func compile(name: String, source: String, flags: [String] = []) -> Result<URL, FixtureError> {
        guard let compiler = Subprocess.locate("cc") ?? Subprocess.locate("clang") else {
            return .failure(FixtureError(message: "no C compiler (cc or clang) on PATH"))
        }
        let sourceURL = directory.appendingPathComponent("\(name).c")
        let binaryURL = directory.appendingPathComponent(name)
        do {
            try Data(source.utf8).write(to: sourceURL)
            let output = try Subprocess.run(compiler, ["-O1", "-o", binaryURL.path, sourceURL.path] + flags)
            guard output.status == 0 else {
                return .failure(FixtureError(message: "cc failed: \(String(decoding: output.standardError, as: UTF8.self))"))
            }
            return .success(binaryURL)
        } catch {
            return .failure(FixtureError(message: "cc failed: \(error)"))
        }
    }

    /// The machine this test runs on, in Lambda's naming.
    static var hostArchitecture: ELFArchitecture {
        #if arch(arm64)
            return .arm64
        #else
            return .x86_64
        #endif
    }

    /// A fresh scratch directory for one test.
    static func scratchDirectory() throws -> URL {
        let url = directory.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a tool that must exist, returning stdout; nil when the tool is not installed.
    static func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
        guard let tool = Subprocess.locate(name) else { return nil }
        let result = try Subprocess.run(tool, arguments)
        return (result.status, String(decoding: result.standardOutput, as: UTF8.self))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Array where Element == UInt8 {
    /// Overwrites `count` little-endian bytes of `value` at `offset` (for patching ELF headers).
    mutating func patch(_ value: UInt64, at offset: Int, count: Int) {
        for index in 0..<count { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }
}
