// The Runtime API's `next` response headers into an `Invocation`, and the `LambdaContext` made from
// its deadline (a far past or future `Lambda-Runtime-Deadline-Ms` must saturate, not trap).
//
// Input: header lines `Name: value`, one per line (a line without a colon is not a field, as in
// `HTTPHeaders`). The first 8 bytes also serve as a raw big-endian deadline.
import Clocks
import FuzzSupport
import HTTP
import LambdaRuntime
import LambdaRuntimeAPI
import Logging

#if canImport(Glibc)
import Glibc
#endif

let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputBytes(data, size)
    var list: [HTTPHeader] = []
    for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        // Values without surrounding whitespace, as `HTTPHeaders` hands them out.
        list.append(HTTPHeader(text(line[..<colon]), text(trimmed(line[(colon + 1)...]))))
    }
    let headers = HTTPHeaders(list)
    invariant(headers.count == list.count, "HTTPHeaders kept \(headers.count) of \(list.count) fields")
    invariant(headers.all == list, "HTTPHeaders.all is not the fields it was made of")

    // The two HTTPHeaderLookup conformances must read the same invocation.
    let fromList = Result { () throws(RuntimeAPIError) in try Invocation(headers: list, event: input) }
    let fromHeaders = Result { () throws(RuntimeAPIError) in try Invocation(headers: headers, event: input) }
    switch (fromList, fromHeaders) {
    case (.success(let a), .success(let b)):
        invariant(a.metadata == b.metadata && a.event == b.event, "[HTTPHeader] and HTTPHeaders read different invocations")
        invariant(!a.metadata.requestID.isEmpty, "an invocation without a request id")
        invariant(a.metadata.requestID == list.value(for: "lambda-runtime-aws-request-id"), "the request id is not the header's")
        invariant(list.value(for: "LAMBDA-RUNTIME-DEADLINE-MS").flatMap { Int64($0) } == a.metadata.deadlineMilliseconds,
                  "the deadline is not the header's")
        checkContext(a.metadata, deadline: a.metadata.deadlineMilliseconds)
    case (.failure(let a), .failure(let b)):
        invariant(a == b, "[HTTPHeader] and HTTPHeaders fail differently: \(a) / \(b)")
        invariant(!a.description.isEmpty, "an error without a description")
    default:
        fatalError("fuzz invariant violated: [HTTPHeader] and HTTPHeaders disagree: \(fromList) / \(fromHeaders)")
    }

    // Any Int64 as a deadline, the extremes included.
    var raw: UInt64 = 0
    for byte in input.prefix(8) { raw = raw << 8 | UInt64(byte) }
    let stub = Result { () throws(RuntimeAPIError) in
        try Invocation(headers: [HTTPHeader("Lambda-Runtime-Aws-Request-Id", "r"), HTTPHeader("Lambda-Runtime-Deadline-Ms", "0")], event: [])
    }
    if case .success(let invocation) = stub { checkContext(invocation.metadata, deadline: Int64(bitPattern: raw)) }
    return 0
}

/// The context's deadline lies on the right side of now, whatever the header said.
func checkContext(_ metadata: InvocationMetadata, deadline: Int64) {
    let before = WallClock.nowMilliseconds()
    let context = LambdaContext(
        requestID: metadata.requestID, deadlineMilliseconds: deadline,
        invokedFunctionARN: metadata.invokedFunctionARN, traceID: metadata.traceID,
        clientContext: metadata.clientContext, cognitoIdentity: metadata.cognitoIdentity, logger: logger)
    let remaining = context.remainingTime
    invariant(context.deadlineMilliseconds == deadline, "the context changed the deadline")
    if deadline < before - 1000 { invariant(remaining < .zero, "deadline \(deadline) is past but \(remaining) remain") }
    if deadline > before + 60_000 { invariant(remaining > .seconds(50), "deadline \(deadline) is ahead but only \(remaining) remain") }
}

func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
    var slice = bytes
    while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
    while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
    return slice
}
