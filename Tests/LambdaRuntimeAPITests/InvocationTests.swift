import HTTP
import Testing

import LambdaRuntimeAPI

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
        #expect(invocation.metadata.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(invocation.metadata.deadlineMilliseconds == 1_542_409_706_888)
        #expect(invocation.metadata.invokedFunctionARN == "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime")
        #expect(invocation.metadata.traceID?.hasPrefix("Root=1-5bef4de7") == true)
        #expect(invocation.metadata.clientContext == #"{"client":{}}"#)
        #expect(invocation.metadata.cognitoIdentity == #"{"cognitoIdentityId":"x"}"#)
        #expect(invocation.event == Array("{}".utf8))
    }

    @Test func tenantIsolationModeNamesTheTenant() throws {
        let invocation = try Invocation(
            headers: [
                HTTPHeader("Lambda-Runtime-Aws-Request-Id", "r"), HTTPHeader("Lambda-Runtime-Deadline-Ms", "1"),
                HTTPHeader("lambda-runtime-aws-tenant-id", "tenant-42"),
            ],
            event: [])
        #expect(invocation.metadata.tenantID == "tenant-42")
    }

    @Test func optionalHeadersMayBeAbsent() throws {
        let invocation = try Invocation(
            headers: [HTTPHeader("Lambda-Runtime-Aws-Request-Id", "r"), HTTPHeader("Lambda-Runtime-Deadline-Ms", "1")], event: [])
        #expect(invocation.metadata.traceID == nil)
        #expect(invocation.metadata.clientContext == nil)
        #expect(invocation.metadata.cognitoIdentity == nil)
        #expect(invocation.metadata.tenantID == nil)
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
