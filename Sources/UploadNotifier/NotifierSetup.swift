import AWSClient
import EmbeddedMetrics
import HTTP
import LambdaRuntime
import Logging
import MiniFoundation

/// Builds the handler at init: configuration, AWS clients when something needs them, the secrets,
/// and the connections each peer keeps for the process's life.
struct NotifierSetup {
    let setup: LambdaInitContext
    let makeTransport: UploadNotifierHandler.TransportFactory

    init(_ setup: LambdaInitContext, makeTransport: @escaping UploadNotifierHandler.TransportFactory) {
        self.setup = setup
        self.makeTransport = makeTransport
    }

    func handler() throws -> UploadNotifierHandler {
        let configuration = try NotifierConfiguration(environment: setup.variables)
        let logger = setup.logger
        let aws = try awsConfiguration(for: configuration)

        var secrets: (any SecretReader)?
        if let aws, configuration.apiKeySecretID != nil || configuration.signingSecretID != nil {
            let transport = try transport(for: aws.secretsManagerEndpoint, variable: AWSService.secretsManager.endpointVariable)
            secrets = SecretsManagerSecrets(client: SecretsManagerClient(configuration: aws, transport: transport))
        }
        let credentials = try WebhookCredentialStore(configuration: configuration, reader: secrets)
        if credentials.current.signsWithAPIKey {
            logger.warning(
                "no signing secret is set (WEBHOOK_SIGNING_SECRET or WEBHOOK_SIGNING_SECRET_ID): signing with a key derived from the API key, which travels in every request; set a separate whsec_ secret so signatures also prove authenticity")
        }

        var fetcher: ObjectMetadataFetcher?
        if configuration.fetchObjectMetadata {
            if let aws {
                let s3 = S3Client(
                    configuration: aws, transport: try transport(for: aws.s3Endpoint, variable: AWSService.s3.endpointVariable),
                    timeout: ObjectMetadataFetcher.attemptTimeout)
                fetcher = ObjectMetadataFetcher(reader: S3ObjectHeads(client: s3), webhookAttemptTimeout: configuration.attemptTimeout)
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
            "objectMetadata": "\(fetcher != nil)",
            "metrics": "\(configuration.metricsNamespace ?? "off")",
            "trustStore": "\(configuration.trustStore?.description ?? "none (plain http)")",
        ])
        return UploadNotifierHandler(
            configuration: configuration, credentials: credentials,
            transport: try makeTransport(configuration.trustStore), metadataFetcher: fetcher,
            metrics: configuration.metricsNamespace.map {
                MetricsOutput(
                    namespace: $0, functionName: setup.environment.functionName ?? "unknown",
                    write: MetricsLog.writeToStandardOutput)
            })
    }

    /// The AWS settings when secrets or metadata need them. Secret ids without credentials are an
    /// init error; metadata without them only a warning (nothing is lost without it).
    private func awsConfiguration(for configuration: NotifierConfiguration) throws(ConfigurationError) -> AWSConfiguration? {
        let needsSecrets = configuration.apiKeySecretID != nil || configuration.signingSecretID != nil
        guard needsSecrets || configuration.fetchObjectMetadata else { return nil }
        do {
            return try AWSConfiguration(environment: { setup.variables[$0] })
        } catch {
            guard needsSecrets else { return nil }
            throw ConfigurationError(
                variable: configuration.apiKeySecretID != nil ? "WEBHOOK_API_KEY_SECRET_ID" : "WEBHOOK_SIGNING_SECRET_ID",
                problem: "needs AWS credentials and a region to read the secret, but \(error)")
        }
    }

    /// A connection of its own to an AWS endpoint, verifying HTTPS like the webhook's.
    private func transport(for endpoint: AWSEndpoint, variable: String) throws -> any HTTPTransport {
        guard endpoint.scheme == "https" else { return try makeTransport(nil) }
        do {
            return try makeTransport(try TrustStore.locate(environment: { setup.variables[$0] }))
        } catch let error as HTTPError {
            throw error
        } catch {
            throw ConfigurationError(variable: variable, problem: "is https (\(endpoint)), but \(error)")
        }
    }
}
