/// Whether a binary can start on a Lambda runtime image, and if not, why.
public struct CompatibilityReport: Codable, Equatable, Sendable, CustomStringConvertible {
    public var runtime: LambdaRuntimeTarget
    public var architecture: ELFArchitecture
    /// Newest `GLIBC_*` version the binary needs, e.g. "2.34"; nil for a static binary.
    public var maxGlibcNeeded: String?
    /// One sentence per reason the loader would refuse the binary; empty when compatible.
    public var problems: [String]

    public var isCompatible: Bool { problems.isEmpty }

    public init(runtime: LambdaRuntimeTarget, architecture: ELFArchitecture, maxGlibcNeeded: String?, problems: [String]) {
        self.runtime = runtime
        self.architecture = architecture
        self.maxGlibcNeeded = maxGlibcNeeded
        self.problems = problems
    }

    /// Checks a parsed binary against `runtime`.
    /// - Parameters:
    ///   - expectedArchitecture: the function's architecture, when known; a mismatch is a problem.
    ///   - additionalLibraries: sonames the deployment supplies itself (e.g. from a layer in /opt/lib).
    public static func check(
        _ binary: ELFFile,
        against runtime: LambdaRuntimeTarget,
        expectedArchitecture: ELFArchitecture? = nil,
        additionalLibraries: Set<String> = []
    ) -> CompatibilityReport {
        check(
            architecture: binary.architecture,
            interpreter: binary.interpreter,
            neededLibraries: binary.neededLibraries,
            versionRequirements: binary.versionRequirements,
            against: runtime,
            expectedArchitecture: expectedArchitecture,
            additionalLibraries: additionalLibraries
        )
    }

    /// Checks raw requirements (what `ELFFile` would report) against `runtime`.
    public static func check(
        architecture: ELFArchitecture,
        interpreter: String?,
        neededLibraries: [String],
        versionRequirements: [VersionRequirement],
        against runtime: LambdaRuntimeTarget,
        expectedArchitecture: ELFArchitecture? = nil,
        additionalLibraries: Set<String> = []
    ) -> CompatibilityReport {
        let image = runtime.image
        var problems: [String] = []

        if let expected = expectedArchitecture, expected != architecture {
            problems.append("binary is built for \(architecture.rawValue) but the function runs on \(expected.rawValue)")
        }

        if let interpreter, interpreter != architecture.dynamicLoaderPath {
            problems.append(
                "its dynamic loader \(interpreter) does not exist on \(runtime) "
                    + "(which has the glibc loader \(architecture.dynamicLoaderPath))")
        }

        let available = image.providedLibraries(for: architecture).union(additionalLibraries)
        var reported = Set<String>()
        for library in neededLibraries where !available.contains(library) && reported.insert(library).inserted {
            var sentence = "needs \(library), which \(runtime) does not ship"
            if let note = image.note(forMissing: library) { sentence += " (\(note))" }
            problems.append(sentence)
        }

        problems += versionProblems(versionRequirements, image: image, additionalLibraries: additionalLibraries)

        return CompatibilityReport(
            runtime: runtime,
            architecture: architecture,
            maxGlibcNeeded: versionRequirements.maximumVersion(of: .glibc)?.description,
            problems: problems
        )
    }

    /// One problem per symbol version newer than the image provides, newest first, naming the
    /// library and a few of the symbols that need it.
    private static func versionProblems(
        _ requirements: [VersionRequirement], image: RuntimeImage, additionalLibraries: Set<String>
    ) -> [String] {
        struct Excess { var family: SymbolVersionFamily; var version: SymbolVersion; var name: String; var users: [String] }
        var excesses: [String: Excess] = [:]
        var privateUsers: [String] = []

        for requirement in requirements where !requirement.isWeak {
            // A library the deployment bundles brings its own symbol versions.
            if additionalLibraries.contains(requirement.library) { continue }
            if requirement.version == "GLIBC_PRIVATE" {
                privateUsers.append(requirement.library)
                continue
            }
            guard let (family, version) = SymbolVersionFamily.parse(requirement.version),
                version > image.newestVersion(of: family)
            else { continue }
            var excess = excesses[requirement.version] ?? Excess(family: family, version: version, name: requirement.version, users: [])
            excess.users.append(describeUse(requirement))
            excesses[requirement.version] = excess
        }

        var problems = excesses.values
            .sorted { (rank($0.family), $1.version) < (rank($1.family), $0.version) }
            .map { excess in
                "needs \(excess.name) (\(excess.users.joined(separator: "; "))) but \(image.target) has "
                    + "\(excess.family.displayName) \(image.newestVersion(of: excess.family))"
            }
        if !privateUsers.isEmpty {
            problems.append(
                "needs GLIBC_PRIVATE (\(privateUsers.joined(separator: ", "))), which only the exact glibc "
                    + "it was linked against provides")
        }
        return problems
    }

    /// glibc first, then libstdc++.
    private static func rank(_ family: SymbolVersionFamily) -> Int {
        SymbolVersionFamily.allCases.firstIndex(of: family) ?? 0
    }

    /// "libc.so.6: __libc_start_main, pthread_create +2 more"
    private static func describeUse(_ requirement: VersionRequirement) -> String {
        let shown = requirement.symbols.prefix(3)
        guard !shown.isEmpty else { return requirement.library }
        var text = "\(requirement.library): \(shown.joined(separator: ", "))"
        if requirement.symbols.count > shown.count { text += " +\(requirement.symbols.count - shown.count) more" }
        return text
    }

    public var description: String {
        var lines: [String] = []
        let glibc = maxGlibcNeeded.map { "needs glibc \($0)" } ?? "needs no versioned glibc"
        if isCompatible {
            lines.append("compatible with \(runtime) (\(architecture.rawValue), \(glibc); \(runtime) has \(runtime.image.glibc))")
        } else {
            lines.append("NOT compatible with \(runtime) (\(architecture.rawValue), \(glibc)):")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
