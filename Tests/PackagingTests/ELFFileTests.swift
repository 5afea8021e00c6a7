import Foundation
import LocalLambda
import Testing

@testable import Packaging

@Suite("ELF inspection")
struct ELFFileTests {
    @Test("a C program compiled on this machine needs libc.so.6 and GLIBC_2.x")
    func compiledProgram() throws {
        let binary = try Fixtures.dynamicBinary.get()
        let elf = try ELFFile(contentsOf: binary)

        #expect(elf.architecture == Fixtures.hostArchitecture)
        #expect(elf.neededLibraries.contains("libc.so.6"))
        #expect(elf.interpreter == Fixtures.hostArchitecture.dynamicLoaderPath)
        #expect(!elf.isStaticallyLinked)
        let glibc = elf.versionRequirements.filter { $0.library == "libc.so.6" && $0.version.hasPrefix("GLIBC_2.") }
        #expect(!glibc.isEmpty)
        #expect(elf.maximumGlibcVersion != nil)
        // The loader's own start-up symbol is imported with a version.
        #expect(glibc.contains { $0.symbols.contains("__libc_start_main") })
    }

    @Test("/bin/ls parses and needs libc.so.6")
    func systemBinary() throws {
        let elf = try ELFFile(contentsOf: URL(fileURLWithPath: "/bin/ls"))
        #expect(elf.architecture == Fixtures.hostArchitecture)
        #expect(elf.neededLibraries.contains("libc.so.6"))
        #expect(elf.versionRequirements.contains { $0.version.hasPrefix("GLIBC_2.") })
    }

    @Test("DT_NEEDED and version needs agree with readelf", arguments: [
        "/bin/ls", "/usr/bin/zip", "/usr/bin/unzip",
    ])
    func matchesReadelf(path: String) throws {
        guard FileManager.default.fileExists(atPath: path),
            let dynamic = try Fixtures.runTool("readelf", ["-d", "-W", path]),
            let versions = try Fixtures.runTool("readelf", ["-V", "-W", path])
        else { return }  // readelf (binutils) or the file is missing: nothing to compare with

        let elf = try ELFFile(contentsOf: URL(fileURLWithPath: path))
        let readelfNeeded = dynamic.output.split(separator: "\n")
            .filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(elf.neededLibraries == readelfNeeded)

        // "  0x0010:   Name: GLIBC_2.34  Flags: none  Version: 5"
        let readelfVersions = Set(versions.output.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("Name:"), line.contains("Flags:"), let range = line.range(of: "Name: ") else { return nil }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        })
        #expect(Set(elf.versionRequirements.map(\.version)) == readelfVersions)
    }

    @Test("a program using libm and libpthread lists each library with its own versions")
    func multipleLibraries() throws {
        let elf = try ELFFile(contentsOf: try Fixtures.multiLibraryBinary.get())
        #expect(elf.neededLibraries.contains("libm.so.6"))
        #expect(elf.neededLibraries.contains("libc.so.6"))
        #expect(elf.glibcVersionsByLibrary["libc.so.6"]?.isEmpty == false)
        let cosine = elf.versionRequirements.first { $0.symbols.contains("cos") }
        #expect(cosine?.library == "libm.so.6")
    }

    @Test("a static binary needs nothing")
    func staticBinary() throws {
        let elf = try ELFFile(contentsOf: try Fixtures.staticBinary.get())
        #expect(elf.isStaticallyLinked)
        #expect(elf.neededLibraries.isEmpty)
        #expect(elf.versionRequirements.isEmpty)
        #expect(elf.maximumGlibcVersion == nil)
    }

    @Test("without section headers the dynamic segment alone gives the same answer")
    func programHeadersOnly() throws {
        var bytes = [UInt8](try Data(contentsOf: try Fixtures.dynamicBinary.get()))
        let original = try ELFFile(bytes: bytes)
        bytes.patch(0, at: 40, count: 8)  // e_shoff
        bytes.patch(0, at: 60, count: 2)  // e_shnum
        bytes.patch(0, at: 62, count: 2)  // e_shstrndx
        let headerless = try ELFFile(bytes: bytes)
        #expect(headerless.neededLibraries == original.neededLibraries)
        #expect(headerless.versionRequirements.map(\.version) == original.versionRequirements.map(\.version))
        #expect(headerless.versionRequirements.map(\.library) == original.versionRequirements.map(\.library))
    }

    @Test("e_machine AArch64 is reported as arm64")
    func aarch64Machine() throws {
        var bytes = [UInt8](try Data(contentsOf: try Fixtures.dynamicBinary.get()))
        bytes.patch(183, at: 18, count: 2)
        #expect(try ELFFile(bytes: bytes).architecture == .arm64)
        bytes.patch(62, at: 18, count: 2)
        #expect(try ELFFile(bytes: bytes).architecture == .x86_64)
    }

    @Test("header fields Lambda cannot run give typed errors")
    func unsupportedHeaders() throws {
        let bytes = [UInt8](try Data(contentsOf: try Fixtures.dynamicBinary.get()))
        var patched = bytes
        patched[4] = 1
        #expect(throws: ELFError.unsupportedClass(1)) { try ELFFile(bytes: patched) }
        patched = bytes
        patched[5] = 2
        #expect(throws: ELFError.unsupportedEndianness(2)) { try ELFFile(bytes: patched) }
        patched = bytes
        patched.patch(3, at: 18, count: 2)  // EM_386
        #expect(throws: ELFError.unsupportedMachine(3)) { try ELFFile(bytes: patched) }
        patched = bytes
        patched.patch(1, at: 16, count: 2)  // ET_REL
        #expect(throws: ELFError.unsupportedFileType(1)) { try ELFFile(bytes: patched) }
    }

    @Test("garbage and empty input are not ELF")
    func garbage() throws {
        #expect(throws: ELFError.notELF) { try ELFFile(bytes: []) }
        #expect(throws: ELFError.notELF) { try ELFFile(bytes: Array("#!/bin/sh\necho hi\n".utf8)) }
        var random = SplitMix64(seed: 42)
        for _ in 0..<50 {
            var bytes = (0..<Int.random(in: 1...4096, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            bytes[0] = 0x00
            #expect(throws: ELFError.notELF) { try ELFFile(bytes: bytes) }
        }
        let directory = try Fixtures.scratchDirectory()
        #expect(throws: ELFError.self) { try ELFFile(contentsOf: directory.appendingPathComponent("missing")) }
    }

    @Test("every truncation of a real binary is a typed error, never a crash")
    func truncations() throws {
        let bytes = [UInt8](try Data(contentsOf: try Fixtures.dynamicBinary.get()))
        var cuts = Array(1..<80) + Array(stride(from: 80, to: bytes.count, by: 37)) + [bytes.count - 1]
        cuts.removeAll { $0 >= bytes.count }
        for cut in cuts {
            do {
                _ = try ELFFile(bytes: Array(bytes.prefix(cut)))
                Issue.record("a binary cut to \(cut) of \(bytes.count) bytes parsed without error")
            } catch {
                guard case .truncated = error else {
                    Issue.record("cut to \(cut) bytes gave \(error), expected .truncated")
                    continue
                }
            }
        }
        #expect(throws: ELFError.truncated(at: 3)) { try ELFFile(bytes: [0x7F, 0x45, 0x4C]) }
    }

    @Test("randomly corrupted binaries parse or fail with ELFError, never crash")
    func corruption() throws {
        let bytes = [UInt8](try Data(contentsOf: try Fixtures.dynamicBinary.get()))
        var random = SplitMix64(seed: 2024)
        var failures = 0
        for _ in 0..<600 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                // Bias towards the headers and dynamic tables (first pages) and the section
                // headers (last bytes), where the pointers live.
                let offset: Int
                switch Int.random(in: 0..<3, using: &random) {
                case 0: offset = Int.random(in: 0..<min(4096, mutated.count), using: &random)
                case 1: offset = Int.random(in: max(0, mutated.count - 2048)..<mutated.count, using: &random)
                default: offset = Int.random(in: 0..<mutated.count, using: &random)
                }
                mutated[offset] = UInt8.random(in: 0...255, using: &random)
            }
            do { _ = try ELFFile(bytes: mutated) } catch { failures += 1 }
        }
        #expect(failures > 0)  // some of them must have hit a check
    }

    @Test("error messages say what is wrong")
    func messages() {
        #expect(ELFError.notELF.description.contains("not an ELF file"))
        #expect(ELFError.unsupportedClass(1).description.contains("32-bit"))
        #expect(ELFError.truncated(at: 120).description.contains("120"))
        #expect(ELFError.unsupportedMachine(40).description.contains("x86_64"))
    }
}
