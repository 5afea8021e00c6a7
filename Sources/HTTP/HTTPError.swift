import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

/// Why a request got no HTTP response at all.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection could be made: refused, unreachable, name not resolved, TLS handshake failed.
    case connectFailed(String)
    /// The connect or total time limit ran out.
    case timedOut(String)
    /// The request itself is unusable (bad URL, header with a line break).
    case invalidRequest(String)
    /// The connection broke or the peer answered with something that is not HTTP.
    case transport(String)

    /// What libcurl said, without the kind.
    public var detail: String {
        switch self {
        case .connectFailed(let detail), .timedOut(let detail), .invalidRequest(let detail), .transport(let detail): detail
        }
    }

    public var description: String {
        switch self {
        case .connectFailed(let detail): "connection failed: \(detail)"
        case .timedOut(let detail): "timed out: \(detail)"
        case .invalidRequest(let detail): "invalid request: \(detail)"
        case .transport(let detail): "transport error: \(detail)"
        }
    }
}
