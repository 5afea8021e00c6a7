import ProcessEnvironment
import TextBytes

/// The runtime's own settings, read once from the environment at start. Pure: tested with fixed values.
struct RuntimeSettings: Equatable {
    /// `AWS_LAMBDA_MAX_CONCURRENCY`: how many invocations Lambda Managed Instances may run at once in
    /// this environment; unset on classic Lambda (one at a time).
    var workers: Int
    /// `RUNTIME_SIGTERM_EXTENSION`: register the no-op internal extension that makes Lambda send SIGTERM.
    /// Unset: only with several workers. The registration costs CPU at init (an HTTP
    /// round trip and a thread; Benchmarks/FINDINGS.md), which one invocation at a time does not need:
    /// classic Lambda ends idle environments, where SIGTERM would only exit at once. With several
    /// invocations in flight (Managed Instances scaling in or deploying), it lets them finish.
    var registersShutdownExtension: Bool

    static let concurrencyVariable = "AWS_LAMBDA_MAX_CONCURRENCY"
    static let shutdownExtensionVariable = "RUNTIME_SIGTERM_EXTENSION"
    /// Each worker is a thread with its own connections: past this, a value is more likely a typo
    /// than a plan (Managed Instances' documented defaults are tens per vCPU).
    static let maximumWorkers = 1024

    init(workers: Int = 1, registersShutdownExtension: Bool? = nil) {
        self.workers = workers
        self.registersShutdownExtension = registersShutdownExtension ?? (workers > 1)
    }

    init(_ variables: EnvironmentVariables) throws(RuntimeSettingError) {
        var workers = 1
        var registersShutdownExtension: Bool?
        if let text = variables[Self.concurrencyVariable], !text.isEmpty {
            guard ASCII.isDigits(text), let value = Int(text), (1...Self.maximumWorkers).contains(value) else {
                throw RuntimeSettingError(
                    variable: Self.concurrencyVariable,
                    problem: "is \"\(text)\", but must be a whole number from 1 to \(Self.maximumWorkers)")
            }
            workers = value
        }
        if let text = variables[Self.shutdownExtensionVariable], !text.isEmpty {
            switch text.lowercased() {
            case "true", "on", "1": registersShutdownExtension = true
            case "false", "off", "0": registersShutdownExtension = false
            default:
                throw RuntimeSettingError(
                    variable: Self.shutdownExtensionVariable, problem: "is \"\(text)\", but must be true or false")
            }
        }
        self.init(workers: workers, registersShutdownExtension: registersShutdownExtension)
    }
}

/// A runtime setting Lambda or the operator gave that the runtime cannot honour: an init error.
struct RuntimeSettingError: LambdaFunctionError, Equatable {
    var variable: String
    var problem: String
    var errorType: String { "Runtime.InvalidSetting" }
    var errorMessage: String { "\(variable) \(problem)" }
}
