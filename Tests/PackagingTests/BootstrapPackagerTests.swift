import Foundation
import Testing

@testable import Packaging

@Suite("BootstrapPackager end to end")
struct BootstrapPackagerTests {
    @Test("packaging a binary built on this machine for provided.al2")
    func packageForAL2() throws {
        let binary = try Fixtures.dynamicBinary.get()
        let output = try Fixtures.scratchDirectory().appendingPathComponent("dist")
        let summary = try BootstrapPackager.package(.init(binary: binary, runtime: .providedAL2, outputDirectory: output))

        let manifest = try PackageManifest.read(from: output.appendingPathComponent("manifest.json"))
        #expect(manifest == summary.manifest)
        #expect(manifest.runtime == .providedAL2)
        #expect(manifest.architecture == Fixtures.hostArchitecture)
        #expect(manifest.zipBytes == (try Data(contentsOf: summary.zipURL)).count)
        #expect(manifest.codeSha256 == (try FileDigest.sha256Base64(of: summary.zipURL)))
        #expect(Data(base64Encoded: manifest.codeSha256)?.count == 32)
        #expect(manifest.zip.hasSuffix("dist/bootstrap.zip"))

        let entries = try BootstrapArchiver.readEntries(of: summary.zipURL)
        #expect(entries.map(\.path) == ["bootstrap"])
        #expect(entries.first?.contents.count == manifest.binaryBytes)
        if Subprocess.locate("strip") != nil {
            #expect(summary.stripped)
            #expect(manifest.binaryBytes < summary.originalBinaryBytes)
        }
        // The input binary is never modified.
        #expect(try Data(contentsOf: binary).count == summary.originalBinaryBytes)

        let glibc = try #require(summary.binary.maximumGlibcVersion)
        #expect(manifest.compatible == (glibc <= SymbolVersion(2, 26)))
        if !manifest.compatible {
            #expect(manifest.problems.contains { $0.contains("GLIBC_") && $0.contains("2.26") })
            #expect(summary.description.contains("NOT compatible with provided.al2"))
            #expect(summary.description.contains("make package"))
            #expect(summary.description.contains("fully static"))
        }
        #expect(summary.description.contains("CodeSha256:   \(manifest.codeSha256)"))
        #expect(summary.description.contains("libc.so.6"))
    }

    @Test("the same binary packaged twice has the same CodeSha256")
    func reproducible() throws {
        let binary = try Fixtures.dynamicBinary.get()
        let first = try BootstrapPackager.package(
            .init(binary: binary, runtime: .providedAL2023, outputDirectory: try Fixtures.scratchDirectory()))
        let second = try BootstrapPackager.package(
            .init(binary: binary, runtime: .providedAL2023, outputDirectory: try Fixtures.scratchDirectory()))
        #expect(first.manifest.codeSha256 == second.manifest.codeSha256)
        #expect(first.manifest.compatible)
        #expect(first.description.contains("Verdict:      compatible with provided.al2023"))
    }

    @Test("without stripping the binary goes in as is")
    func noStrip() throws {
        let binary = try Fixtures.dynamicBinary.get()
        let summary = try BootstrapPackager.package(
            .init(binary: binary, runtime: .providedAL2023, outputDirectory: try Fixtures.scratchDirectory(), strip: false))
        #expect(!summary.stripped)
        #expect(summary.manifest.binaryBytes == summary.originalBinaryBytes)
        #expect(try BootstrapArchiver.readEntries(of: summary.zipURL).first?.contents == Data(contentsOf: binary))
    }

    @Test("a static binary is compatible with both runtimes, and the verdict says why")
    func staticBinary() throws {
        let linked = [LinkedComponent(name: "libcurl", version: "7.88.1", source: "Debian source package curl 7.88.1-10+deb12u15")]
        let summary = try BootstrapPackager.package(
            .init(binary: try Fixtures.staticBinary.get(), runtime: .providedAL2,
                  outputDirectory: try Fixtures.scratchDirectory(), linkedComponents: linked))
        #expect(summary.manifest.compatible)
        #expect(summary.manifest.problems.isEmpty)
        #expect(summary.manifest.linking == "static")
        #expect(summary.manifest.compatibleRuntimes == [.providedAL2, .providedAL2023])
        #expect(summary.manifest.linked == linked)
        #expect(summary.description.contains("no PT_INTERP, no DT_NEEDED"))
        #expect(summary.description.contains("compatible with provided.al2 (and provided.al2023)"))
        #expect(summary.description.contains("libcurl 7.88.1 — Debian source package curl 7.88.1-10+deb12u15"))
    }

    @Test("a non-ELF input or a missing binary fails with a typed error")
    func badInputs() throws {
        let directory = try Fixtures.scratchDirectory()
        let script = directory.appendingPathComponent("bootstrap")
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: script)
        #expect(throws: ELFError.notELF) {
            try BootstrapPackager.package(.init(binary: script, outputDirectory: directory, strip: false))
        }
        #expect(throws: PackagingError.binaryNotFound(path: directory.appendingPathComponent("missing").path)) {
            try BootstrapPackager.package(
                .init(binary: directory.appendingPathComponent("missing"), outputDirectory: directory))
        }
    }

    @Test("SHA-256 matches the FIPS 180-2 test vector")
    func digest() throws {
        let file = try Fixtures.scratchDirectory().appendingPathComponent("abc")
        try Data("abc".utf8).write(to: file)
        #expect(try FileDigest.sha256Hex(of: file) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try FileDigest.sha256Base64(of: file) == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }
}
