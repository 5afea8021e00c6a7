import Testing
import WebhookVerification

@testable import StandardWebhooks

@Suite struct WebhookSignerTests {
    /// The test vector published with the Standard Webhooks specification.
    @Test func matchesTheSpecTestVector() throws {
        let secret = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signer = WebhookSigner(secrets: [secret])
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signsWithEverySecretForRotation() throws {
        let secrets = try WebhookSecret.parseList("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw  whsec_" + String(repeating: "QUJD", count: 10))
        #expect(secrets.count == 2)
        let signature = WebhookSigner(secrets: secrets).signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        let parts = signature.split(separator: " ")
        #expect(parts.count == 2)
        #expect(parts[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(parts[1].hasPrefix("v1,") && parts[1] != parts[0])
        // Either key verifies on its own: a receiver that knows only the new secret accepts it.
        for secret in secrets {
            try WebhookVerifier(secrets: [secret]).verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signature: signature, body: Array(#"{"test": 2432232314}"#.utf8), now: 1_614_265_330)
        }
    }

    @Test(arguments: [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WebhookSecretError.missingPrefix),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", .invalidBase64),  // not a multiple of 4
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w", .invalidBase64),  // base64url alphabet
        ("whsec_MfKQ9r8GKYqrTwjUPD8I LPZIo2LaLaSw", .invalidBase64),
        ("whsec_QUJDREVGR0g=", .tooShort(bytes: 8)),
        ("whsec_QR==", .invalidBase64),  // non-canonical trailing bits
        ("whsec_", .tooShort(bytes: 0)),
    ])
    func secretsAreParsedStrictly(text: String, error: WebhookSecretError) {
        #expect(throws: error) { try WebhookSecret(parsing: text) }
    }

    @Test func emptyListIsRefused() {
        #expect(throws: WebhookSecretError.empty) { try WebhookSecret.parseList("   ") }
    }

    @Test func errorsNeverQuoteTheSecret() {
        do {
            _ = try WebhookSecret(parsing: "whsec_c2VjcmV0LXNlY3JldA==")
        } catch {
            #expect(!error.description.contains("c2VjcmV0"))
        }
    }

    @Test func encodedFormRoundTrips() throws {
        let secret = WebhookSecret(key: Array(repeating: 7, count: 32))
        #expect(try WebhookSecret(parsing: secret.encoded) == secret)
    }
}

@Suite struct WebhookVerifierTests {
    let secret = WebhookSecret(key: Array("a-key-that-is-long-enough-to-use".utf8))
    let body = Array(#"{"type":"audio_file.uploaded"}"#.utf8)

    func signed(_ timestamp: Int64 = 1_700_000_000) -> String {
        WebhookSigner(secrets: [secret]).signature(id: "upl_1", timestamp: timestamp, body: body)
    }

    @Test func acceptsAGenuineSignature() throws {
        try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: "1700000000", signature: signed(), body: body, now: 1_700_000_100)
    }

    @Test func rejectsATamperedBody() {
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: "1700000000", signature: signed(), body: body + [32], now: 1_700_000_000)
        }
    }

    @Test func rejectsAnotherID() {
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try WebhookVerifier(secrets: [secret]).verify(id: "upl_2", timestamp: "1700000000", signature: signed(), body: body, now: 1_700_000_000)
        }
    }

    @Test func rejectsStaleTimestamps() {
        #expect(throws: WebhookVerificationError.timestampOutsideTolerance) {
            try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: "1700000000", signature: signed(), body: body, now: 1_700_000_301)
        }
    }

    /// Header values come from whoever sends the request: none may trap the verifier.
    @Test(arguments: [
        ("-9223372036854775808", WebhookVerificationError.malformedTimestamp),
        ("9223372036854775807", .timestampOutsideTolerance),
        ("99999999999999999999", .malformedTimestamp),
        ("0", .timestampOutsideTolerance),
        ("-1", .malformedTimestamp),
        ("+1700000000", .malformedTimestamp),
        (" 1700000000", .malformedTimestamp),
        ("1700000000 ", .malformedTimestamp),
        ("17e8", .malformedTimestamp),
        ("١٧٠٠٠٠٠٠٠٠", .malformedTimestamp),
        ("", .malformedTimestamp),
    ])
    func extremeOrMalformedTimestampsAreTypedErrors(timestamp: String, error: WebhookVerificationError) {
        for now in [Int64.min, -1, 0, 1_700_000_000, Int64.max] {
            #expect(throws: WebhookVerificationError.self) {
                try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: timestamp, signature: signed(), body: body, now: now)
            }
        }
        #expect(throws: error) {
            try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: timestamp, signature: signed(), body: body, now: 1_700_000_000)
        }
    }

    @Test func hugeMalformedOrNonASCIISignatureListsAreRejectedNotTrapped() {
        let lists = [
            String(repeating: "v1,AAAA ", count: 20_000),
            String(repeating: "v1, ", count: 1000) + "v2,xyz v1,===",
            "v1,\u{0}\u{7F}é🎵 v1,",
            String(repeating: " ", count: 10_000),
        ]
        for list in lists {
            #expect(throws: WebhookVerificationError.noMatchingSignature) {
                try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: "1700000000", signature: list, body: body, now: 1_700_000_000)
            }
        }
        // A genuine signature among junk still verifies.
        #expect(throws: Never.self) {
            try WebhookVerifier(secrets: [secret]).verify(
                id: "upl_1", timestamp: "1700000000", signature: "v1,AAAA junk " + signed(), body: body, now: 1_700_000_000)
        }
    }

    @Test func rejectsMissingHeaders() {
        #expect(throws: WebhookVerificationError.missingHeader("webhook-signature")) {
            try WebhookVerifier(secrets: [secret]).verify(id: "upl_1", timestamp: "1700000000", signature: nil, body: body, now: 1_700_000_000)
        }
    }

    @Test func digestsMatchKnownAnswers() {
        // FIPS 180-2 "abc" and RFC 4231 test case 2.
        #expect(Digest.sha256(Array("abc".utf8)).map { String(format: $0) } .joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).map { String(format: $0) }.joined()
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

private extension String {
    init(format byte: UInt8) {
        let hex = String(byte, radix: 16)
        self = hex.count == 1 ? "0" + hex : hex
    }
}

@Suite struct HMACSHA256KeyTests {
    /// The keyed context is restarted for every message: each code must equal a fresh one-shot HMAC,
    /// whatever came before (longer, shorter, empty messages).
    @Test func everyMessageIsAuthenticatedFromAFreshStart() {
        let key = Array("whsec-key-material-of-32-bytes!!".utf8)
        let hmac = HMACSHA256Key(key)
        for message in ["a", String(repeating: "long ", count: 300), "", "a", "é🎵"].map({ Array($0.utf8) }) {
            #expect(hmac.authenticationCode(for: message) == Digest.hmacSHA256(key: key, message: message))
        }
    }

    /// RFC 4231 test case 2.
    @Test func matchesRFC4231() {
        let code = HMACSHA256Key(Array("Jefe".utf8)).authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(code.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
