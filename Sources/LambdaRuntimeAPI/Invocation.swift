import HTTP

/// One invocation as `GET /runtime/invocation/next` hands it over: its metadata and the event.
public struct Invocation: Sendable {
    public var metadata: InvocationMetadata
    public var event: [UInt8]

    public init(metadata: InvocationMetadata, event: [UInt8]) {
        self.metadata = metadata
        self.event = event
    }

    /// Reads the `Lambda-Runtime-*` headers of a `next` response.
    public init(headers: some HTTPHeaderLookup, event: [UInt8]) throws(RuntimeAPIError) {
        self.init(metadata: try InvocationMetadata(headers: headers), event: event)
    }
}
