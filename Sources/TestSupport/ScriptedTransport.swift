import HTTP

/// Answers from a list and records what was sent: a client's calls without a network. One thread
/// of work at a time, like the `HTTPClient` it stands in for.
public final class ScriptedTransport: HTTPTransport {
    public var replies: [Result<HTTPResponse, HTTPError>]
    public private(set) var sent: [HTTPRequest] = []

    public init(_ replies: [Result<HTTPResponse, HTTPError>]) { self.replies = replies }

    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        sent.append(request)
        return try replies.removeFirst().get()
    }
}
