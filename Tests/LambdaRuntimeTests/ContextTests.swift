import Clocks
import Logging
import Testing

@testable import LambdaRuntime

@Suite struct ContextTests {
    @Test func remainingTimeFollowsTheDeadline() {
        let deadline = WallClock.nowMilliseconds() + 3000
        let context = LambdaContext(requestID: "r", deadlineMilliseconds: deadline, logger: Logger(label: "t"))
        #expect(context.remainingTime > .milliseconds(2500))
        #expect(context.remainingTime <= .milliseconds(3000))
    }

    @Test func pastDeadlineGivesNegativeRemainingTime() {
        let context = LambdaContext(requestID: "r", deadlineMilliseconds: WallClock.nowMilliseconds() - 1000, logger: Logger(label: "t"))
        #expect(context.remainingTime < .zero)
    }

    /// The deadline header is the Runtime API's; extreme values saturate instead of trapping.
    @Test(arguments: [Int64.min, Int64.min + 1, -1, 0, Int64.max])
    func extremeDeadlinesSaturate(milliseconds: Int64) {
        let context = LambdaContext(requestID: "r", deadlineMilliseconds: milliseconds, logger: Logger(label: "t"))
        #expect(milliseconds < 1_000_000_000_000 ? context.remainingTime < .zero : context.remainingTime > .seconds(1_000_000))
    }

    @Test func environmentComesFromLambdaVariables() {
        let environment = LambdaEnvironment([
            "AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/f",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/29/[$LATEST]abc", "AWS_REGION": "eu-west-1",
        ])
        #expect(environment == LambdaEnvironment(
            functionName: "f", functionVersion: "$LATEST", memoryLimitMB: 256, logGroupName: "/aws/lambda/f",
            logStreamName: "2026/11/29/[$LATEST]abc"))
    }
}
