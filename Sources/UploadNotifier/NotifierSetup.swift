import AWSClient
import CertificateTrust
import EmbeddedMetrics
import HTTP
import LambdaRuntime
import Logging
import ProcessEnvironment

/// Built once at init: the configuration, the AWS settings when something needs them, the secrets,
/// the metrics format. Every worker shares it (immutable values and the locked credential store)
/// and asks it for a handler of its own, with connections of its own.
public struct UploadNotifierFactory: LambdaHandlerFactory {
    let configuration: NotifierConfiguration
    let credentials: WebhookCredentialStore
    /// What each handler's S3 connection needs: set when `FETCH_OBJECT_METADATA` is on and there are
    /// AWS credentials.
    let objectMetadata: ObjectMetadataSource?
    /// The backend's CA store; nil for plain http.
    let webhookTrust: TrustStore?

    struct ObjectMetadataSource: Sendable {
        var aws: AWSConfiguration
        var trust: TrustStore?
    }
    let metrics: MetricsOutput?
    let makeTransport: UploadNotifierHandler.TransportFactory

    init(_ setup: LambdaInitContext, makeTransport: @escaping UploadNotifierHandler.TransportFactory) throws {
        let configuration = try NotifierConfiguration(environment: setup.variables)
        let logger = setup.logger
        let aws = try Self.awsConfiguration(for: configuration, setup: setup)
        // Found at most once, here, and shared by every https connection (the backend's and AWS's).
        var trustStore = TrustStoreLookup(variables: setup.variables)
        let webhookTrust = configuration.webhookUsesTLS ? try trustStore.find(for: "API_BASE_URL", "is https") : nil

        var secrets: (any SecretReader)?
        if let aws, configuration.webhookCredentials.usesSecrets {
            let transport = try makeTransport(
                try trustStore.find(for: aws.secretsManagerEndpoint, variable: AWSService.secretsManager.endpointVariable))
            secrets = SecretsManagerSecrets(client: SecretsManagerClient(configuration: aws, transport: transport))
        }
        let credentials = try WebhookCredentialStore(configuration: configuration, reader: secrets)
        if credentials.current.signsWithAPIKey {
            logger.warning(
                "no signing secret is set (WEBHOOK_SIGNING_SECRET or WEBHOOK_SIGNING_SECRET_ID): signing with a key derived from the API key, which travels in every request; set a separate whsec_ secret so signatures also prove authenticity")
        }

        var objectMetadata: ObjectMetadataSource?
        if configuration.fetchObjectMetadata {
            if let aws {
                objectMetadata = ObjectMetadataSource(
                    aws: aws, trust: try trustStore.find(for: aws.s3Endpoint, variable: AWSService.s3.endpointVariable))
            } else {
                logger.warning("FETCH_OBJECT_METADATA is on but there are no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION): webhooks go out with contentType and metadata null")
            }
        }

        logger.info("upload notifier ready", metadata: [
            "version": "\(NotifierVersion.current)",
            "prefix": "\(configuration.audioFilesPrefix)",
            "maxAttempts": "\(configuration.maxAttempts)",
            "signingSecrets": "\(credentials.current.signer.secrets.count)",
            "secretsFrom": "\(credentials.usesSecrets ? "Secrets Manager" : "environment")",
            "objectMetadata": "\(objectMetadata != nil)",
            "metrics": "\(configuration.metricsNamespace ?? "off")",
            "trustStore": "\(webhookTrust?.description ?? "none (plain http)")",
        ])
        self.configuration = configuration
        self.credentials = credentials
        self.objectMetadata = objectMetadata
        self.webhookTrust = webhookTrust
        self.metrics = configuration.metricsNamespace.map {
            MetricsOutput(
                namespace: $0, functionName: setup.environment.functionName ?? "unknown",
                write: MetricsLog.writeToStandardOutput)
        }
        self.makeTransport = makeTransport
    }

    /// A handler with its own webhook connection and, with metadata on, its own S3 connection; more
    /// lanes like it are made when an invocation first has several uploads to deliver at once.
    public func makeHandler() throws -> UploadNotifierHandler {
        UploadNotifierHandler(
            configuration: configuration, lane: try makeLane(), metrics: metrics,
            lanes: configuration.webhookParallelism > 1 ? LanePool(makeLane: makeLane) : nil)
    }

    /// Connections of its own: to the backend, and to S3 when metadata is on.
    func makeLane() throws -> UploadLane {
        var fetcher: ObjectMetadataFetcher?
        if let objectMetadata {
            let s3 = S3Client(
                configuration: objectMetadata.aws, transport: try makeTransport(objectMetadata.trust),
                timeout: ObjectMetadataFetcher.attemptTimeout)
            fetcher = ObjectMetadataFetcher(reader: s3, webhookAttemptTimeout: configuration.attemptTimeout)
        }
        return UploadLane(
            delivery: WebhookDelivery(configuration: configuration, credentials: credentials, http: try makeTransport(webhookTrust)),
            metadataFetcher: fetcher)
    }

    /// The AWS settings when secrets or metadata need them. Secret ids without credentials are an
    /// init error; metadata without them only a warning (nothing is lost without it).
    private static func awsConfiguration(
        for configuration: NotifierConfiguration, setup: LambdaInitContext
    ) throws(ConfigurationError) -> AWSConfiguration? {
        let needsSecrets = configuration.webhookCredentials.usesSecrets
        guard needsSecrets || configuration.fetchObjectMetadata else { return nil }
        do {
            return try AWSConfiguration(environment: { setup.variables[$0] })
        } catch {
            guard needsSecrets else { return nil }
            throw ConfigurationError(
                variable: configuration.webhookCredentials.secretIDVariable,
                problem: "needs AWS credentials and a region to read the secret, but \(error)")
        }
    }
}

/// Finds the CA store on first need and keeps it: the one place setup reads the file system.
struct TrustStoreLookup {
    let variables: EnvironmentVariables
    private var found: TrustStore?

    init(variables: EnvironmentVariables) {
        self.variables = variables
    }

    /// The store; a failure names `variable`, which made https necessary.
    mutating func find(for variable: String, _ why: String) throws(ConfigurationError) -> TrustStore {
        if let found { return found }
        do {
            let store = try TrustStore.locate(environment: { [variables] in variables[$0] })
            found = store
            return store
        } catch {
            throw ConfigurationError(variable: variable, problem: "\(why), but \(error)")
        }
    }

    /// The store an AWS endpoint's connection verifies against, like the webhook's; nil for http.
    mutating func find(for endpoint: AWSEndpoint, variable: String) throws(ConfigurationError) -> TrustStore? {
        guard endpoint.scheme == "https" else { return nil }
        return try find(for: variable, "is https (\(endpoint))")
    }
}
