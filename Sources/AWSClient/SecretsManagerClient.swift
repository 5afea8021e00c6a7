import HTTP
import Retrying
import StrictJSON
import TextBytes

/// Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol) over one HTTP connection.
public struct SecretsManagerClient {
    private let connection: AWSConnection

    /// - Parameter transport: kept for every call, so its keep-alive connection is reused.
    public init(configuration: AWSConfiguration, transport: any HTTPTransport, timeout: Duration = .seconds(10)) {
        connection = AWSConnection(configuration: configuration, transport: transport, timeout: timeout)
    }

    /// The current SecretString of `secretID` (a name or an ARN).
    public func getSecretValue(_ secretID: String) throws(SecretsManagerError) -> SecretValue {
        let response: HTTPResponse
        do {
            response = try connection.transport.send(Self.getSecretValueRequest(secretID: secretID, configuration: connection.configuration, timeout: connection.timeout))
        } catch {
            throw SecretsManagerError(secretID: secretID, reason: .transport(error))
        }
        return try Self.secretValue(from: response, secretID: secretID)
    }

    static func getSecretValueRequest(secretID: String, configuration: AWSConfiguration, timeout: Duration = .seconds(10)) -> HTTPRequest {
        var body = Array(#"{"SecretId":"#.utf8)
        JSONText.appendString(secretID, to: &body)
        body.append(UInt8(ascii: "}"))
        return HTTPRequest(
            method: "POST", url: configuration.secretsManagerEndpoint.url + "/",
            headers: [
                HTTPHeader("X-Amz-Target", "secretsmanager.GetSecretValue"),
                HTTPHeader("Content-Type", "application/x-amz-json-1.1"),
            ],
            body: body, timeout: timeout, maximumResponseBytes: 1 << 20, awsSigV4: configuration.signing(for: .secretsManager))
    }

    static func secretValue(from response: HTTPResponse, secretID: String) throws(SecretsManagerError) -> SecretValue {
        func fail(_ reason: SecretsManagerError.Reason, _ type: String? = nil) -> SecretsManagerError {
            SecretsManagerError(secretID: secretID, reason: reason, awsErrorType: type)
        }
        // Parsed once for both outcomes; a syntax error's detail is not kept, as it could quote
        // a byte of the secret.
        let document = try? JSONDocument(parsing: response.body)
        guard response.status == 200 else {
            let type = errorType(headers: response.headers, document: document)
            switch type {
            case "ResourceNotFoundException": throw fail(.notFound, type)
            case "AccessDeniedException": throw fail(.accessDenied, type)
            case "DecryptionFailure": throw fail(.decryptionFailure, type)
            default: throw fail(.status(response.status), type)
            }
        }
        guard let document, document.kind(of: document.root) == .object else {
            throw fail(.malformedResponse("the body is not a JSON object"))
        }
        let versionID = document.member("VersionId", of: document.root).flatMap(document.string)
        if let value = document.member("SecretString", of: document.root), !document.isNull(value) {
            guard let string = document.string(value) else { throw fail(.malformedResponse("SecretString is not a string")) }
            return SecretValue(string: string, versionID: versionID)
        }
        if document.member("SecretBinary", of: document.root) != nil { throw fail(.binarySecret) }
        throw fail(.malformedResponse("neither SecretString nor SecretBinary"))
    }

    /// The JSON protocols' error type: x-amzn-ErrorType, else the body's `__type` (or `code`), with
    /// a namespace ("com.amazonaws.secretsmanager#") and a trailing ":http://…" removed, as the SDKs do.
    static func errorType(headers: HTTPHeaders, document: JSONDocument?) -> String? {
        var raw = headers.value(for: "x-amzn-ErrorType")
        if raw == nil, let document {
            raw = (document.member("__type", of: document.root) ?? document.member("code", of: document.root)).flatMap(document.string)
        }
        guard var type = raw.map({ Substring($0) }) else { return nil }
        if let colon = type.firstIndex(of: ":") { type = type[..<colon] }
        if let hash = type.lastIndex(of: "#") { type = type[type.index(after: hash)...] }
        return type.isEmpty ? nil : String(type)
    }
}
