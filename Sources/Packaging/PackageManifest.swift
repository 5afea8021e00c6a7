import Foundation

/// `dist/manifest.json`, written next to the zip (schema in .notes/CONTRACT.md, "Packaging manifest").
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

    public init(
        zip: String, zipBytes: Int, codeSha256: String, binaryBytes: Int,
        runtime: LambdaRuntimeTarget, architecture: ELFArchitecture, compatible: Bool, problems: [String]
    ) {
        self.zip = zip
        self.zipBytes = zipBytes
        self.codeSha256 = codeSha256
        self.binaryBytes = binaryBytes
        self.runtime = runtime
        self.architecture = architecture
        self.compatible = compatible
        self.problems = problems
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
