import StandardWebhooks

/// What authenticates a webhook: the `X-Webhook-Api-Key` value and the signing secret(s).
public struct WebhookCredentials: Sendable, Equatable {
    public static func == (a: WebhookCredentials, b: WebhookCredentials) -> Bool {
        a.apiKey == b.apiKey && a.signer.secrets == b.signer.secrets && a.signsWithAPIKey == b.signsWithAPIKey
    }

    public let apiKey: String
    public let signer: WebhookSigner
    /// No signing secret is configured: the API key doubles as HMAC key.
    public let signsWithAPIKey: Bool

    /// - Parameter signingSecrets: the `whsec_` secrets; nil when none is configured, and then the
    ///   API key doubles as HMAC key (the one place that rule is written).
    public init(apiKey: String, signingSecrets: [WebhookSecret]?) {
        self.apiKey = apiKey
        self.signer = WebhookSigner(secrets: signingSecrets ?? [WebhookSecret(key: Array(apiKey.utf8))])
        self.signsWithAPIKey = signingSecrets == nil
    }
}

/// Where the webhook credentials come from: values in the environment, or Secrets Manager secrets
/// named by id, read at setup and again after the backend refuses them.
public struct WebhookCredentialSettings: Sendable, Equatable {
    public static let apiKeyVariable = "WEBHOOK_API_KEY"
    public static let apiKeySecretIDVariable = "WEBHOOK_API_KEY_SECRET_ID"
    public static let signingSecretVariable = "WEBHOOK_SIGNING_SECRET"
    public static let signingSecretIDVariable = "WEBHOOK_SIGNING_SECRET_ID"

    public enum APIKey: Sendable, Equatable {
        case value(String)
        case secret(id: String)
    }

    public enum Signing: Sendable, Equatable {
        case secrets([WebhookSecret])
        case secret(id: String)
        /// Neither variable is set: the API key doubles as HMAC key.
        case apiKey
    }

    public var apiKey: APIKey
    public var signing: Signing

    public init(apiKey: APIKey, signing: Signing) {
        self.apiKey = apiKey
        self.signing = signing
    }

    /// Whether any value comes from Secrets Manager.
    public var usesSecrets: Bool {
        if case .secret = apiKey { return true }
        if case .secret = signing { return true }
        return false
    }

    /// The variable to name when the secrets cannot be read at all.
    var secretIDVariable: String {
        if case .secret = apiKey { return Self.apiKeySecretIDVariable }
        return Self.signingSecretIDVariable
    }

    /// The credentials, with what is named by id read through `read(id, variable)`.
    func resolve(reading read: (_ id: String, _ variable: String) throws(ConfigurationError) -> String) throws(ConfigurationError)
        -> WebhookCredentials
    {
        let key: String
        switch apiKey {
        case .value(let value): key = value
        case .secret(let id):
            key = try NotifierConfiguration.checkedAPIKey(
                try read(id, Self.apiKeySecretIDVariable), from: "the SecretString of \(Self.apiKeySecretIDVariable) (\(id))")
        }
        switch signing {
        case .secrets(let secrets): return WebhookCredentials(apiKey: key, signingSecrets: secrets)
        case .apiKey: return WebhookCredentials(apiKey: key, signingSecrets: nil)
        case .secret(let id):
            let secrets = try NotifierConfiguration.signingSecrets(
                try read(id, Self.signingSecretIDVariable), from: "the SecretString of \(Self.signingSecretIDVariable) (\(id))")
            return WebhookCredentials(apiKey: key, signingSecrets: secrets)
        }
    }
}
