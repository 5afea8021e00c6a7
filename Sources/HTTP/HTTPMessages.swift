import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

/// One header field. Names compare case-insensitively, as HTTP requires.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields that can be looked up by name: a request's list or a response's `HTTPHeaders`.
public protocol HTTPHeaderLookup {
    /// The first value of the header `name`, compared case-insensitively.
    func value(for name: String) -> String?
}

extension [HTTPHeader]: HTTPHeaderLookup {
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
    /// A longer response body ends the transfer with an error: a peer that streams without end must
    /// not fill the memory before the time limit comes. Lambda's payloads stop at 6 MB.
    public var maximumResponseBytes: Int
    /// Signs the request with AWS Signature Version 4 (libcurl computes it); nil sends it unsigned.
    public var awsSigV4: AWSSigV4?

    public init(
        method: String = "GET",
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        timeout: Duration? = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        maximumResponseBytes: Int = 8 << 20,
        awsSigV4: AWSSigV4? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.awsSigV4 = awsSigV4
    }
}

extension AWSSigV4 {
    /// CURLOPT_AWS_SIGV4's "provider1:provider2:region:service". libcurl 7.88.1 splits it with
    /// sscanf("%64[^:]…%64s"): a region or service that is empty, longer than 64 bytes, or holds
    /// a colon or a space would be cut short silently and sign for another scope, so only
    /// ``AWSName``s pass.
    var curlProvider: String? {
        guard AWSName.isValid(region), AWSName.isValid(service) else { return nil }
        return "aws:amz:\(region):\(service)"
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.init(status: status, headers: HTTPHeaders(headers), body: body)
    }
}

/// A response's header fields as received: the raw lines in one buffer and where each name ends.
/// Values become Strings only when asked for — most of the Runtime API's and the backend's headers never
/// are, and making two Strings per field as it arrived cost more than libcurl's own parsing (callgrind).
public struct HTTPHeaders: Sendable, HTTPHeaderLookup {
    /// Where one field's line lies in `bytes`: name is `start..<colon`, the value follows the colon.
    private struct Field: Sendable {
        var start: Int
        var colon: Int
        var end: Int
    }

    private var bytes: [UInt8] = []
    private var fields: [Field] = []

    public init() {}

    public init(_ headers: [HTTPHeader]) {
        for header in headers {
            var line = Array(header.name.utf8)
            line.append(contentsOf: ": ".utf8)
            line.append(contentsOf: header.value.utf8)
            line.withUnsafeBufferPointer { append(line: $0) }
        }
    }

    public var count: Int { fields.count }

    /// Every field, in the order received.
    public var all: [HTTPHeader] {
        bytes.withUnsafeBufferPointer { all in
            fields.map { field in
                HTTPHeader(
                    String(decoding: UnsafeBufferPointer(rebasing: all[field.start..<field.colon]), as: UTF8.self),
                    Self.value(of: field, in: all))
            }
        }
    }

    public func value(for name: String) -> String? {
        name.withUTF8Bytes { wanted in
            bytes.withUnsafeBufferPointer { all in
                for field in fields where field.colon - field.start == wanted.count {
                    if HTTPHeader.namesMatch(UnsafeBufferPointer(rebasing: all[field.start..<field.colon]), wanted) {
                        return Self.value(of: field, in: all)
                    }
                }
                return nil
            }
        }
    }

    /// Forgets every field, keeping the buffers (a new response on the same connection).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }

    /// Keeps one "Name: value" line as libcurl hands it over; a line without a colon (the blank line
    /// that ends the block) is not a field.
    mutating func append(line: UnsafeBufferPointer<UInt8>) {
        guard let base = line.baseAddress, let colon = memchr(base, Int32(UInt8(ascii: ":")), line.count) else { return }
        let start = bytes.count
        let nameLength = UnsafeRawPointer(colon) - UnsafeRawPointer(base)
        bytes.append(contentsOf: line)
        fields.append(Field(start: start, colon: start + nameLength, end: bytes.count))
    }

    /// The value after the colon, without surrounding spaces, tabs and the line's CRLF.
    private static func value(of field: Field, in all: UnsafeBufferPointer<UInt8>) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = field.colon + 1
        var end = field.end
        while start < end && isSpace(all[start]) { start += 1 }
        while end > start && isSpace(all[end - 1]) { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: all[start..<end]), as: UTF8.self)
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
