import HTTP

/// Where a service's requests go: AWS's regional endpoint, or an override (a VPC endpoint, moto,
/// LocalStack) given as `scheme://host[:port][/path]`.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// "https" or "http", lower-cased.
    public let scheme: String
    /// The authority as given: host, or host:port ("[::1]:4566" for IPv6).
    public let authority: String
    /// "" or a path prefix without a trailing slash ("/proxy").
    public let basePath: String
    /// From an override: S3 then addresses buckets path-style, as the SDKs do.
    public let isOverride: Bool

    /// The endpoint as a URL prefix, e.g. "https://s3.eu-west-1.amazonaws.com".
    public var url: String { "\(scheme)://\(authority)\(basePath)" }
    public var description: String { url }

    /// AWS's own endpoint of `service` in `region`: `https://PREFIX.REGION.DNS-SUFFIX`.
    public static func aws(_ service: AWSService, region: String) -> AWSEndpoint {
        AWSEndpoint(scheme: "https", authority: "\(service.endpointPrefix).\(region).\(dnsSuffix(region: region))", basePath: "", isOverride: false)
    }

    /// The AWS SDKs' order: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then AWS's endpoint;
    /// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both variables ("Service-specific endpoints",
    /// AWS SDKs and Tools Reference Guide).
    public static func resolve(
        _ service: AWSService, region: String, environment value: (String) -> String?
    ) throws(AWSConfigurationError) -> AWSEndpoint {
        let ignore = value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").map { $0.lowercased() == "true" } ?? false
        if !ignore {
            for variable in [service.endpointVariable, "AWS_ENDPOINT_URL"] {
                if let url = value(variable), !url.isEmpty { return try AWSEndpoint(parsing: url, variable: variable) }
            }
        }
        return aws(service, region: region)
    }

    /// Validates an override: http or https, a host, an optional port and path; no user
    /// information (credentials in a URL end up in logs), no query and no fragment (a signed
    /// request's query is ours alone).
    public init(parsing url: String, variable: String) throws(AWSConfigurationError) {
        func invalid(_ reason: String) -> AWSConfigurationError { .invalidEndpoint(variable: variable, reason: reason) }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw invalid("it contains a space, a control or a non-ASCII character") }
        // libcurl's own parser (HTTP.URLParts): what is validated is what will be requested.
        let parts: URLParts
        do {
            parts = try URLParts(parsing: url)
        } catch {
            throw invalid("it is not an absolute http:// or https:// URL with a host")
        }
        guard parts.scheme == "https" || parts.scheme == "http" else { throw invalid("the scheme is not http or https") }
        guard !parts.hasQuery, !parts.hasFragment else { throw invalid("it has a query or a fragment") }
        guard !parts.hasCredentials else { throw invalid("it contains user information (credentials)") }
        guard !parts.host.isEmpty, parts.host != "[]" else { throw invalid("it has no host") }
        if let port = parts.port {
            guard (1...65535).contains(port) else { throw invalid("the port is not a number from 1 to 65535") }
        }
        var path = parts.path
        while path.hasSuffix("/") { path.removeLast() }
        self.init(
            scheme: parts.scheme, authority: parts.host + (parts.port.map { ":\($0)" } ?? ""), basePath: path,
            isOverride: true)
    }

    init(scheme: String, authority: String, basePath: String, isOverride: Bool) {
        self.scheme = scheme
        self.authority = authority
        self.basePath = basePath
        self.isOverride = isOverride
    }

    /// The partitions' DNS suffixes by region prefix, from botocore's data/partitions.json.
    static func dnsSuffix(region: String) -> String {
        let partitions: [(prefix: String, suffix: String)] = [
            ("cn-", "amazonaws.com.cn"), ("us-isob-", "sc2s.sgov.gov"), ("us-isof-", "csp.hci.ic.gov"),
            ("us-iso-", "c2s.ic.gov"), ("eu-isoe-", "cloud.adc-e.uk"), ("eusc-", "amazonaws.eu"),
        ]
        return partitions.first { region.hasPrefix($0.prefix) }?.suffix ?? "amazonaws.com"
    }
}
