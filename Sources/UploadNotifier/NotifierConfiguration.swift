import HTTP
import LambdaRuntime
import ProcessEnvironment
import StandardWebhooks
import TextBytes

/// Everything the notifier reads from its environment, validated once at start. Pure: no file or
/// network is touched here (the CA store and the secrets are found by ``UploadNotifierFactory``).
public struct NotifierConfiguration: Sendable {
    public static let defaultWebhookPath = "/api/v1/audio-files/webhooks/upload-notification"
    public static let defaultMetricsNamespace = "VoiceByAuribus/AudioUploadNotifier"

    /// `API_BASE_URL` + `WEBHOOK_PATH`.
    public var webhookURL: String
    /// `WEBHOOK_API_KEY` or `WEBHOOK_API_KEY_SECRET_ID`, and `WEBHOOK_SIGNING_SECRET` or
    /// `WEBHOOK_SIGNING_SECRET_ID`: values, or the Secrets Manager secrets (name or ARN) holding them.
    public var webhookCredentials: WebhookCredentialSettings
    /// `FETCH_OBJECT_METADATA`: HEAD each upload for its content type and user metadata.
    public var fetchObjectMetadata: Bool
    /// `METRICS_NAMESPACE`: the CloudWatch namespace of the EMF metrics; nil switches them off.
    public var metricsNamespace: String?
    public var attemptTimeout: Duration
    public var maxAttempts: Int
    /// `WEBHOOK_PARALLELISM`: the most uploads of one invocation delivered at once (1: one by one).
    public var webhookParallelism: Int
    public var audioFilesPrefix: String
    /// Empty: any bucket.
    public var allowedBuckets: Set<String>
    /// The backend is https: its certificate is verified against the CA store found at setup.
    public var webhookUsesTLS: Bool

    public init(environment variables: [String: String]) throws(ConfigurationError) {
        try self.init(environment: EnvironmentVariables(variables))
    }

    public init(environment variables: EnvironmentVariables) throws(ConfigurationError) {
        let baseURL = try Self.required("API_BASE_URL", in: variables)
        typealias Names = WebhookCredentialSettings
        let apiKey: WebhookCredentialSettings.APIKey
        if let id = try Self.secretID(Names.apiKeySecretIDVariable, replacing: Names.apiKeyVariable, in: variables) {
            apiKey = .secret(id: id)
        } else {
            apiKey = .value(try Self.checkedAPIKey(try Self.required(Names.apiKeyVariable, in: variables), from: Names.apiKeyVariable))
        }
        let signing: WebhookCredentialSettings.Signing
        if let id = try Self.secretID(Names.signingSecretIDVariable, replacing: Names.signingSecretVariable, in: variables) {
            signing = .secret(id: id)
        } else if let secretText = variables[Names.signingSecretVariable], !secretText.isEmpty {
            signing = .secrets(try Self.signingSecrets(secretText, from: Names.signingSecretVariable))
        } else {
            signing = .apiKey
        }
        webhookCredentials = WebhookCredentialSettings(apiKey: apiKey, signing: signing)

        let path = variables["WEBHOOK_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultWebhookPath
        guard path.hasPrefix("/"), !path.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) else {
            throw ConfigurationError(variable: "WEBHOOK_PATH", problem: "must be an absolute path such as \(Self.defaultWebhookPath)")
        }
        let allowInsecure = try Self.flag("ALLOW_INSECURE_HTTP", in: variables, default: false)
        webhookUsesTLS = try Self.validateBaseURL(baseURL, allowInsecureHTTP: allowInsecure) == "https"
        var trimmedBase = Substring(baseURL)
        while trimmedBase.hasSuffix("/") { trimmedBase = trimmedBase.dropLast() }
        // String + String: Substring + String is the generic RangeReplaceableCollection `+`, whose
        // metadata the runtime instantiates by scanning every protocol conformance in the binary.
        webhookURL = String(trimmedBase) + path

        fetchObjectMetadata = try Self.flag("FETCH_OBJECT_METADATA", in: variables, default: true)
        let namespace = variables["METRICS_NAMESPACE"] ?? Self.defaultMetricsNamespace
        guard namespace.utf8.count <= 255, !namespace.contains(where: { $0.isNewline }) else {
            throw ConfigurationError(variable: "METRICS_NAMESPACE", problem: "must be at most 255 characters on one line (empty switches metrics off)")
        }
        metricsNamespace = namespace.isEmpty ? nil : namespace

        attemptTimeout = .milliseconds(try Self.integer("WEBHOOK_TIMEOUT_MS", in: variables, default: 5000, range: 100...60_000))
        maxAttempts = try Self.integer("WEBHOOK_MAX_ATTEMPTS", in: variables, default: 4, range: 1...10)
        // 8: a batch of 100 at 100 ms takes 13 rounds (1.3 s) instead of 10 s, with 8 connections
        // per worker, which a backend behind a load balancer takes without notice (README, "Batches").
        webhookParallelism = try Self.integer("WEBHOOK_PARALLELISM", in: variables, default: 8, range: 1...64)

        audioFilesPrefix = variables["AUDIO_FILES_PREFIX"] ?? "audio-files/"
        guard audioFilesPrefix.isEmpty || audioFilesPrefix.hasSuffix("/"), !audioFilesPrefix.hasPrefix("/") else {
            throw ConfigurationError(variable: "AUDIO_FILES_PREFIX", problem: "must be empty or a key prefix ending in \"/\", such as audio-files/")
        }
        allowedBuckets = Set(
            (variables["ALLOWED_BUCKETS"] ?? "").split(separator: ",")
                .map { $0.trimmingSpacesAndTabs() }.filter { !$0.isEmpty })
    }

    private static func required(_ name: String, in variables: EnvironmentVariables) throws(ConfigurationError) -> String {
        guard let value = variables[name], !value.isEmpty else {
            throw ConfigurationError(variable: name, problem: "is required but not set")
        }
        return value
    }

    private static func flag(_ name: String, in variables: EnvironmentVariables, default value: Bool) throws(ConfigurationError) -> Bool {
        switch variables[name]?.lowercased() {
        case nil, "": value
        case "false", "0", "no": false
        case "true", "1", "yes": true
        default: throw ConfigurationError(variable: name, problem: "must be true or false")
        }
    }

    /// A secret id, which may not be combined with the plain variable it replaces.
    private static func secretID(_ name: String, replacing plain: String, in variables: EnvironmentVariables) throws(ConfigurationError) -> String? {
        guard let id = variables[name], !id.isEmpty else { return nil }
        guard variables[plain].map(\.isEmpty) ?? true else {
            throw ConfigurationError(variable: name, problem: "and \(plain) are both set: set one of them (the secret id to read the value from Secrets Manager)")
        }
        guard !id.contains(where: { $0.isNewline || $0.isWhitespace }) else {
            throw ConfigurationError(variable: name, problem: "must be a secret name or ARN without white space")
        }
        return id
    }

    /// An API key fit for a header: one line. `source` names where it came from, never its value.
    static func checkedAPIKey(_ key: String, from source: String) throws(ConfigurationError) -> String {
        guard !key.isEmpty else { throw ConfigurationError(variable: source, problem: "is empty") }
        guard !key.contains(where: { $0.isNewline }) else {
            throw ConfigurationError(variable: source, problem: "contains a line break")
        }
        return key
    }

    /// A space-separated list of `whsec_` secrets.
    static func signingSecrets(_ secretText: String, from source: String) throws(ConfigurationError) -> [WebhookSecret] {
        do {
            return try WebhookSecret.parseList(secretText)
        } catch {
            throw ConfigurationError(variable: source, problem: error.description)
        }
    }

    private static func integer(
        _ name: String, in variables: EnvironmentVariables, default value: Int, range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let text = variables[name], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Returns the scheme, lower-cased.
    private static func validateBaseURL(_ text: String, allowInsecureHTTP: Bool) throws(ConfigurationError) -> String {
        func fail(_ problem: String) -> ConfigurationError {
            ConfigurationError(variable: "API_BASE_URL", problem: problem)
        }
        let url: URLParts
        do {
            url = try URLParts(parsing: text)
        } catch .notAbsolute {
            throw fail("is not a valid absolute URL (expected https://host[:port][/base])")
        } catch {
            throw fail(error.description)
        }
        guard url.scheme == "https" || url.scheme == "http" else { throw fail("must use https (or http to loopback)") }
        guard !url.hasCredentials else { throw fail("must not carry credentials") }
        guard !url.hasQuery, !url.hasFragment else { throw fail("must not have a query or fragment") }
        if url.scheme == "http" && !allowInsecureHTTP && !url.isLoopback {
            throw fail("uses plain http to a non-loopback host: the API key would cross the network in clear text (use https, or set ALLOW_INSECURE_HTTP=true)")
        }
        return url.scheme
    }
}

/// A missing or malformed setting. The message names the variable, never its value.
public struct ConfigurationError: LambdaFunctionError, Equatable {
    public var variable: String
    public var problem: String

    public var errorType: String { "ConfigurationError" }
    public var errorMessage: String { "\(variable) \(problem)" }
}
