import ProcessEnvironment

/// The function's static settings, read once from the environment Lambda sets. The region belongs
/// to the AWS settings (`AWSConfiguration`), which read it where they validate it.
public struct LambdaEnvironment: Sendable, Equatable {
    public var functionName: String?
    public var functionVersion: String?
    public var memoryLimitMB: Int?
    public var logGroupName: String?
    public var logStreamName: String?

    public init(
        functionName: String? = nil, functionVersion: String? = nil, memoryLimitMB: Int? = nil,
        logGroupName: String? = nil, logStreamName: String? = nil
    ) {
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memoryLimitMB = memoryLimitMB
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
    }

    public init(_ variables: [String: String]) {
        self.init(EnvironmentVariables(variables))
    }

    public init(_ variables: EnvironmentVariables) {
        self.init(
            functionName: variables["AWS_LAMBDA_FUNCTION_NAME"],
            functionVersion: variables["AWS_LAMBDA_FUNCTION_VERSION"],
            memoryLimitMB: variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap { Int($0) },
            logGroupName: variables["AWS_LAMBDA_LOG_GROUP_NAME"],
            logStreamName: variables["AWS_LAMBDA_LOG_STREAM_NAME"]
        )
    }
}
