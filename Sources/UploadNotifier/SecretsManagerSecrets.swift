import AWSClient

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
