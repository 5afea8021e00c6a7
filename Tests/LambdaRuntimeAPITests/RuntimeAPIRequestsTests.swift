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
