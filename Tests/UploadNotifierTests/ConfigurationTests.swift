import Testing

@testable import UploadNotifier

let minimal = ["API_BASE_URL": "https://api.example.com", "WEBHOOK_API_KEY": "sk_live_do_not_log"]

func configuration(_ changes: [String: String]) throws(ConfigurationError) -> NotifierConfiguration {
    try NotifierConfiguration(environment: minimal.merging(changes) { _, new in new })
}

func configurationError(_ changes: [String: String], removing: [String] = []) -> ConfigurationError? {
    var variables = minimal.merging(changes) { _, new in new }
    for name in removing { variables[name] = nil }
    do {
        _ = try NotifierConfiguration(environment: variables)
        return nil
    } catch {
        return error
    }
}

@Suite struct ConfigurationTests {
    @Test func defaults() throws {
        let config = try configuration([:])
        #expect(config.webhookURL == "https://api.example.com/api/v1/audio-files/webhooks/upload-notification")
        #expect(config.attemptTimeout == .milliseconds(5000))
        #expect(config.maxAttempts == 4)
        #expect(config.audioFilesPrefix == "audio-files/")
        #expect(config.allowedBuckets.isEmpty)
        #expect(config.webhookCredentials == WebhookCredentialSettings(apiKey: .value("sk_live_do_not_log"), signing: .apiKey))
        let credentials = try WebhookCredentialStore(configuration: config, reader: nil).current
        #expect(credentials.signsWithAPIKey)
        #expect(credentials.signer.secrets.first?.key == Array("sk_live_do_not_log".utf8))
    }

    /// Parsing is pure: an https backend is noted, and its CA store is found later, once, by the factory.
    @Test func parsingReadsNoFile() throws {
        #expect(try configuration(["SSL_CERT_FILE": "/nonexistent/ca.pem"]).webhookUsesTLS)
        #expect(try !configuration(["API_BASE_URL": "http://127.0.0.1:9"]).webhookUsesTLS)
    }

    @Test func trailingSlashAndCustomPath() throws {
        let config = try configuration(["API_BASE_URL": "https://api.example.com/base/", "WEBHOOK_PATH": "/hooks/s3"])
        #expect(config.webhookURL == "https://api.example.com/base/hooks/s3")
    }

    @Test func everyOptionIsRead() throws {
        let config = try configuration([
            "WEBHOOK_SIGNING_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "WEBHOOK_TIMEOUT_MS": "1500",
            "WEBHOOK_MAX_ATTEMPTS": "2", "AUDIO_FILES_PREFIX": "media/", "ALLOWED_BUCKETS": " a-bucket, b-bucket ,,",
        ])
        #expect(try !WebhookCredentialStore(configuration: config, reader: nil).current.signsWithAPIKey)
        #expect(config.attemptTimeout == .milliseconds(1500))
        #expect(config.maxAttempts == 2)
        #expect(config.audioFilesPrefix == "media/")
        #expect(config.allowedBuckets == ["a-bucket", "b-bucket"])
    }

    @Test(arguments: ["API_BASE_URL", "WEBHOOK_API_KEY"])
    func requiredVariables(name: String) {
        #expect(configurationError([:], removing: [name])?.variable == name)
        #expect(configurationError([name: ""])?.variable == name)
    }

    @Test(arguments: [
        "ftp://api.example.com", "api.example.com", "https://", "https://user:pw@api.example.com",
        "https://api.example.com/?x=1", "https://api.example.com/#frag", "not a url at all",
    ])
    func malformedBaseURLs(url: String) {
        #expect(configurationError(["API_BASE_URL": url])?.variable == "API_BASE_URL")
    }

    @Test func plainHTTPOnlyToLoopbackUnlessAllowed() throws {
        #expect(configurationError(["API_BASE_URL": "http://api.example.com"])?.variable == "API_BASE_URL")
        #expect(configurationError(["API_BASE_URL": "http://10.0.0.5:8080"])?.variable == "API_BASE_URL")
        for loopback in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9000", "http://127.1.2.3"] {
            #expect(configurationError(["API_BASE_URL": loopback]) == nil, "\(loopback)")
        }
        _ = try configuration(["API_BASE_URL": "http://api.example.com", "ALLOW_INSECURE_HTTP": "true"])
        #expect(configurationError(["ALLOW_INSECURE_HTTP": "maybe"])?.variable == "ALLOW_INSECURE_HTTP")
    }

    @Test(arguments: [
        ("WEBHOOK_TIMEOUT_MS", "0"), ("WEBHOOK_TIMEOUT_MS", "fast"), ("WEBHOOK_TIMEOUT_MS", "999999"),
        ("WEBHOOK_MAX_ATTEMPTS", "0"), ("WEBHOOK_MAX_ATTEMPTS", "-1"), ("WEBHOOK_MAX_ATTEMPTS", "11"),
        ("WEBHOOK_PATH", "no-leading-slash"), ("WEBHOOK_PATH", "/a b"), ("AUDIO_FILES_PREFIX", "audio-files"),
        ("AUDIO_FILES_PREFIX", "/audio-files/"), ("WEBHOOK_SIGNING_SECRET", "whsec_short"),
        ("WEBHOOK_SIGNING_SECRET", "not-a-secret"), ("WEBHOOK_API_KEY", "a\nb"),
    ])
    func malformedValuesNameTheirVariable(name: String, value: String) {
        let error = configurationError([name: value])
        #expect(error?.variable == name)
        #expect(error?.errorType == "ConfigurationError")
        #expect(error?.errorMessage.hasPrefix(name) == true)
    }

    @Test func errorsNeverQuoteSecrets() {
        let secret = "whsec_TOPSECRETTOPSECRETTOPSECRET"
        let error = configurationError(["WEBHOOK_SIGNING_SECRET": secret])
        #expect(error != nil)
        #expect(error?.errorMessage.contains("TOPSECRET") == false)
        let keyError = configurationError(["WEBHOOK_API_KEY": "sk_live\nleak"])
        #expect(keyError?.errorMessage.contains("sk_live") == false)
    }
}
