import S3Events

// Encoding serves only the round-trip test (a decoded record, encoded again, must read back the
// same); `bootstrap` never encodes a record, so the conformances live here and not in S3Events.

/// A JSON member name.
struct Member: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer<Member> {
    mutating func encode(_ value: (some Encodable)?, _ name: String) throws {
        try encodeIfPresent(value, forKey: Member(name))
    }
}

extension S3EventRecord: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var members = encoder.container(keyedBy: Member.self)
        try members.encode(eventVersion, "eventVersion")
        try members.encode(eventSource, "eventSource")
        try members.encode(awsRegion, "awsRegion")
        try members.encode(eventTime, "eventTime")
        try members.encode(eventName, "eventName")
        try members.encode(userIdentity, "userIdentity")
        if let requestParameters {
            var nested = members.nestedContainer(keyedBy: Member.self, forKey: Member("requestParameters"))
            try nested.encode(requestParameters.sourceIPAddress, "sourceIPAddress")
        }
        if let responseElements {
            var nested = members.nestedContainer(keyedBy: Member.self, forKey: Member("responseElements"))
            try nested.encode(responseElements.requestID, "x-amz-request-id")
            try nested.encode(responseElements.hostID, "x-amz-id-2")
        }
        try members.encode(s3, "s3")
    }
}

extension S3Principal: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var members = encoder.container(keyedBy: Member.self)
        try members.encode(principalId, "principalId")
    }
}

extension S3Entity: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var members = encoder.container(keyedBy: Member.self)
        try members.encode(s3SchemaVersion, "s3SchemaVersion")
        try members.encode(configurationId, "configurationId")
        try members.encode(bucket, "bucket")
        try members.encode(object, "object")
    }
}

extension S3Bucket: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var members = encoder.container(keyedBy: Member.self)
        try members.encode(name, "name")
        try members.encode(arn, "arn")
        try members.encode(ownerIdentity, "ownerIdentity")
    }
}

extension S3Object: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var members = encoder.container(keyedBy: Member.self)
        try members.encode(key, "key")
        try members.encode(size, "size")
        try members.encode(eTag, "eTag")
        try members.encode(versionId, "versionId")
        try members.encode(sequencer, "sequencer")
    }
}
