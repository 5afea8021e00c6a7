// Kept out of LambdaRuntime so a handler that does not use Codable does not link Foundation's
// JSON coders (FoundationEssentials in `bootstrap`, and its start-up cost).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LambdaRuntime

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
