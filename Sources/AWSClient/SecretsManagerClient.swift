import HTTP
import Retrying
import TextBytes
import StrictJSON

/// A secret's text. Its description is redacted, so logging the value by mistake shows no secret.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The SecretString.
    public let string: String
    public let versionID: String?

    public init(string: String, versionID: String? = nil) {
        self.string = string
        self.versionID = versionID
    }

    public var description: String { "SecretValue(<redacted \(string.utf8.count) bytes>, versionID: \(versionID ?? "none"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}

/// Why GetSecretValue gave no SecretString. Names the secret id and AWS's error type; never the
/// response body, which on success is the secret itself, nor AWS's message.
public struct SecretsManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// ResourceNotFoundException.
        case notFound
        /// AccessDeniedException: the role may not read the secret (or use its KMS key).
        case accessDenied
        /// DecryptionFailure: KMS could not decrypt it with the secret's key.
        case decryptionFailure
        /// The secret holds SecretBinary, not SecretString.
        case binarySecret
        /// A 200 answer that is not the documented JSON object.
        case malformedResponse(String)
        /// Any other error answer.
        case status(Int)
        case transport(HTTPError)
    }

    public var secretID: String
    public var reason: Reason
    /// AWS's error type ("ResourceNotFoundException"), from x-amzn-ErrorType or the body's `__type`.
    public var awsErrorType: String?

    public init(secretID: String, reason: Reason, awsErrorType: String? = nil) {
        self.secretID = secretID
        self.reason = reason
        self.awsErrorType = awsErrorType
    }

    /// Throttling, AWS's internal errors and no answer at all may pass; the rest needs a change.
    public var isTransient: Bool {
        if let awsErrorType, Self.transientTypes.contains(awsErrorType) { return true }
        switch reason {
        case .status(let status): return RetryPolicy.isRetryable(status: status)
        case .transport(let error): return AWSRetry.isTransient(error)
        case .notFound, .accessDenied, .decryptionFailure, .binarySecret, .malformedResponse: return false
        }
    }

    static let transientTypes: Set<String> = [
        "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "InternalServiceError",
        "InternalFailure", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException",
    ]

    public var description: String {
        let type = awsErrorType.map { " (\($0))" } ?? ""
        let what = switch reason {
        case .notFound: "no such secret\(type): check the id or ARN and the region"
        case .accessDenied: "access denied\(type): the function's role needs secretsmanager:GetSecretValue on it (and kms:Decrypt on its key)"
        case .decryptionFailure: "KMS could not decrypt it\(type): check the key policy of the secret's KMS key"
        case .binarySecret: "it holds a binary secret (SecretBinary), not a SecretString"
        case .malformedResponse(let detail): "unexpected answer: \(detail)"
        case .status(let status): "HTTP \(status)\(type)"
        case .transport(let error): "no answer: \(error)"
        }
        return "GetSecretValue \"\(secretID)\": \(what)"
    }
}

/// Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol) over one HTTP connection.
public struct SecretsManagerClient {
    public let configuration: AWSConfiguration
    public let timeout: Duration
    private let transport: any HTTPTransport

    /// - Parameter transport: kept for every call, so its keep-alive connection is reused.
    public init(configuration: AWSConfiguration, transport: any HTTPTransport, timeout: Duration = .seconds(10)) {
        self.configuration = configuration
        self.transport = transport
        self.timeout = timeout
    }

    /// The current SecretString of `secretID` (a name or an ARN).
    public func getSecretValue(_ secretID: String) throws(SecretsManagerError) -> SecretValue {
        let response: HTTPResponse
        do {
            response = try transport.send(Self.getSecretValueRequest(secretID: secretID, configuration: configuration, timeout: timeout))
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
