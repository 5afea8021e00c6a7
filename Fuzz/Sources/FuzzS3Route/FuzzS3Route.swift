// Route detection and envelope decoding (`S3EventRouter.route`): typed errors only, and two
// differentials. Against `S3Notification.decode`: whatever the direct decode accepts is the direct
// route with the same notification (an event is never taken for another route's). Against
// Foundation's `JSONSerialization`: an EventBridge record's key reads back as the key EventBridge
// wrote, byte for byte (no URL-decoding, README "EventBridge").
import Foundation
import FuzzSupport
import JSONDifferential
import S3EventRoutes
import S3Events
import StrictJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputBytes(data, size)
    let parsed: JSONDocument?
    do { parsed = try JSONDocument(parsing: input) } catch { parsed = nil }
    let routed: RoutedEvent
    do {
        routed = try S3EventRouter.route(input)
    } catch {
        if case .notification(.notJSON) = error {
            invariant(parsed == nil, "notJSON for bytes StrictJSON parses")
        } else {
            invariant(parsed != nil, "\(error) for bytes StrictJSON rejects")
        }
        invariant(!error.description.isEmpty, "an S3RouteError without a description")
        checkDirectDecodeAgrees(input, parsed, routed: nil)
        return 0
    }
    invariant(parsed != nil, "routed bytes StrictJSON rejects")
    checkDirectDecodeAgrees(input, parsed, routed: routed)
    switch routed {
    case .sqsBatch(let messages):
        invariant(!messages.isEmpty, "an empty SQS batch")
        invariant(messages.allSatisfy { !$0.messageID.isEmpty }, "an SQS message without an id")
        invariant(messages.count == parsed.flatMap { $0.member("Records", of: $0.root) }.flatMap { parsed!.elements(of: $0)?.count }, "SQS messages and Records differ in number")
    case .notification(.records(let records), .eventBridge):
        invariant(records.count == 1, "an EventBridge event read as \(records.count) records")
        checkEventBridgeKey(input, records[0])
    case .notification(.records(let records), _):
        invariant(records.allSatisfy { $0.eventSource == "aws:s3" }, "a record not from S3")
    case .notification(.test(let event), _):
        invariant(event.event == "s3:TestEvent", "a test event with Event \(event.event)")
    }
    return 0
}

/// The direct decode succeeds exactly when the route is direct with the same notification, unless
/// the event also claims a route that can carry an upload, which routing checks first: the first
/// record claims SNS (`EventSource`), or a test event also has EventBridge's `detail-type` (README,
/// "Routes and batches": a test event is never taken over a shape that may hold an upload).
func checkDirectDecodeAgrees(_ input: [UInt8], _ parsed: JSONDocument?, routed: RoutedEvent?) {
    guard let direct = try? S3Notification.decode(input) else {
        if case .notification(_, .direct)? = routed { invariant(false, "direct route for an event S3Notification.decode rejects") }
        return
    }
    if case .test = direct, let parsed, parsed.member("detail-type", of: parsed.root) != nil {
        switch routed {
        case .notification(_, .eventBridge)?, nil: return  // nil: EventBridge's own typed error
        default: invariant(false, "a test event with detail-type routed as \(String(describing: routed)), not EventBridge")
        }
    }
    if let parsed, let records = parsed.member("Records", of: parsed.root), let first = parsed.elements(of: records)?.first,
        parsed.member("EventSource", of: first).flatMap(parsed.string) == "aws:sns" {
        return
    }
    invariant(routed == .notification(direct, route: .direct), "S3Notification.decode accepts, routing gives \(String(describing: routed))")
}

/// The record's decoded key is JSONSerialization's reading of `detail.object.key`. Foundation drops
/// a raw U+FEFF at the start of a string, where `\uFEFF` is the same text (`Differential`, class 4):
/// it reads the input with every raw U+FEFF escaped.
func checkEventBridgeKey(_ input: [UInt8], _ record: S3EventRecord) {
    let foundationInput = Differential.escapingRawByteOrderMarks(input) ?? input
    guard let root = try? JSONSerialization.jsonObject(with: Data(foundationInput), options: [.fragmentsAllowed]) as? [String: Any],
        let key = ((root["detail"] as? [String: Any])?["object"] as? [String: Any])?["key"] as? String
    else { return }  // Foundation's other documented differences (a leading BOM, UTF-16, …) are FuzzS3Event's concern
    invariant((try? record.s3.object.decodedKey()).map { Array($0.utf8) } == Array(key.utf8), "EventBridge key \(key) does not read back")
}
