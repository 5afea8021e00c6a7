/// One header field. Names compare case-insensitively, as HTTP requires.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The first value of the header `name`, compared case-insensitively.
    public func value(for name: String) -> String? {
        name.withUTF8Bytes { wanted in
            for header in self where header.name.utf8.count == wanted.count {
                if header.name.withUTF8Bytes({ HTTPHeader.namesMatch($0, wanted) }) { return header.value }
            }
            return nil
        }
    }
}

extension HTTPHeader {
    /// ASCII case-insensitive comparison, without allocating lowercased copies (hot: every response header).
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        a.withUTF8Bytes { a in b.withUTF8Bytes { b in namesMatch(a, b) } }
    }

    static func namesMatch(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        for index in 0..<a.count where lower(a[index]) != lower(b[index]) {
            return false
        }
        return true
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Whole-transfer limit; `nil` waits forever (the Runtime API's long poll needs that).
    public var timeout: Duration?
    public var connectTimeout: Duration

    public init(
        method: String = "GET",
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        timeout: Duration? = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

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
