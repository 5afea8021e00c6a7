/// Reads one secret's value; Secrets Manager in `bootstrap`, a fake in tests.
public protocol SecretReader {
    /// The secret's SecretString; the error names the id and what went wrong, never a value.
    func secretValue(_ id: String) throws(SecretReadError) -> String
}

public struct SecretReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var secretID: String
    /// Without the value: e.g. "no such secret (ResourceNotFoundException)".
    public var problem: String
    public var isTransient: Bool

    public init(secretID: String, problem: String, isTransient: Bool) {
        self.secretID = secretID
        self.problem = problem
        self.isTransient = isTransient
    }

    public var description: String { "secret \(secretID): \(problem)" }
}
