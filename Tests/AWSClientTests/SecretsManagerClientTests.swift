@testable import AWSClient
import HTTP
import StrictJSON
import Testing
import TestSupport

@Suite struct SecretsManagerRequestTests {
    @Test func getSecretValueIsAJSONPostToTheRoot() throws {
        let id = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/\"quoted\"\\back\nline\u{1}-AbCdEf"
        let request = SecretsManagerClient.getSecretValueRequest(secretID: id, configuration: try configuration())
        #expect(request.method == "POST")
        #expect(request.url == "https://secretsmanager.eu-west-1.amazonaws.com/")
        #expect(request.headers == [
            HTTPHeader("X-Amz-Target", "secretsmanager.GetSecretValue"), HTTPHeader("Content-Type", "application/x-amz-json-1.1"),
        ])
        #expect(request.awsSigV4?.service == "secretsmanager")
        let document = try JSONDocument(parsing: request.body)
        #expect(document.members(of: document.root)?.count == 1)
        #expect(document.member("SecretId", of: document.root).flatMap(document.string) == id)
        #expect(String(decoding: request.body, as: UTF8.self).contains(#"\"quoted\"\\back\nline\u0001"#))
    }

    @Test func anOverrideKeepsItsBasePath() throws {
        let request = SecretsManagerClient.getSecretValueRequest(
            secretID: "s", configuration: try configuration(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000/base/"]))
        #expect(request.url == "http://127.0.0.1:5000/base/")
    }
}

@Suite struct SecretsManagerResponseTests {
    let secret = "hunter2-the-secret-value"

    func parse(_ status: Int, _ body: String, headers: [HTTPHeader] = []) -> Result<SecretValue, SecretsManagerError> {
        Result { () throws(SecretsManagerError) in
            try SecretsManagerClient.secretValue(from: HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), secretID: "webhook")
        }
    }

    @Test func theSecretStringIsReturnedAndNeverPrinted() throws {
        let value = try parse(200, #"{"ARN":"arn:x","Name":"webhook","SecretString":"\#(secret)","VersionId":"v-1","VersionStages":["AWSCURRENT"],"CreatedDate":1.7E9}"#).get()
        #expect(value.string == secret)
        #expect(value.versionID == "v-1")
        var dumped = ""
        dump(value, to: &dumped)
        for text in ["\(value)", String(reflecting: value), dumped] { #expect(!text.contains(secret)) }
    }

    @Test(arguments: [
        (400, #"{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}"#, [HTTPHeader](), SecretsManagerError.Reason.notFound, "ResourceNotFoundException", false),
        (400, #"{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","Message":"no"}"#, [], .accessDenied, "AccessDeniedException", false),
        (400, "{}", [HTTPHeader("x-amzn-ErrorType", "DecryptionFailure:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/")], .decryptionFailure, "DecryptionFailure", false),
        (400, #"{"__type":"ThrottlingException"}"#, [], .status(400), "ThrottlingException", true),
        (500, #"{"__type":"InternalServiceError"}"#, [], .status(500), "InternalServiceError", true),
        (400, #"{"__type":"InvalidRequestException"}"#, [], .status(400), "InvalidRequestException", false),
        (403, "<html>not json</html>", [], .status(403), nil, false),
        (503, "", [], .status(503), nil, true),
    ] as [(Int, String, [HTTPHeader], SecretsManagerError.Reason, String?, Bool)])
    func errorsAreTypedAndNameTheSecretAndTheAWSType(
        status: Int, body: String, headers: [HTTPHeader], reason: SecretsManagerError.Reason, type: String?, transient: Bool
    ) {
        guard case .failure(let error) = parse(status, body, headers: headers) else {
            Issue.record("expected an error")
            return
        }
        #expect(error == SecretsManagerError(secretID: "webhook", reason: reason, awsErrorType: type))
        #expect(error.isTransient == transient)
        #expect("\(error)".contains("\"webhook\""))
        if let type { #expect("\(error)".contains(type)) }
        #expect(!"\(error)".contains("can't find"), "AWS's message is not repeated")
    }

    @Test func binaryAndMalformedAnswersNeverQuoteTheBody() {
        #expect(parse(200, #"{"SecretBinary":"AAEC","Name":"webhook"}"#) == .failure(SecretsManagerError(secretID: "webhook", reason: .binarySecret)))
        for body in [#"{"SecretString":42}"#, #"["\#(secret)"]"#, #"{"SecretString":"\#(secret)""#, #"{"Name":"webhook"}"#, ""] {
            guard case .failure(let error) = parse(200, body), case .malformedResponse = error.reason else {
                Issue.record("expected a malformed response for \(body)")
                continue
            }
            #expect(!"\(error)".contains(secret) && !"\(error)".contains("42"))
            #expect(!error.isTransient)
        }
    }

    @Test func oneTransportForEveryCall() throws {
        let transport = ScriptedTransport([
            .success(HTTPResponse(status: 200, body: Array(#"{"SecretString":"a"}"#.utf8))), .failure(.connectFailed("refused")),
        ])
        let client = SecretsManagerClient(configuration: try configuration(), transport: transport)
        #expect(try client.getSecretValue("one").string == "a")
        #expect(throws: SecretsManagerError(secretID: "two", reason: .transport(.connectFailed("refused")))) { try client.getSecretValue("two") }
        #expect(transport.sent.count == 2)
    }
}
