import HTTP
import LambdaRuntimeAPI
import Testing

/// What each Runtime API call puts on the wire, checked as values (no network).
@Suite struct RuntimeAPIRequestsTests {
    let requests = RuntimeAPIRequests(endpoint: "127.0.0.1:9001")

    @Test func nextIsALongPollWithoutTimeLimit() {
        let request = requests.next()
        #expect(request.method == "GET")
        #expect(request.url == "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next")
        #expect(request.timeout == nil)
        #expect(request.body.isEmpty)
    }

    @Test func responsePostsTheBodyAsIs() {
        let request = requests.response(requestID: "8476a536", body: Array(#"{"ok":true}"#.utf8))
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9001/2018-06-01/runtime/invocation/8476a536/response")
        #expect(request.body == Array(#"{"ok":true}"#.utf8))
        #expect(request.headers.value(for: "Lambda-Runtime-Function-Error-Type") == nil)
        #expect(request.timeout == RuntimeAPIRequests.postTimeout)
    }

    @Test func errorsCarryTheirTypeInAHeaderAndTheReportAsJSON() {
        let report = ErrorReport(errorType: "WebhookDeliveryFailed", errorMessage: "1 upload notification not delivered")
        for (request, path) in [
            (requests.error(requestID: "r1", report: report), "/invocation/r1/error"),
            (requests.initError(report: report), "/init/error"),
        ] {
            #expect(request.method == "POST")
            #expect(request.url == "http://127.0.0.1:9001/2018-06-01/runtime" + path)
            #expect(request.headers.value(for: "lambda-runtime-function-error-type") == "WebhookDeliveryFailed")
            #expect(request.body == report.json)
        }
        #expect(String(decoding: report.json, as: UTF8.self)
            == #"{"errorMessage":"1 upload notification not delivered","errorType":"WebhookDeliveryFailed","stackTrace":[]}"#)
    }
}

/// The internal extension's two calls, as values: what makes Lambda send SIGTERM.
@Suite struct ExtensionsAPIRequestsTests {
    let requests = ExtensionsAPIRequests(endpoint: "127.0.0.1:9001")

    @Test func registerSubscribesToNoEventUnderOurName() {
        let request = requests.register()
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9001/2020-01-01/extension/register")
        #expect(request.headers.value(for: "Lambda-Extension-Name") == ExtensionsAPIRequests.extensionName)
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"events":[]}"#)
        #expect(request.timeout == RuntimeAPIRequests.postTimeout)
    }

    @Test func nextNamesTheExtensionAndWaitsWithoutLimit() {
        let request = requests.next(extensionID: "ext-1")
        #expect(request.method == "GET")
        #expect(request.url == "http://127.0.0.1:9001/2020-01-01/extension/event/next")
        #expect(request.headers.value(for: "Lambda-Extension-Identifier") == "ext-1")
        #expect(request.timeout == nil)
    }

    @Test func theIdentifierComesFromTheRegisterAnswer() throws {
        let answer = HTTPResponse(status: 200, headers: [HTTPHeader("Lambda-Extension-Identifier", "ext-1")])
        #expect(try ExtensionsAPIRequests.extensionID(from: answer) == "ext-1")
        #expect(throws: RuntimeAPIError.protocolViolation("extension/register answered without Lambda-Extension-Identifier")) {
            try ExtensionsAPIRequests.extensionID(from: HTTPResponse(status: 200))
        }
        #expect(throws: RuntimeAPIError.rejected(status: 403, body: "Extension.Forbidden")) {
            try ExtensionsAPIRequests.extensionID(from: HTTPResponse(status: 403, body: Array("Extension.Forbidden".utf8)))
        }
        #expect(throws: RuntimeAPIError.serverError(status: 500)) {
            try ExtensionsAPIRequests.extensionID(from: HTTPResponse(status: 500))
        }
    }
}
