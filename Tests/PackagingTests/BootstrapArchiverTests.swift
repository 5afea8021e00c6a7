import Foundation
import Testing

@testable import Packaging

@Suite("Deterministic bootstrap.zip")
struct BootstrapArchiverTests {
    @Test("one entry named bootstrap, mode 0755, deflated, fixed date, same bytes as the binary")
    func singleExecutableEntry() throws {
        let binary = try Fixtures.dynamicBinary.get()
        let zip = try Fixtures.scratchDirectory().appendingPathComponent("bootstrap.zip")
        try BootstrapArchiver.write(binary: binary, to: zip)

        let entries = try BootstrapArchiver.readEntries(of: zip)
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.path == "bootstrap")
        #expect(entry.isRegularFile)
        #expect(entry.permissions == 0o755)
        #expect(entry.isCompressed)
        #expect(entry.modificationDate == BootstrapArchiver.modificationDate)
        #expect(entry.contents == (try Data(contentsOf: binary)))
    }

    @Test("the central directory says made-by Unix with mode -rwxr-xr-x")
    func rawCentralDirectory() throws {
        let zip = try Fixtures.scratchDirectory().appendingPathComponent("bootstrap.zip")
        try BootstrapArchiver.write(binary: try Fixtures.dynamicBinary.get(), to: zip)
        let bytes = [UInt8](try Data(contentsOf: zip))
        // Central directory file header: signature 0x02014b50.
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        let start = try #require((0...(bytes.count - 46)).first { Array(bytes[$0..<$0 + 4]) == signature })
        #expect(bytes[start + 5] == 3)  // high byte of "version made by": 3 = Unix
        #expect(bytes[start + 10] == 8)  // compression method: deflate
        let external = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[start + 38 + $1]) << (8 * UInt32($1)) }
        #expect(external >> 16 == 0o100755)  // S_IFREG | rwxr-xr-x
        let dosTime = UInt16(bytes[start + 12]) | UInt16(bytes[start + 13]) << 8
        let dosDate = UInt16(bytes[start + 14]) | UInt16(bytes[start + 15]) << 8
        #expect(dosTime == 0)
        #expect(dosDate == (0 << 9 | 1 << 5 | 1))  // 1980-01-01
    }

    @Test("zipinfo and unzip agree: one -rwxr-xr-x file, no errors")
    func externalTools() throws {
        let zip = try Fixtures.scratchDirectory().appendingPathComponent("bootstrap.zip")
        try BootstrapArchiver.write(binary: try Fixtures.dynamicBinary.get(), to: zip)

        if let names = try Fixtures.runTool("zipinfo", ["-1", zip.path]) {
            #expect(names.status == 0)
            #expect(names.output.split(separator: "\n") == ["bootstrap"])
        }
        if let listing = try Fixtures.runTool("unzip", ["-Z", zip.path]) {
            #expect(listing.status == 0)
            let line = try #require(listing.output.split(separator: "\n").first { $0.hasSuffix(" bootstrap") })
            #expect(line.hasPrefix("-rwxr-xr-x"))
            #expect(line.contains("unx"))
            #expect(line.contains("defN"))
            #expect(line.contains("80-Jan-01 00:00"))
            #expect(listing.output.contains("1 file"))
        }
        if let test = try Fixtures.runTool("unzip", ["-t", zip.path]) {
            #expect(test.status == 0)
            #expect(test.output.contains("No errors detected"))
        }
    }

    @Test("the same binary gives byte-identical zips, whatever its timestamp")
    func deterministic() throws {
        let directory = try Fixtures.scratchDirectory()
        let binary = directory.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: try Fixtures.dynamicBinary.get(), to: binary)

        let first = directory.appendingPathComponent("first.zip")
        let second = directory.appendingPathComponent("second.zip")
        try BootstrapArchiver.write(binary: binary, to: first)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_900_000_000), .posixPermissions: 0o600],
            ofItemAtPath: binary.path)
        try BootstrapArchiver.write(binary: binary, to: second)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))

        // And rewriting in place replaces, not appends.
        try BootstrapArchiver.write(binary: binary, to: first)
        #expect(try BootstrapArchiver.readEntries(of: first).count == 1)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }

    @Test("different binaries give different zips")
    func contentSensitive() throws {
        let one = try BootstrapArchiver.archiveData(bootstrap: Data("one".utf8))
        let two = try BootstrapArchiver.archiveData(bootstrap: Data("two".utf8))
        #expect(one != two)
        #expect(one == (try BootstrapArchiver.archiveData(bootstrap: Data("one".utf8))))
    }

    @Test("a missing binary is a clear error")
    func missingBinary() throws {
        let directory = try Fixtures.scratchDirectory()
        #expect(throws: PackagingError.self) {
            try BootstrapArchiver.write(
                binary: directory.appendingPathComponent("nope"), to: directory.appendingPathComponent("x.zip"))
        }
    }
}
