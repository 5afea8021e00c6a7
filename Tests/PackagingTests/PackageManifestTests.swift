import Foundation
import Testing

@testable import Packaging

@Suite("manifest.json")
struct PackageManifestTests {
    let manifest = PackageManifest(
        zip: "dist/bootstrap.zip", zipBytes: 7_123_456, codeSha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
        binaryBytes: 21_000_000, runtime: .providedAL2, architecture: .x86_64, compatible: false,
        problems: ["needs GLIBC_2.34 (libc.so.6: __libc_start_main) but provided.al2 has glibc 2.26"])

    @Test("JSON round trip")
    func roundTrip() throws {
        let decoded = try JSONDecoder().decode(PackageManifest.self, from: try manifest.jsonData())
        #expect(decoded == manifest)

        let file = try Fixtures.scratchDirectory().appendingPathComponent("manifest.json")
        try manifest.write(to: file)
        #expect(try PackageManifest.read(from: file) == manifest)
    }

    @Test("keys and value spellings match the README's description")
    func contractShape() throws {
        let object = try #require(JSONSerialization.jsonObject(with: try manifest.jsonData()) as? [String: Any])
        #expect(Set(object.keys) == [
            "zip", "zipBytes", "codeSha256", "binaryBytes", "runtime", "architecture", "compatible", "problems",
            "linking", "compatibleRuntimes", "linked",
        ])
        #expect(object["zip"] as? String == "dist/bootstrap.zip")
        #expect(object["runtime"] as? String == "provided.al2")
        #expect(object["architecture"] as? String == "x86_64")
        #expect(object["compatible"] as? Bool == false)
        #expect((object["problems"] as? [String])?.count == 1)
        #expect(object["linking"] as? String == "dynamic")
        #expect((object["compatibleRuntimes"] as? [String]) == [])

        var arm = manifest
        arm.architecture = .arm64
        arm.runtime = .providedAL2023
        let text = String(decoding: try arm.jsonData(), as: UTF8.self)
        #expect(text.contains("\"architecture\" : \"arm64\""))
        #expect(text.contains("\"runtime\" : \"provided.al2023\""))
        #expect(text.contains("\"zip\" : \"dist/bootstrap.zip\""))  // slashes unescaped
    }

    @Test("a static binary's manifest lists the runtimes it starts on and what it links in")
    func staticManifest() throws {
        let linked = [LinkedComponent(name: "OpenSSL", version: "3.0.22", source: "Debian libssl-dev 3.0.22-1~deb12u2")]
        let manifest = PackageManifest(
            zip: "dist/bootstrap.zip", zipBytes: 5_000_000, codeSha256: "x", binaryBytes: 12_000_000,
            runtime: .providedAL2023, architecture: .x86_64, compatible: true, problems: [],
            linking: "static", compatibleRuntimes: [.providedAL2, .providedAL2023], linked: linked)
        let object = try #require(JSONSerialization.jsonObject(with: try manifest.jsonData()) as? [String: Any])
        #expect(object["compatibleRuntimes"] as? [String] == ["provided.al2", "provided.al2023"])
        let components = try #require(object["linked"] as? [[String: String]])
        #expect(components == [["name": "OpenSSL", "version": "3.0.22", "source": "Debian libssl-dev 3.0.22-1~deb12u2"]])

        let file = try Fixtures.scratchDirectory().appendingPathComponent("linked.json")
        try JSONEncoder().encode(linked).write(to: file)
        #expect(try LinkedComponent.read(from: file) == linked)
    }

    @Test("the same manifest always serialises to the same bytes")
    func stableOutput() throws {
        #expect(try manifest.jsonData() == manifest.jsonData())
    }
}
