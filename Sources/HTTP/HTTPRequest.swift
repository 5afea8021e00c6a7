import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

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
