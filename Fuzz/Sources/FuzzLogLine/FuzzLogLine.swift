// The log line writer (`LambdaLogHandler`) through swift-log's `Logger`, in both formats, with a
// fuzzed message, request id, levels and metadata. Every line must be exactly one line: one "\n" at
// the end and no other "\n" or "\r"; Text has no control byte but tab; JSON is one object whose
// fields are what was logged.
//
// Input (binary): flags (bit 0: JSON; bits 1–3: handler level; bits 4–6: event level), message,
// request id (each a length byte then bytes), then metadata entries until the input ends: a byte
// (bit 0: on the handler, else on the event; bits 1–2: string, array, dictionary, convertible),
// key, value.
import Foundation
import FuzzSupport
import LambdaLogging
import Logging

nonisolated(unsafe) var written: [[UInt8]] = []

struct Convertible: CustomStringConvertible, Sendable {
    var description: String
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = ByteReader(inputBytes(data, size))
    let flags = reader.byte()
    let json = flags & 1 == 1
    let levels = Logger.Level.allCases
    let handlerLevel = levels[Int(flags >> 1 & 7) % levels.count]
    let eventLevel = levels[Int(flags >> 4 & 7) % levels.count]
    let message = text(reader.chunk())
    let requestIDBytes = reader.chunk()
    let requestID = requestIDBytes.isEmpty ? nil : text(requestIDBytes)

    var handlerMetadata: Logger.Metadata = [:]
    var eventMetadata: Logger.Metadata = [:]
    if let requestID { handlerMetadata["requestId"] = .string(requestID) }
    var entries = 0
    while !reader.isAtEnd && entries < 16 {
        entries += 1
        let kind = reader.byte()
        let key = text(reader.chunk())
        let raw = text(reader.chunk())
        let value: Logger.Metadata.Value
        switch kind >> 1 & 3 {
        case 0: value = .string(raw)
        case 1: value = .array([.string(raw), .string(key)])
        case 2: value = .dictionary([key: .string(raw)])
        default: value = .stringConvertible(Convertible(description: raw))
        }
        if kind & 1 == 1 { handlerMetadata[key] = value } else { eventMetadata[key] = value }
    }

    written.removeAll(keepingCapacity: true)
    let handler = LambdaLogHandler(format: json ? .json : .text, level: handlerLevel, write: { written.append($0) })
    var logger = Logger(label: "fuzz", factory: { _ in handler })
    for (key, value) in handlerMetadata { logger[metadataKey: key] = value }
    logger.log(level: eventLevel, "\(message)", metadata: eventMetadata.isEmpty ? nil : eventMetadata)

    guard eventLevel >= handlerLevel else {
        invariant(written.isEmpty, "a \(eventLevel) line written at level \(handlerLevel)")
        return 0
    }
    invariant(written.count == 1, "\(written.count) writes for one log call")
    let line = written[0]
    invariant(line.last == 0x0A, "the line does not end with a newline")
    invariant(!line.dropLast().contains(0x0A) && !line.contains(0x0D), "a line break inside the line: \(show(line))")
    if json {
        // The event's `requestId` over the handler's; either may have come from a metadata entry.
        let loggedRequestID = (eventMetadata["requestId"] ?? handlerMetadata["requestId"])?.description
        checkJSON(line, message: message, requestID: loggedRequestID,
                  handlerMetadata: handlerMetadata, eventMetadata: eventMetadata)
    } else {
        invariant(!line.dropLast().contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }, "a control byte in a Text line: \(show(line))")
    }
    return 0
}

/// One JSON object with the logged message, request id and metadata (`level`, `message`,
/// `timestamp` and `requestId` are the handler's own).
func checkJSON(_ line: [UInt8], message: String, requestID: String?, handlerMetadata: Logger.Metadata, eventMetadata: Logger.Metadata) {
    let object: Any
    do {
        object = try JSONSerialization.jsonObject(with: Data(line), options: [])
    } catch {
        fatalError("fuzz invariant violated: a JSON line Foundation cannot parse (\(error)): \(show(line))")
    }
    guard let fields = object as? [String: Any] else {
        fatalError("fuzz invariant violated: a JSON line that is not an object: \(show(line))")
    }
    // JSONSerialization drops a raw U+FEFF at the start of a string (a documented Foundation
    // difference, see the S3 target): values are compared only without one.
    var metadata = handlerMetadata.merging(eventMetadata) { $1 }
    metadata["requestId"] = nil
    let texts = [message, requestID ?? ""] + metadata.flatMap { [$0.key, $0.value.description] }
    guard !texts.contains(where: { $0.unicodeScalars.contains("\u{FEFF}") }) else { return }

    invariant(fields["message"] as? String == message, "message \(String(describing: fields["message"])) is not the one logged")
    invariant(fields["requestId"] as? String == requestID, "requestId \(String(describing: fields["requestId"])) is not \(String(describing: requestID))")
    invariant(fields["timestamp"] is String && fields["level"] is String, "no timestamp or level")
    for (key, value) in metadata where !["timestamp", "level", "message"].contains(key) {
        invariant(fields[key] as? String == value.description, "metadata \(key) is \(String(describing: fields[key])), logged \(value.description)")
    }
    let expectedCount = 3 + (requestID == nil ? 0 : 1) + metadata.keys.filter { !["timestamp", "level", "message"].contains($0) }.count
    invariant(fields.count == expectedCount, "\(fields.count) fields, expected \(expectedCount): \(show(line))")
}

func show(_ line: [UInt8]) -> String {
    line.prefix(400).map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
}
