// Standard Webhooks: secret parsing (`WebhookSecret(parsing:)`, `WebhookSecret.parseList`) and
// signature verification (`WebhookVerifier.verify`), against the signer.
//
// Input: text lines `secrets (space-separated whsec_…)`, `webhook-id`, `webhook-timestamp`,
// `webhook-signature`, `now (Unix seconds)`, then the body (the rest, newlines included). A missing
// line is a missing header.
import FuzzSupport
import StandardWebhooks
import WebhookVerification

/// Used when the input's secrets do not parse, so that verification is still exercised.
let fallbackSecret = WebhookSecret(key: Array("fuzzing-fallback-secret-key-32b!".utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = fields(inputBytes(data, size), limit: 6)
    let secretsText = text(lines[0] ?? [])
    let id = lines[1].map(text), timestamp = lines[2].map(text), signature = lines[3].map(text)
    let now = lines[4].flatMap { Int64(text($0)) } ?? 1_700_000_000
    let body = lines[5] ?? []

    let secrets = checkSecrets(secretsText) ?? [fallbackSecret]
    let verifier = WebhookVerifier(secrets: secrets)

    // Whatever arrives: a typed error or success, and success only for a signature we would make.
    do {
        try verifier.verify(id: id, timestamp: timestamp, signature: signature, body: body, now: now)
        guard let id, let timestamp, let signature, let sent = unixSeconds(timestamp) else {
            fatalError("fuzz invariant violated: verified without a well-formed id, timestamp and signature")
        }
        invariant(!id.isEmpty, "verified an empty webhook-id")
        invariant(now.subtractingReportingOverflow(sent).overflow == false
            && now.subtractingReportingOverflow(sent).partialValue.magnitude <= 300, "verified a timestamp outside the window")
        let candidates = Set(signature.split(separator: " ").map(String.init))
        invariant(secrets.contains { candidates.contains(WebhookSigner(secrets: [$0]).signature(id: id, timestamp: sent, body: body)) },
                  "verified a signature none of the secrets makes")
    } catch {
        invariant(!error.description.isEmpty, "an error without a description")
    }

    // Round trip: what the signer makes verifies, and not for another body.
    if let id, !id.isEmpty, let sent = timestamp.flatMap(unixSeconds),
        !now.subtractingReportingOverflow(sent).overflow, now.subtractingReportingOverflow(sent).partialValue.magnitude <= 300
    {
        let signer = WebhookSigner(secrets: secrets)
        let made = signer.signature(id: id, timestamp: sent, body: body)
        do {
            try verifier.verify(id: id, timestamp: String(sent), signature: made, body: body, now: now)
        } catch {
            fatalError("fuzz invariant violated: our own signature does not verify: \(error)")
        }
        do {
            try verifier.verify(id: id, timestamp: String(sent), signature: made, body: body + [0], now: now)
            fatalError("fuzz invariant violated: a signature verified for another body")
        } catch {
            invariant(error == .noMatchingSignature, "another body failed with \(error), not noMatchingSignature")
        }
    }
    return 0
}

/// Strict whsec_ parsing: an accepted secret is canonical (it re-encodes to the same text) and long
/// enough; the list accepts exactly when every part does.
func checkSecrets(_ list: String) -> [WebhookSecret]? {
    let parts = list.split(separator: " ").map(String.init)
    var parsedParts: [WebhookSecret] = []
    var allParse = true
    for part in parts {
        do {
            let secret = try WebhookSecret(parsing: part)
            invariant(secret.key.count >= WebhookSecret.minimumKeyBytes, "accepted a \(secret.key.count)-byte key")
            invariant(secret.encoded == part, "accepted a non-canonical secret: \(part) re-encodes as \(secret.encoded)")
            parsedParts.append(secret)
        } catch {
            allParse = false
        }
    }
    do {
        let secrets = try WebhookSecret.parseList(list)
        invariant(allParse && !parts.isEmpty && secrets == parsedParts, "parseList accepted what the parts do not give")
        return secrets
    } catch {
        invariant(!allParse || parts.isEmpty, "parseList rejected a list of good secrets: \(error)")
        return nil
    }
}

/// The spec's timestamp: ASCII digits only, at most 19, fitting an Int64.
func unixSeconds(_ text: String) -> Int64? {
    guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
    return Int64(text)
}
