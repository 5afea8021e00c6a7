// A generic handler that echoes its invocation back, to exercise the runtime without the product.
// The event is a JSON object; see the README's "echo-lambda" section for the keys it obeys.
import Clocks
import FoundationEssentials
import LambdaRuntime
import ProcessEnvironment

struct EchoInitFailure: LambdaFunctionError {
    var errorMessage: String
    var errorType: String { "EchoInitFailure" }
}

struct EchoError: LambdaFunctionError {
    var errorType: String
    var errorMessage: String
}

/// Any JSON value, so the echo can return the event unchanged.
indirect enum JSONValue: Codable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

struct EchoReply: Encodable {
    struct Context: Encodable {
        var requestId: String
        var invokedFunctionArn: String?
        var traceId: String?
        var deadlineMs: Int64
        var remainingMs: Int64
        var clientContext: String?
        var cognitoIdentity: String?
        var functionName: String?
        var functionVersion: String?
        var memoryLimitMB: Int?
        var logGroupName: String?
        var logStreamName: String?

        // Absent values are written as null, not left out.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(requestId, forKey: .requestId)
            try c.encode(invokedFunctionArn, forKey: .invokedFunctionArn)
            try c.encode(traceId, forKey: .traceId)
            try c.encode(deadlineMs, forKey: .deadlineMs)
            try c.encode(remainingMs, forKey: .remainingMs)
            try c.encode(clientContext, forKey: .clientContext)
            try c.encode(cognitoIdentity, forKey: .cognitoIdentity)
            try c.encode(functionName, forKey: .functionName)
            try c.encode(functionVersion, forKey: .functionVersion)
            try c.encode(memoryLimitMB, forKey: .memoryLimitMB)
            try c.encode(logGroupName, forKey: .logGroupName)
            try c.encode(logStreamName, forKey: .logStreamName)
        }

        enum CodingKeys: CodingKey {
            case requestId, invokedFunctionArn, traceId, deadlineMs, remainingMs, clientContext
            case cognitoIdentity, functionName, functionVersion, memoryLimitMB, logGroupName, logStreamName
        }
    }

    var event: JSONValue
    var traceEnv: String?
    var context: Context

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        try c.encode(traceEnv, forKey: .traceEnv)
        try c.encode(context, forKey: .context)
    }

    enum CodingKeys: CodingKey { case event, traceEnv, context }
}

struct EchoHandler: LambdaHandler, LambdaHandlerFactory {
    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        guard case .object(let fields) = try? JSONDecoder().decode(JSONValue.self, from: Data(event)) else {
            throw EchoError(errorType: "InvalidEvent", errorMessage: "the event is not a JSON object")
        }
        if case .string(let message) = fields["throw"] {
            var errorType = "EchoError"
            if case .string(let name) = fields["errorType"] { errorType = name }
            throw EchoError(errorType: errorType, errorMessage: message)
        }
        if case .number(let milliseconds) = fields["sleepMs"] {
            // Tells a test the invocation is in the handler, not still on its way from `next`.
            context.logger.info("sleeping", metadata: ["ms": "\(Int(milliseconds))"])
            Pause.sleep(.milliseconds(Int(milliseconds)))
        }
        if case .number(let count) = fields["responseBytes"] {
            return Array("\"\(String(repeating: "x", count: max(0, Int(count))))\"".utf8)
        }
        context.logger.info("echoing", metadata: ["bytes": "\(event.count)"])
        let remaining = context.remainingTime.components
        let reply = EchoReply(
            event: .object(fields),
            traceEnv: EnvironmentVariables()["_X_AMZN_TRACE_ID"],
            context: .init(
                requestId: context.requestID, invokedFunctionArn: context.invokedFunctionARN,
                traceId: context.traceID, deadlineMs: context.deadlineMilliseconds,
                remainingMs: remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000,
                clientContext: context.clientContext, cognitoIdentity: context.cognitoIdentity,
                functionName: context.environment.functionName,
                functionVersion: context.environment.functionVersion,
                memoryLimitMB: context.environment.memoryLimitMB,
                logGroupName: context.environment.logGroupName,
                logStreamName: context.environment.logStreamName))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(reply))
    }
}

LambdaRuntime.run { setup in
    if let message = setup.variables["ECHO_FAIL_INIT"] {
        throw EchoInitFailure(errorMessage: message)
    }
    return EchoHandler()
}
