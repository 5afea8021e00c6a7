import Foundation

/// `dist/manifest.json`, written next to the zip (fields described in the README, "Packaging").
public struct PackageManifest: Codable, Equatable, Sendable {
    /// Path of the zip as given to the packager (relative to the working directory when inside it).
    public var zip: String
    public var zipBytes: Int
    /// base64 of the SHA-256 of the zip bytes: the value Lambda reports as CodeSha256.
    public var codeSha256: String
    /// Size of the (stripped) binary inside the zip.
    public var binaryBytes: Int
    public var runtime: LambdaRuntimeTarget
    public var architecture: ELFArchitecture
    public var compatible: Bool
    public var problems: [String]
    /// "static" (no PT_INTERP, no DT_NEEDED) or "dynamic".
    public var linking: String
    /// Every runtime the binary starts on, `runtime` included when compatible.
    public var compatibleRuntimes: [LambdaRuntimeTarget]
    /// What a static binary carries inside it (libcurl, OpenSSL, glibc, …), with the Debian package
    /// each came from: the list to check security advisories against.
    public var linked: [LinkedComponent]

    public init(
        zip: String, zipBytes: Int, codeSha256: String, binaryBytes: Int,
        runtime: LambdaRuntimeTarget, architecture: ELFArchitecture, compatible: Bool, problems: [String],
        linking: String = "dynamic", compatibleRuntimes: [LambdaRuntimeTarget] = [], linked: [LinkedComponent] = []
    ) {
        self.zip = zip
        self.zipBytes = zipBytes
        self.codeSha256 = codeSha256
        self.binaryBytes = binaryBytes
        self.runtime = runtime
        self.architecture = architecture
        self.compatible = compatible
        self.problems = problems
        self.linking = linking
        self.compatibleRuntimes = compatibleRuntimes
        self.linked = linked
    }

    /// Stable JSON (sorted keys, unescaped slashes) so the file diffs cleanly between builds.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(jsonData(), to: url)
    }

    public static func read(from url: URL) throws -> PackageManifest {
        try JSONDecoder().decode(PackageManifest.self, from: Data(contentsOf: url))
    }
}

/// One library linked into the binary, as `tools/build/linked-components.sh` describes it.
public struct LinkedComponent: Codable, Equatable, Sendable {
    public var name: String
    public var version: String
    /// Where it came from, e.g. "Debian libssl-dev 3.0.22-1~deb12u2 (libssl.a, libcrypto.a)".
    public var source: String

    public init(name: String, version: String, source: String) {
        self.name = name
        self.version = version
        self.source = source
    }

    public static func read(from url: URL) throws -> [LinkedComponent] {
        try JSONDecoder().decode([LinkedComponent].self, from: Data(contentsOf: url))
    }
}
