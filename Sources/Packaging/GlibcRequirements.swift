/// A dotted version such as `2.2.5` or `3.4.29`, compared component by component
/// (missing components count as 0, so `2.34` == `2.34.0`).
public struct SymbolVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let components: [Int]

    public init(_ components: Int...) {
        self.components = components
    }

    /// Parses `"2.34"`; nil for anything that is not dot-separated decimal numbers.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let number = Int(part) else { return nil }
            numbers.append(number)
        }
        guard !numbers.isEmpty else { return nil }
        components = numbers
    }

    public var description: String { components.map(String.init).joined(separator: ".") }

    public static func < (lhs: SymbolVersion, rhs: SymbolVersion) -> Bool {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: SymbolVersion, rhs: SymbolVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }
}

/// A family of versioned symbols whose newest version is fixed by the image's toolchain.
public enum SymbolVersionFamily: String, CaseIterable, Sendable {
    /// glibc: libc.so.6, libm.so.6, libpthread.so.0, ld-linux-*.so.*, …
    case glibc = "GLIBC_"
    /// libstdc++.so.6 library symbols.
    case glibcxx = "GLIBCXX_"
    /// libstdc++.so.6 C++ ABI symbols.
    case cxxabi = "CXXABI_"

    /// The human name used in verdicts.
    public var displayName: String {
        switch self {
        case .glibc: return "glibc"
        case .glibcxx: return "libstdc++ (GLIBCXX)"
        case .cxxabi: return "libstdc++ (CXXABI)"
        }
    }

    /// Splits `GLIBC_2.34` into (.glibc, 2.34). `GLIBC_PRIVATE` and unknown names give nil.
    public static func parse(_ versionName: String) -> (family: SymbolVersionFamily, version: SymbolVersion)? {
        // Longest prefix first: "GLIBCXX_" must not be read as "GLIBC_" + "XX_…".
        for family in [SymbolVersionFamily.glibcxx, .cxxabi, .glibc] where versionName.hasPrefix(family.rawValue) {
            guard let version = SymbolVersion(versionName.dropFirst(family.rawValue.count)) else { return nil }
            return (family, version)
        }
        return nil
    }
}

extension Collection where Element == VersionRequirement {
    /// The newest version of `family` any requirement names, e.g. 2.34 for glibc.
    public func maximumVersion(of family: SymbolVersionFamily) -> SymbolVersion? {
        compactMap { requirement in
            SymbolVersionFamily.parse(requirement.version).flatMap { $0.family == family ? $0.version : nil }
        }.max()
    }
}

extension ELFFile {
    /// The newest `GLIBC_x.y[.z]` the binary needs; nil for static or unversioned binaries.
    public var maximumGlibcVersion: SymbolVersion? { versionRequirements.maximumVersion(of: .glibc) }

    /// Every `GLIBC_*` version needed, grouped by library (`libc.so.6` → [2.2.5, 2.34]).
    public var glibcVersionsByLibrary: [String: [SymbolVersion]] {
        var result: [String: Set<SymbolVersion>] = [:]
        for requirement in versionRequirements {
            guard let parsed = SymbolVersionFamily.parse(requirement.version), parsed.family == .glibc else { continue }
            result[requirement.library, default: []].insert(parsed.version)
        }
        return result.mapValues { $0.sorted() }
    }
}
