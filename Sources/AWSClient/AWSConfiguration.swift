import AWSSigning
import HTTP

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
