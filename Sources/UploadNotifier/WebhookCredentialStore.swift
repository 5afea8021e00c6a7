import Retrying
import Threads

/// The current webhook credentials: from the environment, or read from Secrets Manager at start
/// and read again when the backend refuses them, so that a rotated secret is picked up without a
/// redeploy or restart.
///
/// Shared by every worker. The lock guards the credentials and the time of the last re-read, and
/// is held while re-reading, so that many workers refused at once cause one read: the others wait,
/// then find the credentials already changed. `reader` is used only under the lock,
/// which is why the class may be shared although it is not `Sendable`.
public final class WebhookCredentialStore: @unchecked Sendable {
    /// Re-reads after a refusal happen at most this often: a backend that refuses every key must
    /// not turn each webhook into a Secrets Manager call (the read at start does not count).
    public static let minimumRereadInterval: Duration = .seconds(30)
    /// A throttled or unanswered read is tried again twice, 100 and 200 ms later: init (10 s) and the
    /// invocation that re-reads after a refusal both have the time; a missing secret is not retried.
    static let readRetries = RetryPolicy(maxAttempts: 3, firstPause: .milliseconds(100), jitter: .none)

    private struct State {
        var current: WebhookCredentials
        var lastReread: ContinuousClock.Instant?
    }

    // A plain Lock beside the state, not Locked<State>: a generic class's metadata is built at run
    // time by demangling its field types, which cost init measurably (Benchmarks/FINDINGS.md).
    private let lock = Lock()
    private var state: State
    private let settings: WebhookCredentialSettings
    private let reader: (any SecretReader)?
    private let time: RetryTime

    /// Takes plain values from `configuration` and reads what it names by secret id.
    /// - Throws: ``ConfigurationError`` naming the secret id (never its value) when a read fails.
    public init(
        configuration: NotifierConfiguration, reader: (any SecretReader)?, time: RetryTime = .live
    ) throws(ConfigurationError) {
        self.time = time
        self.settings = configuration.webhookCredentials
        self.reader = reader
        self.state = State(current: try Self.read(configuration.webhookCredentials, reader: reader, time: time))
    }

    /// Whether any value comes from Secrets Manager.
    public var usesSecrets: Bool { settings.usesSecrets }

    /// The credentials to sign the next attempt with.
    public var current: WebhookCredentials { lock.withLock { state.current } }

    /// After the backend answered 401 or 403: reads the secrets again, unless that was done less than
    /// ``minimumRereadInterval`` ago. True when the credentials changed, so the refused webhook can be
    /// sent again at once; false when there was nothing to read or nothing changed.
    public func rereadAfterRefusal(now: ContinuousClock.Instant = .now) -> Result<Bool, ConfigurationError> {
        credentials(replacing: current, now: now).map { $0 != nil }
    }

    /// After the backend refused `refused`: the credentials to try instead, or nil when there are
    /// none newer. Another worker may already have replaced them (then nothing is read), else the
    /// secrets are read again, at most once per ``minimumRereadInterval`` for the whole process.
    public func credentials(
        replacing refused: WebhookCredentials, now: ContinuousClock.Instant = .now
    ) -> Result<WebhookCredentials?, ConfigurationError> {
        guard usesSecrets else { return .success(nil) }
        return lock.withLock { () -> Result<WebhookCredentials?, ConfigurationError> in
            if state.current != refused { return .success(state.current) }
            if let lastReread = state.lastReread, now - lastReread < Self.minimumRereadInterval { return .success(nil) }
            state.lastReread = now
            switch Result(catching: { () throws(ConfigurationError) in try read() }) {
            case .success(let fresh):
                guard fresh != state.current else { return .success(nil) }
                state.current = fresh
                return .success(fresh)
            case .failure(let error):
                return .failure(error)
            }
        }
    }

    /// Resolves the settings, reading the secrets they name; called with the lock held (or before
    /// the store is shared).
    private func read() throws(ConfigurationError) -> WebhookCredentials {
        try Self.read(settings, reader: reader, time: time)
    }

    private static func read(
        _ settings: WebhookCredentialSettings, reader: (any SecretReader)?, time: RetryTime
    ) throws(ConfigurationError) -> WebhookCredentials {
        try settings.resolve { (id, variable) throws(ConfigurationError) in
            guard let reader else {
                throw ConfigurationError(variable: settings.secretIDVariable, problem: "is set but no Secrets Manager client is available")
            }
            let read = Self.readRetries.run(time: time, isTransient: { (error: SecretReadError) in error.isTransient }) {
                () throws(SecretReadError) in try reader.secretValue(id)
            }
            switch read {
            case .success(let value): return value
            case .failure(let error): throw ConfigurationError(variable: variable, problem: "could not be read: \(error)")
            }
        }
    }
}
