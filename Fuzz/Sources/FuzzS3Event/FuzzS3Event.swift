// The S3 event decode (`S3Notification.decode`) over StrictJSON, and StrictJSON against Foundation's
// `JSONSerialization` for every input, through the differential tests' own oracle (JSONDifferential),
// whose documented differences are the only ones tolerated. A disagreement is a crash.
import Foundation
import FuzzSupport
import JSONDifferential
import S3Events
import StrictJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputBytes(data, size)
    checkS3Decode(input)
    // The oracle and its documented differences are the differential tests' (JSONDifferential).
    let verdict = Differential.verdict(input)
    if verdict.kind == .bug {
        fatalError("StrictJSON and JSONSerialization disagree: \(verdict.label): \(verdict.detail) on \(show(input))")
    }
    return 0
}

/// The decode throws only its typed errors, `notJSON` exactly when StrictJSON rejects the bytes,
/// and what it returns honours the model's promises.
func checkS3Decode(_ input: [UInt8]) {
    let parsed: JSONDocument?
    do { parsed = try JSONDocument(parsing: input) } catch { parsed = nil }
    do {
        switch try S3Notification.decode(input) {
        case .records(let records):
            invariant(parsed != nil, "decoded records from bytes StrictJSON rejects")
            invariant(!records.isEmpty, "decoded an empty Records array")
            for record in records {
                invariant(record.eventSource == "aws:s3", "decoded a record with eventSource \(String(describing: record.eventSource))")
                // The key decode may fail with its typed error, never trap.
                _ = try? record.s3.object.decodedKey()
            }
        case .test(let event):
            invariant(parsed != nil, "decoded a test event from bytes StrictJSON rejects")
            invariant(event.event == "s3:TestEvent", "decoded a test event with Event \(event.event)")
        }
    } catch {
        if case .notJSON = error {
            invariant(parsed == nil, "notJSON for bytes StrictJSON parses: \(error)")
        } else {
            invariant(parsed != nil, "\(error) for bytes StrictJSON rejects")
        }
        invariant(!error.description.isEmpty, "an S3EventError without a description")
    }
}

func show(_ input: [UInt8]) -> String {
    let hex = input.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    if input.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"\(text(input.prefix(512)))\" [\(hex)]" }
    return "[\(hex)]"
}
