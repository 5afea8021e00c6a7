#if canImport(Glibc)
import Glibc
#endif

/// Environment variables, read one at a time when asked for.
///
/// Copying the whole environment into a dictionary at start cost more CPU than everything else the
/// runtime does before its first `next` (Benchmarks/FINDINGS.md, "Figures behind the comments").
public struct EnvironmentVariables: Sendable {
    private let fixed: [String: String]?

    /// The process environment.
    public init() { fixed = nil }

    /// Fixed values, for tests.
    public init(_ values: [String: String]) { fixed = values }

    public subscript(name: String) -> String? {
        if let fixed { return fixed[name] }
        return getenv(name).map { String(cString: $0) }
    }
}
