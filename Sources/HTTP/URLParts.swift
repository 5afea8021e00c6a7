import CCurl

/// An absolute URL taken apart by libcurl's own parser, so what is validated is exactly what
/// libcurl will request.
public struct URLParts: Sendable, Equatable {
    /// Lower-cased, e.g. `https`.
    public var scheme: String
    /// Lower-cased; an IPv6 literal keeps its brackets, e.g. `[::1]`.
    public var host: String
    public var port: Int?
    public var path: String
    /// A user name or password in the URL.
    public var hasCredentials: Bool
    public var hasQuery: Bool
    public var hasFragment: Bool

    public init(parsing text: String) throws(URLPartsError) {
        guard let url = curl_url() else { throw .unparsable }
        defer { curl_url_cleanup(url) }
        guard curl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK else { throw .notAbsolute }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(url, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased() else { throw .notAbsolute }
        guard let host = part(CURLUPART_HOST)?.lowercased(), !host.isEmpty else { throw .noHost }
        self.scheme = scheme
        self.host = host
        self.port = part(CURLUPART_PORT).flatMap { Int($0) }
        self.path = part(CURLUPART_PATH) ?? "/"
        self.hasCredentials = part(CURLUPART_USER) != nil || part(CURLUPART_PASSWORD) != nil
        self.hasQuery = part(CURLUPART_QUERY) != nil
        self.hasFragment = part(CURLUPART_FRAGMENT) != nil
    }

    /// `localhost`, `127.x.y.z` or `[::1]`: traffic that never leaves the machine.
    public var isLoopback: Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

public enum URLPartsError: Error, Equatable, CustomStringConvertible {
    case unparsable
    case notAbsolute
    case noHost

    public var description: String {
        switch self {
        case .unparsable: "could not be parsed"
        case .notAbsolute: "is not a valid absolute URL"
        case .noHost: "has no host"
        }
    }
}
