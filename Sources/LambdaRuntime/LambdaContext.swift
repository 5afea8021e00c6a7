import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The function's static settings, read once from the environment Lambda sets.
public struct LambdaEnvironment: Sendable, Equatable {
    public var functionName: String?
    public var functionVersion: String?
    public var memoryLimitMB: Int?
    public var logGroupName: String?
    public var logStreamName: String?
    public var region: String?

    public init(
        functionName: String? = nil, functionVersion: String? = nil, memoryLimitMB: Int? = nil,
        logGroupName: String? = nil, logStreamName: String? = nil, region: String? = nil
    ) {
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memoryLimitMB = memoryLimitMB
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
        self.region = region
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
            logStreamName: variables["AWS_LAMBDA_LOG_STREAM_NAME"],
            region: variables["AWS_REGION"] ?? variables["AWS_DEFAULT_REGION"]
        )
    }
}

/// What a handler knows about the invocation it serves.
public struct LambdaContext: Sendable {
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: the deadline as Unix epoch milliseconds.
    public var deadlineMilliseconds: Int64
    /// The same deadline on the monotonic clock, so wall-clock jumps cannot stretch it.
    public var deadline: ContinuousClock.Instant
    public var invokedFunctionARN: String?
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    public var environment: LambdaEnvironment
    public var logger: Logger

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String? = nil,
        traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
        environment: LambdaEnvironment = LambdaEnvironment(), logger: Logger
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        // The header is the Runtime API's: a far past or future value saturates instead of trapping.
        let (left, overflow) = deadlineMilliseconds.subtractingReportingOverflow(WallClock.nowMilliseconds())
        self.deadline = ContinuousClock.now + .milliseconds(overflow ? (deadlineMilliseconds < 0 ? Int64.min : Int64.max) : left)
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.environment = environment
        self.logger = logger
    }

    /// Time left before Lambda stops the invocation (negative once past).
    public var remainingTime: Duration { deadline - ContinuousClock.now }
}

/// Unix time from the real-time clock, which Lambda's deadline header is expressed in.
public enum WallClock {
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    public static func nowSeconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
