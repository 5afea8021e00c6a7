import Clocks
import LambdaRuntimeAPI
import Logging

/// What a handler knows about the invocation it serves: built once per invocation from what the
/// Runtime API sent, the function's environment and a logger tagged with the request id.
public struct LambdaContext: Sendable {
    let metadata: InvocationMetadata
    /// The deadline on the monotonic clock, so wall-clock jumps cannot stretch it.
    public let deadline: ContinuousClock.Instant
    public let environment: LambdaEnvironment
    public var logger: Logger

    init(_ metadata: InvocationMetadata, environment: LambdaEnvironment, logger: Logger) {
        self.metadata = metadata
        // The header is the Runtime API's: a far past or future value saturates instead of trapping.
        let wanted = metadata.deadlineMilliseconds
        let (left, overflow) = wanted.subtractingReportingOverflow(WallClock.nowMilliseconds())
        self.deadline = ContinuousClock.now + .milliseconds(overflow ? (wanted < 0 ? Int64.min : Int64.max) : left)
        self.environment = environment
        self.logger = logger
    }

    /// A context as the loop would build it, for tests of handlers.
    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String? = nil,
        traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
        tenantID: String? = nil, environment: LambdaEnvironment = LambdaEnvironment(), logger: Logger
    ) {
        self.init(
            InvocationMetadata(
                requestID: requestID, deadlineMilliseconds: deadlineMilliseconds,
                invokedFunctionARN: invokedFunctionARN, traceID: traceID,
                clientContext: clientContext, cognitoIdentity: cognitoIdentity, tenantID: tenantID),
            environment: environment, logger: logger)
    }

    public var requestID: String { metadata.requestID }
    /// `Lambda-Runtime-Deadline-Ms`: the deadline as Unix epoch milliseconds.
    public var deadlineMilliseconds: Int64 { metadata.deadlineMilliseconds }
    public var invokedFunctionARN: String? { metadata.invokedFunctionARN }
    /// The X-Ray trace header of this invocation. With several invocations in flight it lives here
    /// only: `_X_AMZN_TRACE_ID` is process-wide and is then left unset.
    public var traceID: String? { metadata.traceID }
    /// `Lambda-Runtime-Aws-Tenant-Id`, for functions in tenant isolation mode.
    public var tenantID: String? { metadata.tenantID }
    public var clientContext: String? { metadata.clientContext }
    public var cognitoIdentity: String? { metadata.cognitoIdentity }

    /// Time left before Lambda stops the invocation (negative once past).
    public var remainingTime: Duration { deadline - ContinuousClock.now }
}
