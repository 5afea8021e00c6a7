import AWSSigning
import HTTP

/// The two services the notifier calls, with what signing and endpoint resolution need of each.
public enum AWSService: Sendable, CaseIterable {
    case s3, secretsManager

    /// The SigV4 signing name (the credential scope's service).
    public var signingName: String {
        switch self {
        case .s3: "s3"
        case .secretsManager: "secretsmanager"
        }
    }

    /// The host name's first label on AWS.
    var endpointPrefix: String { signingName }

    /// The SDKs' service-specific endpoint variable: AWS_ENDPOINT_URL_ + the service id upper-cased,
    /// spaces as underscores ("Secrets Manager" → SECRETS_MANAGER). AWS SDKs and Tools Reference
    /// Guide, "Identifiers for service-specific endpoints".
    public var endpointVariable: String {
        switch self {
        case .s3: "AWS_ENDPOINT_URL_S3"
        case .secretsManager: "AWS_ENDPOINT_URL_SECRETS_MANAGER"
        }
    }
}

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

/// Region, credentials and the endpoint of each service: everything a client needs to sign and send.
public struct AWSConfiguration: Sendable, Equatable {
    public var region: String
    public var credentials: AWSCredentials
    public var s3Endpoint: AWSEndpoint
    public var secretsManagerEndpoint: AWSEndpoint

    public init(region: String, credentials: AWSCredentials, s3Endpoint: AWSEndpoint, secretsManagerEndpoint: AWSEndpoint) {
        self.region = region
        self.credentials = credentials
        self.s3Endpoint = s3Endpoint
        self.secretsManagerEndpoint = secretsManagerEndpoint
    }

    /// Reads what Lambda sets: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional),
    /// AWS_REGION (else AWS_DEFAULT_REGION), and the SDKs' endpoint overrides (``AWSEndpoint/resolve``).
    /// An empty variable counts as unset, as in the AWS SDKs.
    /// - Parameter lookup: the environment, injected (tests pass fixed values).
    public init(environment lookup: (String) -> String?) throws(AWSConfigurationError) {
        func value(_ name: String) -> String? { lookup(name).flatMap { $0.isEmpty ? nil : $0 } }
        guard let accessKeyID = value("AWS_ACCESS_KEY_ID") else { throw .missing(variable: "AWS_ACCESS_KEY_ID") }
        guard let secretAccessKey = value("AWS_SECRET_ACCESS_KEY") else { throw .missing(variable: "AWS_SECRET_ACCESS_KEY") }
        let regionVariable = value("AWS_REGION") != nil ? "AWS_REGION" : "AWS_DEFAULT_REGION"
        guard let region = value(regionVariable) else { throw .missing(variable: "AWS_REGION") }
        // A region becomes a host name label and part of libcurl's "aws:amz:REGION:SERVICE".
        guard AWSName.isValid(region) else { throw .invalidRegion(variable: regionVariable) }
        self.init(
            region: region,
            credentials: AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: value("AWS_SESSION_TOKEN")),
            s3Endpoint: try AWSEndpoint.resolve(.s3, region: region, environment: value),
            secretsManagerEndpoint: try AWSEndpoint.resolve(.secretsManager, region: region, environment: value))
    }

    /// What libcurl signs a request to `service` with.
    public func signing(for service: AWSService) -> AWSSigV4 {
        AWSSigV4(region: region, service: service.signingName, credentials: credentials)
    }
}
