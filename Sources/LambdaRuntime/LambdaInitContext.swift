import Logging
import ProcessEnvironment

/// What a handler's setup can read: the environment, once, before the first invocation.
public struct LambdaInitContext {
    public var variables: EnvironmentVariables
    public var environment: LambdaEnvironment
    public var logger: Logger

    public init(variables: EnvironmentVariables, environment: LambdaEnvironment, logger: Logger) {
        self.variables = variables
        self.environment = environment
        self.logger = logger
    }
}
