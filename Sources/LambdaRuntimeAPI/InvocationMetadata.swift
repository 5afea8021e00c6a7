import HTTP

/// What `GET /runtime/invocation/next` says about an invocation, in its `Lambda-Runtime-*` headers.
public struct InvocationMetadata: Sendable, Equatable {
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: the deadline as Unix epoch milliseconds.
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String?
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    /// `Lambda-Runtime-Aws-Tenant-Id`: set for functions in tenant isolation mode.
    public var tenantID: String?

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String? = nil,
        traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
        tenantID: String? = nil
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.tenantID = tenantID
    }

    /// Reads the headers of a `next` response; the two the protocol requires must be there.
    public init(headers: some HTTPHeaderLookup) throws(RuntimeAPIError) {
        guard let requestID = headers.value(for: "Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty else {
            throw .protocolViolation("next answered without Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadline = headers.value(for: "Lambda-Runtime-Deadline-Ms").flatMap({ Int64($0) }) else {
            throw .protocolViolation("next answered without a numeric Lambda-Runtime-Deadline-Ms")
        }
        self.init(
            requestID: requestID, deadlineMilliseconds: deadline,
            invokedFunctionARN: headers.value(for: "Lambda-Runtime-Invoked-Function-Arn"),
            traceID: headers.value(for: "Lambda-Runtime-Trace-Id"),
            clientContext: headers.value(for: "Lambda-Runtime-Client-Context"),
            cognitoIdentity: headers.value(for: "Lambda-Runtime-Cognito-Identity"),
            tenantID: headers.value(for: "Lambda-Runtime-Aws-Tenant-Id"))
    }
}
