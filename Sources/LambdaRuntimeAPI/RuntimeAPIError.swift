import HTTP

/// What went wrong talking to the Runtime API; the loop decides from the case whether to retry.
public enum RuntimeAPIError: Error, Equatable, CustomStringConvertible {
    /// The Runtime API could not be reached or broke the connection.
    case unreachable(HTTPError)
    /// The Runtime API answered with a server error.
    case serverError(status: Int)
    /// The Runtime API refused what we posted (4xx), e.g. a response over the payload limit.
    case rejected(status: Int, body: String)
    /// The Runtime API answered something the 2018-06-01 protocol does not allow.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unreachable(let error): "Runtime API unreachable: \(error)"
        case .serverError(let status): "Runtime API answered HTTP \(status)"
        case .rejected(let status, let body): "Runtime API rejected the post with HTTP \(status): \(body)"
        case .protocolViolation(let detail): "Runtime API protocol violation: \(detail)"
        }
    }
}
