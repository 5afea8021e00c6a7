import HTTP
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import LambdaRuntime

@Suite struct InvocationHeaderTests {
    @Test func readsEveryRuntimeHeader() throws {
        let invocation = try Invocation(
            headers: [
                HTTPHeader("lambda-runtime-aws-request-id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
                HTTPHeader("Lambda-Runtime-Deadline-Ms", "1542409706888"),
                HTTPHeader("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
                HTTPHeader("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
                HTTPHeader("Lambda-Runtime-Client-Context", #"{"client":{}}"#),
                HTTPHeader("Lambda-Runtime-Cognito-Identity", #"{"cognitoIdentityId":"x"}"#),
            ],
            event: Array("{}".utf8))
        #expect(invocation.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(invocation.deadlineMilliseconds == 1_542_409_706_888)
        #expect(invocation.invokedFunctionARN == "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime")
        #expect(invocation.traceID?.hasPrefix("Root=1-5bef4de7") == true)
        #expect(invocation.clientContext == #"{"client":{}}"#)
        #expect(invocation.cognitoIdentity == #"{"cognitoIdentityId":"x"}"#)
        #expect(invocation.event == Array("{}".utf8))
    }

    @Test func optionalHeadersMayBeAbsent() throws {
        let invocation = try Invocation(
            headers: [HTTPHeader("Lambda-Runtime-Aws-Request-Id", "r"), HTTPHeader("Lambda-Runtime-Deadline-Ms", "1")], event: [])
        #expect(invocation.traceID == nil)
        #expect(invocation.clientContext == nil)
        #expect(invocation.cognitoIdentity == nil)
    }

    @Test func missingRequestIDIsAProtocolViolation() {
        #expect(throws: RuntimeAPIError.self) {
            try Invocation(headers: [HTTPHeader("Lambda-Runtime-Deadline-Ms", "1")], event: [])
        }
    }

    @Test func nonNumericDeadlineIsAProtocolViolation() {
        #expect(throws: RuntimeAPIError.protocolViolation("next answered without a numeric Lambda-Runtime-Deadline-Ms")) {
            try Invocation(headers: [HTTPHeader("Lambda-Runtime-Aws-Request-Id", "r"), HTTPHeader("Lambda-Runtime-Deadline-Ms", "soon")], event: [])
        }
    }
}

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
            logStreamName: "2026/11/29/[$LATEST]abc", region: "eu-west-1"))
    }
}

@Suite struct EnvironmentVariablesTests {
    // Reads only: setenv here would race with other tests' threads reading the environment.
    @Test func readsTheProcessEnvironmentOnDemand() throws {
        let path = try #require(getenv("PATH").map { String(cString: $0) })
        #expect(EnvironmentVariables()["PATH"] == path)
        #expect(EnvironmentVariables()["AUN_TEST_VARIABLE_THAT_IS_NEVER_SET"] == nil)
    }

    @Test func fixedValuesIgnoreTheProcess() {
        #expect(EnvironmentVariables(["PATH": "x"])["PATH"] == "x")
        #expect(EnvironmentVariables([:])["PATH"] == nil)
    }
}
