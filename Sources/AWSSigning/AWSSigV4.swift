/// What an HTTP client needs to have libcurl sign a request with AWS Signature Version 4
/// (libcurl's CURLOPT_AWS_SIGV4, with the access key pair as user name and password).
///
/// The session token travels here rather than in `HTTPRequest.headers`: the client adds it as the
/// `X-Amz-Security-Token` header, which libcurl 7.88.1 signs like every header the application
/// sets (AWS rejects temporary credentials whose token header is unsigned), and a request printed
/// or dumped for a log then shows no secret: ``AWSCredentials`` redacts the secret key and token.
public struct AWSSigV4: Sendable, Equatable, CustomStringConvertible {
    /// The region in the credential scope, e.g. "eu-west-1".
    public var region: String
    /// The signing name of the service, e.g. "s3" or "secretsmanager": named explicitly, as libcurl
    /// would otherwise take the host name's first label ("my-bucket" for a virtual-hosted bucket).
    public var service: String
    public var credentials: AWSCredentials

    public init(region: String, service: String, credentials: AWSCredentials) {
        self.region = region
        self.service = service
        self.credentials = credentials
    }

    public var description: String { "AWSSigV4(region: \(region), service: \(service), \(credentials))" }
}

/// A region or signing name: lower-case letters, digits and hyphens, at most 64 bytes. Nothing else
/// may become a host name label or a field of libcurl's "aws:amz:REGION:SERVICE" (a colon would
/// shift libcurl's fields, a dot or slash the host).
public enum AWSName {
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }
}
