#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Serves one invocation: the event's bytes in, the response's bytes out.
///
/// Throwing reports an invocation error to Lambda (conform the error to ``LambdaFunctionError``
/// to choose its `errorType`); the process lives on and serves the next invocation.
public protocol LambdaHandler {
    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8]
}

/// A handler with typed JSON input and output on top of ``LambdaHandler``.
public protocol JSONLambdaHandler: LambdaHandler {
    associatedtype Event: Decodable
    associatedtype Output: Encodable
    func handle(_ event: Event, context: LambdaContext) throws -> Output
}

extension JSONLambdaHandler {
    public func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        let decoded: Event
        do {
            decoded = try JSONDecoder().decode(Event.self, from: Data(event))
        } catch {
            throw EventDecodingError(eventType: "\(Event.self)", underlying: "\(error)")
        }
        return Array(try JSONEncoder().encode(try handle(decoded, context: context)))
    }
}

/// The event's JSON does not match what a ``JSONLambdaHandler`` expects.
public struct EventDecodingError: LambdaFunctionError {
    public var eventType: String
    public var underlying: String
    public var errorType: String { "InvalidEvent" }
    public var errorMessage: String { "the event is not a valid \(eventType): \(underlying)" }
}
