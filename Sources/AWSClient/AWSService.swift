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
