import Foundation
import Threads

/// A function's executable (`bootstrap`, `echo-lambda`) run as a child process, the way Lambda
/// runs a custom runtime: its own environment, stderr captured for inspection.
public final class LambdaProcess: Sendable {
    private let process: Process
    private let output = OutputBuffer()

    private final class OutputBuffer: Sendable {
        let bytes = Locked<[UInt8]>([])
    }

    /// - Parameter echoLogs: also copy the function's stderr to ours as it arrives.
    public init(executable: String, environment: [String: String], echoLogs: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RuntimeAPIServerError(description: "no executable at \(executable): build it first (swift build)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        let pipe = Pipe()
        process.standardError = pipe
        self.process = process
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { [echoLogs] handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            output.bytes.withLock { $0.append(contentsOf: chunk) }
            if echoLogs { FileHandle.standardError.write(chunk) }
        }
        try process.run()
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Everything the function wrote to stderr so far.
    public var logs: String { output.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    public func signal(_ signal: Int32 = SIGTERM) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits, at most `timeout`, for the process to end; returns its exit status.
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await Polling.until(timeout: timeout, what: "process \(process.processIdentifier) to exit") {
            self.process.isRunning ? nil : self.process.terminationStatus
        }
    }

    /// SIGTERM, then SIGKILL if it does not end within `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        signal(SIGTERM)
        if (try? await waitForExit(timeout: grace)) == nil {
            signal(SIGKILL)
            _ = try? await waitForExit(timeout: .seconds(5))
        }
    }

    /// The directory holding the running executable: products of one build sit side by side.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
}

/// Runs blocking work (a libcurl request, a sleep) on its own thread, so that it never occupies
/// one of the few cooperative threads the loopback servers' tasks need to answer it.
public func runBlocking<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: Result { () throws(E) in try work() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
    return try result.get()
}
