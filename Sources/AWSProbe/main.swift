// aws-probe: calls AWSClient once and prints the outcome as one JSON line. For tests only, never
// deployed (like echo-lambda). Reads AWS_* from the environment, as the notifier will.
//
//   aws-probe head-object BUCKET KEY [VERSION_ID]
//   aws-probe get-secret SECRET_ID [--print-sha256]
//
// A secret's value is never printed: its length always, its SHA-256 with --print-sha256 (tests
// compare it with the value they stored; a hash of a guessable secret can be brute-forced, so it
// is opt-in). Exit codes: 0 found, 3 not found, 4 persistent failure, 5 transient failure,
// 2 configuration error, 64 usage.
import AWSClient
import CertificateTrust
import CLibCrypto
import HTTP
import TextBytes
import Threads

#if canImport(Glibc)
import Glibc
#endif

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

func emit(_ fields: [(String, Field)], exitCode: Int32) -> Never {
    var out: [UInt8] = [UInt8(ascii: "{")]
    for (index, (name, value)) in fields.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        JSONText.appendString(name, to: &out)
        out.append(UInt8(ascii: ":"))
        value.append(to: &out)
    }
    out.append(contentsOf: Array("}\n".utf8))
    // write(2), not stdio: `stdout` is shared mutable state to Swift 6.
    WholeLineWriter.standardOutput(out)
    exit(exitCode)
}

enum Field {
    case string(String?), int(Int?), bool(Bool), pairs([(String, String)])

    func append(to out: inout [UInt8]) {
        switch self {
        case .string(let value?): JSONText.appendString(value, to: &out)
        case .int(let value?): out.append(contentsOf: Array(String(value).utf8))
        case .string(nil), .int(nil): out.append(contentsOf: Array("null".utf8))
        case .bool(let value): out.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .pairs(let pairs):
            out.append(UInt8(ascii: "["))
            for (index, (name, value)) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSONText.appendString(name, to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendString(value, to: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
    }
}

func sha256Hex(_ text: String) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBufferPointer { clibcrypto_sha256($0.baseAddress, $0.count, &digest) }
    var hex: [UInt8] = []
    for byte in digest { ASCII.appendHex(byte, uppercase: false, to: &hex) }
    return String(decoding: hex, as: UTF8.self)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: aws-probe head-object BUCKET KEY [VERSION_ID] | get-secret SECRET_ID [--print-sha256]"
guard let command = arguments.first, ["head-object", "get-secret"].contains(command) else {
    emit([("outcome", .string("usage")), ("error", .string(usage))], exitCode: 64)
}

let configuration: AWSConfiguration
let transport: HTTPClient
do {
    configuration = try AWSConfiguration(environment: environment)
    // Plain-HTTP endpoints (moto) need no CA store; AWS's need the system's.
    let needsTrust = configuration.s3Endpoint.scheme == "https" || configuration.secretsManagerEndpoint.scheme == "https"
    transport = try HTTPClient(trust: needsTrust ? TrustStore.locate(environment: environment) : nil)
} catch {
    emit([("outcome", .string("configurationError")), ("error", .string("\(error)"))], exitCode: 2)
}

func failure(_ description: String, transient: Bool, fields: [(String, Field)]) -> Never {
    emit([("outcome", .string("failed"))] + fields + [("transient", .bool(transient)), ("error", .string(description))], exitCode: transient ? 5 : 4)
}

switch command {
case "head-object":
    guard (3...4).contains(arguments.count) else { emit([("outcome", .string("usage")), ("error", .string(usage))], exitCode: 64) }
    let versionID = arguments.count == 4 ? arguments[3] : nil
    switch S3Client(configuration: configuration, transport: transport).headObject(bucket: arguments[1], key: arguments[2], versionID: versionID) {
    case .found(let head):
        emit([
            ("outcome", .string("found")), ("contentType", .string(head.contentType)), ("contentLength", .int(head.contentLength)),
            ("eTag", .string(head.eTag)), ("versionId", .string(head.versionID)),
            ("metadata", .pairs(head.userMetadata.map { ($0.name, $0.value) })),
        ], exitCode: 0)
    case .notFound:
        emit([("outcome", .string("notFound"))], exitCode: 3)
    case .failed(let problem):
        var status: Int?
        if case .status(let code) = problem.reason { status = code }
        failure("\(problem)", transient: problem.isTransient, fields: [("status", .int(status)), ("bucketRegion", .string(problem.bucketRegion))])
    }
default:
    let printSHA256 = arguments.count == 3 && arguments[2] == "--print-sha256"
    guard arguments.count == 2 || printSHA256 else { emit([("outcome", .string("usage")), ("error", .string(usage))], exitCode: 64) }
    do {
        let secret = try SecretsManagerClient(configuration: configuration, transport: transport).getSecretValue(arguments[1])
        emit([
            ("outcome", .string("found")), ("length", .int(secret.string.utf8.count)), ("versionId", .string(secret.versionID)),
            ("sha256", .string(printSHA256 ? sha256Hex(secret.string) : nil)),
        ], exitCode: 0)
    } catch {
        var status: Int?
        if case .status(let code) = error.reason { status = code }
        let kind = switch error.reason {
        case .notFound: "notFound"
        case .accessDenied: "accessDenied"
        case .decryptionFailure: "decryptionFailure"
        case .binarySecret: "binarySecret"
        case .malformedResponse: "malformedResponse"
        case .status: "status"
        case .transport: "transport"
        }
        if case .notFound = error.reason {
            emit([("outcome", .string("notFound")), ("awsErrorType", .string(error.awsErrorType)), ("error", .string("\(error)"))], exitCode: 3)
        }
        failure("\(error)", transient: error.isTransient, fields: [("reason", .string(kind)), ("status", .int(status)), ("awsErrorType", .string(error.awsErrorType))])
    }
}
