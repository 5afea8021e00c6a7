import AWSClient

/// ``ObjectHeadReader`` over S3's HeadObject.
struct S3ObjectHeads: ObjectHeadReader {
    let client: S3Client

    func headObject(bucket: String, key: String, versionID: String?) -> ObjectLookup {
        switch client.headObject(bucket: bucket, key: key, versionID: versionID) {
        case .found(let head):
            return .found(ObjectMetadata(
                contentType: head.contentType,
                userMetadata: head.userMetadata))
        case .notFound:
            return .gone
        case .failed(let failure):
            return .failed(problem: failure.description, transient: failure.isTransient)
        }
    }
}

/// ``SecretReader`` over Secrets Manager's GetSecretValue.
struct SecretsManagerSecrets: SecretReader {
    let client: SecretsManagerClient

    func secretValue(_ id: String) throws(SecretReadError) -> String {
        do {
            return try client.getSecretValue(id).string
        } catch {
            throw SecretReadError(secretID: id, problem: error.description, isTransient: error.isTransient)
        }
    }
}
