/// The four calls of the Lambda Runtime API `2018-06-01` a runtime makes. The loop is written
/// against this protocol, so its retry, rejection and shutdown paths are tested with a fake.
public protocol RuntimeAPI {
    /// Long-polls for the next invocation.
    func next() throws(RuntimeAPIError) -> Invocation
    func sendResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError)
    func sendError(requestID: String, report: ErrorReport) throws(RuntimeAPIError)
    func sendInitError(report: ErrorReport) throws(RuntimeAPIError)
}
