import AWSSigning
import HTTP

/// Why the environment does not describe a usable AWS client. Names the variable, never its value.
public enum AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required variable is unset or empty.
    case missing(variable: String)
    /// A region name that is not lower-case letters, digits and hyphens.
    case invalidRegion(variable: String)
    /// An endpoint override that is not an absolute http(s) URL with a host and nothing after its path.
    case invalidEndpoint(variable: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let variable):
            "\(variable) is not set: Lambda sets it for the function's role; elsewhere export it"
        case .invalidRegion(let variable):
            "\(variable) is not a region name (lower-case letters, digits and '-', e.g. eu-west-1)"
        case .invalidEndpoint(let variable, let reason):
            "\(variable) is not a usable endpoint URL: \(reason)"
        }
    }
}
