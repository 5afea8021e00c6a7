// An object key from an S3 event, as the notifier takes it apart: the form-URL decode
// (`S3KeyEncoding.decode`), the key grammar (`UploadKey.parse`) and the record decision
// (`RecordClassifier.classify`).
//
// Input: text lines `key`, `prefix`, `bucket`, `allowed buckets (space-separated)`, `eventName`,
// `versionId`, `sequencer`; the key is still encoded. Missing lines take the deployed defaults.
import FuzzSupport
import S3Events
import UploadNotifier

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = fields(inputBytes(data, size), limit: 7)
    let encoded = text(lines[0] ?? [])
    let prefix = lines[1].map(text) ?? "audio-files/"
    let bucket = lines[2].map(text) ?? "uploads"
    let allowed = Set((lines[3].map(text) ?? "").split(separator: " ").map(String.init))
    let eventName = lines[4].map(text) ?? "ObjectCreated:Put"
    let versionID = lines[5].map(text)
    let sequencer = lines[6].map(text)

    let decoded = checkKeyDecode(encoded)
    if let decoded { checkParse(decoded, prefix: prefix) }
    // The prefix as given too: the same grammar over the undecoded text.
    checkParse(encoded, prefix: prefix)

    let record = S3EventRecord(
        eventName: eventName,
        s3: S3Entity(bucket: S3Bucket(name: bucket), object: S3Object(key: encoded, versionId: versionID, sequencer: sequencer)))
    checkClassify(record, decoded: decoded, prefix: prefix, allowed: allowed)
    return 0
}

/// The decode: identity without `+` or `%`, never longer than its input, undone by re-encoding,
/// and a malformed escape reported at the `%` it starts with.
func checkKeyDecode(_ encoded: String) -> String? {
    let bytes = Array(encoded.utf8)
    do {
        let decoded = try S3KeyEncoding.decode(encoded)
        if !bytes.contains(UInt8(ascii: "+")) && !bytes.contains(UInt8(ascii: "%")) {
            invariant(Array(decoded.utf8) == bytes, "a key without + or % changed in decoding")
        }
        invariant(decoded.utf8.count <= bytes.count, "decoding made the key longer")
        let again = try? S3KeyEncoding.decode(formEncode(decoded))
        invariant(again.map { Array($0.utf8) } == Array(decoded.utf8), "re-encoding the decoded key does not decode back to it")
        return decoded
    } catch {
        switch error {
        case .invalidPercentEscape(let offset):
            invariant(bytes.indices.contains(offset) && bytes[offset] == UInt8(ascii: "%"), "malformed escape reported at \(offset), not at a %")
            let next = bytes[(offset + 1)...].prefix(2)
            invariant(next.count < 2 || !next.allSatisfy(isHexDigit), "a well-formed %-escape at \(offset) reported malformed")
        case .invalidUTF8:
            invariant(bytes.contains(UInt8(ascii: "%")), "invalid UTF-8 from a key without %-escapes")
        }
        invariant(!error.description.isEmpty, "an error without a description")
        return nil
    }
}

/// The grammar `{prefix}{userId}/temp/{fileName}`: a parsed key is its parts put back together.
func checkParse(_ key: String, prefix: String) {
    let keyBytes = Array(key.utf8)
    switch UploadKey.parse(key, prefix: prefix) {
    case .success(let upload):
        let user = Array(upload.userID.utf8), name = Array(upload.fileName.utf8), id = Array(upload.fileID.utf8)
        invariant(keyBytes == Array(prefix.utf8) + user + Array("/temp/".utf8) + name, "the parts do not make up the key")
        for segment in [user, name] {
            invariant(!segment.isEmpty && !segment.contains(UInt8(ascii: "/")), "an empty segment or one with a /")
            invariant(segment != [0x2E] && segment != [0x2E, 0x2E], "a relative path segment")
            invariant(!segment.contains { $0 < 0x20 || $0 == 0x7F }, "a segment with a C0 control or DEL")
            invariant(!String(decoding: segment, as: UTF8.self).unicodeScalars.contains { (0x80...0x9F).contains($0.value) },
                      "a segment with a C1 control")
        }
        invariant(!id.isEmpty, "an empty fileId")
        let expected: [UInt8]
        if let ext = upload.fileExtension {
            invariant(!ext.isEmpty && !ext.utf8.contains(UInt8(ascii: ".")), "extension \(ext) is empty or has a dot")
            expected = id + [0x2E] + Array(ext.utf8)
        } else {
            expected = name.last == 0x2E ? id + [0x2E] : id
            invariant(name.last == 0x2E || !name.contains(0x2E), "a dotted file name without an extension")
        }
        invariant(name == expected, "fileId and extension do not make up the file name")
    case .failure(let reason):
        invariant((reason == .outsidePrefix) == !keyBytes.starts(with: prefix.utf8), "outsidePrefix is wrong: \(reason)")
        invariant(!reason.description.isEmpty, "a skip reason without a description")
    }
}

/// The decision follows from the parts, in order; a webhook id is `upl_` and 43 base64url characters.
func checkClassify(_ record: S3EventRecord, decoded: String?, prefix: String, allowed: Set<String>) {
    let decision = RecordClassifier.classify(record, prefix: prefix, allowedBuckets: allowed)
    guard let decoded else {
        guard case .skip(let key, .malformedKeyEncoding) = decision, key == record.s3.object.key else {
            fatalError("fuzz invariant violated: a key that does not decode gave \(decision)")
        }
        return
    }
    switch decision {
    case .notify(let notification):
        invariant(Array(notification.key.utf8) == Array(decoded.utf8), "the notification's key is not the decoded key")
        invariant(record.eventName?.utf8.starts(with: "ObjectCreated:".utf8) == true, "notified for \(String(describing: record.eventName))")
        invariant(allowed.isEmpty || allowed.contains(record.s3.bucket.name), "notified for a bucket not allowed")
        invariant(UploadKey.parse(decoded, prefix: prefix) == .success(notification.upload), "the notification's upload is not the parsed key")
        let id = Array(notification.webhookID.utf8)
        invariant(id.count == 47 && id.starts(with: "upl_".utf8), "webhook id \(notification.webhookID) is malformed")
        invariant(id.dropFirst(4).allSatisfy { isBase64URL($0) }, "webhook id \(notification.webhookID) has a character outside base64url")
        invariant(notification.webhookID == WebhookID.make(
            bucket: record.s3.bucket.name, key: decoded, versionID: record.s3.object.versionId, sequencer: record.s3.object.sequencer),
            "the webhook id is not deterministic")
    case .skip(let key, let reason):
        invariant(Array(key.utf8) == Array(decoded.utf8), "a skip names another key than the decoded one")
        if case .malformedKeyEncoding = reason { fatalError("fuzz invariant violated: a decodable key skipped as malformed encoding") }
    }
}

/// What S3 writes: a space as `+`, `+` and `%` escaped; everything else may stay as it is.
func formEncode(_ key: String) -> String {
    var out: [UInt8] = []
    for byte in key.utf8 {
        switch byte {
        case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
        case UInt8(ascii: "+"): out += Array("%2B".utf8)
        case UInt8(ascii: "%"): out += Array("%25".utf8)
        default: out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

func isHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
}

func isBase64URL(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
}
