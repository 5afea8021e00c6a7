import Foundation

/// Strips, inspects, zips and describes a built `bootstrap`: what `notifier-dev package` runs.
///
/// An incompatible binary is still packaged (the manifest records the verdict); the caller
/// decides whether that is fatal, e.g. by checking `summary.report.isCompatible`.
public enum BootstrapPackager {
    public struct Options: Sendable {
        /// The built executable, e.g. `.build/release/bootstrap`.
        public var binary: URL
        public var runtime: LambdaRuntimeTarget
        /// Receives `bootstrap.zip` and `manifest.json` (created when missing), e.g. `dist`.
        public var outputDirectory: URL
        /// Strip symbols with binutils `strip` into a copy; the input is never modified.
        public var strip: Bool
        /// The function's architecture, when known; a different binary architecture is a problem.
        public var expectedArchitecture: ELFArchitecture?
        /// Sonames the deployment supplies itself (e.g. a layer's /opt/lib).
        public var additionalLibraries: Set<String>
        /// What the binary links in, recorded in the manifest.
        public var linkedComponents: [LinkedComponent]
        /// Re-deflate the zip with advzip (7-Zip's deflate), when installed: smaller than zlib's
        /// default level, still plain deflate, and the same bytes for the same binary.
        public var recompress: Bool

        public init(
            binary: URL, runtime: LambdaRuntimeTarget = .providedAL2023, outputDirectory: URL,
            strip: Bool = true, expectedArchitecture: ELFArchitecture? = nil, additionalLibraries: Set<String> = [],
            linkedComponents: [LinkedComponent] = [], recompress: Bool = true
        ) {
            self.binary = binary
            self.runtime = runtime
            self.outputDirectory = outputDirectory
            self.strip = strip
            self.expectedArchitecture = expectedArchitecture
            self.additionalLibraries = additionalLibraries
            self.linkedComponents = linkedComponents
            self.recompress = recompress
        }
    }

    public static let zipFileName = "bootstrap.zip"
    public static let manifestFileName = "manifest.json"

    public static func package(_ options: Options) throws -> PackageSummary {
        guard FileManager.default.fileExists(atPath: options.binary.path) else {
            throw PackagingError.binaryNotFound(path: options.binary.path)
        }
        let originalBytes = try fileSize(options.binary)
        let staging = try TemporaryDirectory(prefix: "bootstrap-package")
        defer { staging.remove() }

        // Strip a copy; a missing `strip` is reported, not fatal: the unstripped binary still runs.
        var notes: [String] = []
        var payload = options.binary
        var stripped = false
        if options.strip {
            if let strip = Subprocess.locate("strip") {
                let copy = staging.url.appendingPathComponent("bootstrap")
                let output = try Subprocess.run(strip, ["--strip-all", "-o", copy.path, options.binary.path])
                guard output.status == 0 else {
                    throw PackagingError.toolFailed(
                        tool: "strip", status: output.status,
                        output: String(decoding: output.standardError, as: UTF8.self))
                }
                payload = copy
                stripped = true
            } else {
                notes.append("strip not found (install binutils): packaged the binary unstripped")
            }
        } else {
            notes.append("not stripped (strip disabled)")
        }

        let elf = try ELFFile(contentsOf: payload)
        let reports = LambdaRuntimeTarget.allCases.map {
            CompatibilityReport.check(
                elf, against: $0,
                expectedArchitecture: options.expectedArchitecture,
                additionalLibraries: options.additionalLibraries)
        }
        let report = reports.first { $0.runtime == options.runtime }!

        let zipURL = options.outputDirectory.appendingPathComponent(zipFileName)
        let manifestURL = options.outputDirectory.appendingPathComponent(manifestFileName)
        try BootstrapArchiver.write(binary: payload, to: zipURL)
        if options.recompress {
            if let advzip = Subprocess.locate("advzip") {
                let output = try Subprocess.run(advzip, ["--recompress", "-3", "--quiet", zipURL.path])
                guard output.status == 0 else {
                    throw PackagingError.toolFailed(
                        tool: "advzip", status: output.status,
                        output: String(decoding: output.standardError, as: UTF8.self))
                }
                notes.append("deflated again by advzip -3 (7-Zip's deflate)")
            } else {
                notes.append("advzip not found (install advancecomp): the zip keeps zlib's default deflate, ~4 % larger")
            }
        }

        let manifest = PackageManifest(
            zip: displayPath(zipURL),
            zipBytes: try fileSize(zipURL),
            codeSha256: try FileDigest.sha256Base64(of: zipURL),
            binaryBytes: try fileSize(payload),
            runtime: options.runtime,
            architecture: elf.architecture,
            compatible: report.isCompatible,
            problems: report.problems,
            linking: elf.isStaticallyLinked ? "static" : "dynamic",
            compatibleRuntimes: reports.filter(\.isCompatible).map(\.runtime),
            linked: options.linkedComponents
        )
        try manifest.write(to: manifestURL)

        return PackageSummary(
            zipURL: zipURL, manifestURL: manifestURL, manifest: manifest, report: report, binary: elf,
            originalBinaryBytes: originalBytes, stripped: stripped, notes: notes)
    }

    static func fileSize(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Relative to the working directory when the file is inside it (`dist/bootstrap.zip`), else absolute.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

/// What `BootstrapPackager.package` produced; `description` is meant for the terminal.
public struct PackageSummary: Sendable, CustomStringConvertible {
    public var zipURL: URL
    public var manifestURL: URL
    public var manifest: PackageManifest
    public var report: CompatibilityReport
    public var binary: ELFFile
    public var originalBinaryBytes: Int
    public var stripped: Bool
    public var notes: [String]

    public var description: String {
        var lines: [String] = []
        let binarySize = Self.size(manifest.binaryBytes)
        let strippedText = stripped ? " (stripped from \(Self.size(originalBinaryBytes)))" : ""
        lines.append("Packaged \(manifest.zip): \(Self.size(manifest.zipBytes)) zip, bootstrap \(binarySize)\(strippedText)")
        lines.append("  CodeSha256:   \(manifest.codeSha256)")
        lines.append("  Runtime:      \(manifest.runtime) (\(manifest.architecture.rawValue))")
        if binary.isStaticallyLinked {
            lines.append("  Linking:      static: no PT_INTERP, no DT_NEEDED — it loads nothing from the image")
            for component in manifest.linked {
                lines.append("  Linked in:    \(component.name) \(component.version) — \(component.source)")
            }
        } else {
            lines.append("  Needs:        \(binary.neededLibraries.joined(separator: ", "))")
            lines.append("  Max glibc:    \(report.maxGlibcNeeded ?? "none") (\(manifest.runtime) has \(manifest.runtime.image.glibc))")
        }
        lines += notes.map { "  Note:         \($0)" }
        if report.isCompatible {
            let others = manifest.compatibleRuntimes.filter { $0 != manifest.runtime }
            let also = others.isEmpty ? "" : " (and \(others.map(\.rawValue).joined(separator: ", ")))"
            lines.append("  Verdict:      compatible with \(manifest.runtime)\(also)")
            if binary.isStaticallyLinked {
                lines.append("                why: a static executable needs only the Linux kernel, and uses no glibc, libcurl or OpenSSL of the image")
            }
        } else {
            lines.append("  Verdict:      NOT compatible with \(manifest.runtime)")
            lines += report.problems.map { "    - \($0)" }
            lines.append(BuildAdvice.text(for: manifest.runtime, architecture: manifest.architecture)
                .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        lines.append("  Manifest:     \(BootstrapPackager.displayPath(manifestURL))")
        return lines.joined(separator: "\n")
    }

    /// "7.1 MB" (decimal units, as the Lambda console shows sizes).
    static func size(_ bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        let units = ["kB", "MB", "GB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
