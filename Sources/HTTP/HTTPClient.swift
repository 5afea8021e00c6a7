import CCurl
import CertificateTrust
import Clocks
import CTrustStore
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Sends one request and waits for its response: what the runtime and the notifier need of HTTP.
/// ``HTTPClient`` is the implementation `bootstrap` ships; the protocol lets a benchmark swap in another.
public protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}

/// A blocking HTTP/1.1 client over one libcurl easy handle.
///
/// Reusing the handle keeps libcurl's connection and DNS caches, so consecutive requests to the
/// same host ride one keep-alive connection. Not thread-safe: one client per thread of work.
/// Redirects are never followed, so credentials in headers never reach another host. HTTPS peers
/// are verified against `trust` (certificate and host name, TLS 1.2 or later); verification cannot
/// be turned off.
public final class HTTPClient: HTTPTransport {
    private let handle: UnsafeMutableRawPointer
    private let trust: TrustStore?
    private let sink = ResponseSink()
    /// libcurl writes a failure's detail here; allocated once, as the handle keeps its address.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerLine: [UInt8] = []
    private var parsedURLs = ParsedURLs()

    /// - Parameter trust: the CA store for HTTPS. Nil leaves libcurl's built-in default, which the
    ///   static `bootstrap` does not have: a client without a store then talks plain HTTP only (the
    ///   Runtime API), and any HTTPS peer fails verification.
    public init(trust: TrustStore? = nil) throws(HTTPError) {
        guard curlGlobalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw .transport("libcurl could not be initialised")
        }
        self.handle = handle
        self.trust = trust
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        sink.handle = handle
        // What every request shares is set once: the handle keeps options across transfers, and a
        // reset and ~20 options per request cost more than the request's own headers (callgrind).
        var ok = true
        ok = ok && ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1) == CURLE_OK
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        ok = ok && ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer) == CURLE_OK
        ok = ok && ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, receiveHeader) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer) == CURLE_OK
        if let trust {
            ok = ok && ccurl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)) == CURLE_OK
            // No CA file for libcurl to load whole: the bundle is consulted through the lookup below.
            ok = ok && ccurl_setopt_string(handle, CURLOPT_CAINFO, nil) == CURLE_OK
            ok = ok && ccurl_setopt_string(handle, CURLOPT_CAPATH, trust.directories) == CURLE_OK
            if let bundle = trust.bundleFile.flatMap({ TrustBundles.shared.bundle(at: $0) }) {
                ok = ok && ccurl_setopt_ssl_ctx_callback(handle, installTrustBundle) == CURLE_OK
                ok = ok && ccurl_setopt_pointer(handle, CURLOPT_SSL_CTX_DATA, UnsafeMutableRawPointer(bundle)) == CURLE_OK
            }
        }
        // Fully initialised by now: throwing runs deinit, which frees the handle and the buffer.
        guard ok else { throw .transport("libcurl rejected an option this client needs") }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// libcurl's own account of what it is built with, e.g. "libcurl/7.88.1 OpenSSL/3.0.22 c-ares/1.18.1":
    /// in a static binary, the versions an advisory has to be checked against.
    public static var libraryVersions: String { String(cString: curl_version()) }

    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // "Name: value" and a NUL, built in one buffer kept across requests (libcurl copies each
        // line). Taken out of the property for the loop: one exclusivity check, not one per append.
        var line: [UInt8] = []
        swap(&line, &headerLine)
        defer { swap(&line, &headerLine) }
        let signing = request.awsSigV4
        let isSigned = signing != nil
        // A plain loop, not a nested function: one that captured `line` and `headerList` would box
        // them, and every append would pay a dynamic exclusivity check.
        let headers = isSigned
            ? request.headers + (signing?.credentials.sessionToken.map { [HTTPHeader("X-Amz-Security-Token", $0)] } ?? [])
            : request.headers
        for header in headers {
            guard Self.isSafeHeader(header) else {
                throw .invalidRequest("header \(header.name) contains a line break")
            }
            line.removeAll(keepingCapacity: true)
            header.name.withUTF8Bytes { line.append(contentsOf: $0) }
            line.append(UInt8(ascii: ":"))
            line.append(UInt8(ascii: " "))
            header.value.withUTF8Bytes { line.append(contentsOf: $0) }
            line.append(0)
            headerList = line.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { curl_slist_append(headerList, $0.baseAddress) }
            }
        }
        let isGET = request.method == "GET"
        // HEAD goes through CURLOPT_NOBODY: as a custom method libcurl would wait for the body its
        // Content-Length announces, which a HEAD response never sends.
        let isHEAD = request.method == "HEAD"
        guard !isHEAD || request.body.isEmpty else { throw .invalidRequest("a HEAD request has no body") }
        if !isGET && !isHEAD && !isSigned {
            // libcurl would otherwise wait for "100 Continue" before sending large bodies. Not on a
            // signed request: libcurl 7.88.1 signs every line of CURLOPT_HTTPHEADER, this empty one
            // (which only suppresses the header) included, so AWS would find "expect" in
            // SignedHeaders but no such header. 7.88.1 adds "Expect" only past 1 MiB (http.h
            // EXPECT_100_THRESHOLD), unsigned, which AWS accepts.
            headerList = curl_slist_append(headerList, "Expect:")
        }

        sink.reset(limit: request.maximumResponseBytes)
        var ok = true
        ok = ok && ccurl_setopt_string(handle, CURLOPT_URL, request.url) == CURLE_OK
        // A signed request's path is sent and signed as given: SigV4 for S3 signs the path without
        // normalisation, and an S3 key may hold "." and ".." segments that RFC 3986 would remove.
        let parsed = parsedURLs.parsed(request.url, pathAsIs: isSigned)
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_CURLU, parsed) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.map(Self.milliseconds) ?? 0) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)) == CURLE_OK
        ok = ok && ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) == CURLE_OK
        let customMethod = isGET || isHEAD || request.method == "POST" ? nil : request.method
        ok = ok && ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, customMethod) == CURLE_OK
        guard ok else { throw .invalidRequest("libcurl rejected an option for \(request.method) request") }
        if let signing {
            guard let provider = signing.curlProvider else {
                throw .invalidRequest("AWS SigV4 region \"\(signing.region)\" or service \"\(signing.service)\" is not a lower-case name")
            }
            // Setting CURLOPT_AWS_SIGV4 also makes it the handle's only authentication method.
            ok = ok && ccurl_setopt_string(handle, CURLOPT_AWS_SIGV4, provider) == CURLE_OK
            ok = ok && ccurl_setopt_string(handle, CURLOPT_USERNAME, signing.credentials.accessKeyID) == CURLE_OK
            ok = ok && ccurl_setopt_string(handle, CURLOPT_PASSWORD, signing.credentials.secretAccessKey) == CURLE_OK
            guard ok else {
                clearSigning()
                throw .invalidRequest("libcurl rejected the AWS SigV4 options (is it built without AWS SigV4?)")
            }
        }
        // The handle keeps options across transfers (no curl_easy_reset): the key pair is cleared
        // after a signed transfer, so the next, unsigned one cannot send it (as Basic
        // authentication, to whatever host), and libcurl's copies of the secret do not linger.
        defer { if isSigned { clearSigning() } }

        errorBuffer[0] = 0
        let code: CURLcode = request.body.withUnsafeBufferPointer { body in
            if isGET {
                _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)  // also ends a previous POST
            } else if isHEAD {
                _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
            } else {
                // POSTFIELDS with an explicit size sends exactly these bytes, zeros included.
                _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
                _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                let bytes = UnsafeMutableRawPointer(mutating: body.baseAddress) ?? emptyBody
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bytes)
            }
            let code = curl_easy_perform(handle)
            // Neither the body nor the header list outlives this call: the handle must not keep them.
            if isHEAD {
                // Would make the next request a HEAD too; HTTPGET and POST reset it, a custom method not.
                _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 0)
            } else if !isGET {
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
            }
            return code
        }
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        guard code == CURLE_OK else {
            if code == CURLE_WRITE_ERROR && sink.overflowed {
                throw .transport("the response body is larger than \(request.maximumResponseBytes) bytes")
            }
            var error = Self.error(for: code, detail: String(cString: errorBuffer))
            if code == CURLE_PEER_FAILED_VERIFICATION, let path = trust?.bundleFile,
               let note = TrustBundles.shared.readFailure(at: path) {
                error = .connectFailed("\(error.detail) (\(note))")
            }
            throw error
        }

        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.takeHeaders(), body: sink.takeBody())
    }

    /// Back to an unsigned handle: no SigV4 provider, no user name or password, and libcurl's default
    /// authentication method (Basic; without a user name it sends nothing).
    private func clearSigning() {
        _ = ccurl_setopt_string(handle, CURLOPT_AWS_SIGV4, nil)
        _ = ccurl_setopt_string(handle, CURLOPT_USERNAME, nil)
        _ = ccurl_setopt_string(handle, CURLOPT_PASSWORD, nil)
        _ = ccurl_setopt_long(handle, CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC, a cast macro Swift cannot import
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        // libcurl treats 0 as "no limit": never let a tiny positive limit become that.
        max(1, Int(duration.wholeMilliseconds))
    }

    private static func isSafeHeader(_ header: HTTPHeader) -> Bool {
        func contains(_ byte: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil  // vectorised in libc
        }
        return !header.name.isEmpty
            && !header.name.withUTF8Bytes { contains(13, $0) || contains(10, $0) || contains(58, $0) }
            && !header.value.withUTF8Bytes { contains(13, $0) || contains(10, $0) }
    }

    private static func error(for code: CURLcode, detail fromBuffer: String) -> HTTPError {
        let detail = fromBuffer.isEmpty ? String(cString: curl_easy_strerror(code)) : fromBuffer
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION:
            return .connectFailed(detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(detail)
        default:
            return .transport(detail)
        }
    }
}

/// libcurl's CURLOPT_SSL_CTX_FUNCTION: called for each new TLS context, before its handshake.
private let installTrustBundle: curl_ssl_ctx_callback = { _, sslContext, bundle in
    guard let sslContext, let bundle else { return CURLE_SSL_CERTPROBLEM }
    return trust_bundle_install(sslContext, OpaquePointer(bundle)) == 1 ? CURLE_OK : CURLE_SSL_CERTPROBLEM
}

private nonisolated(unsafe) let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// URLs this client requests again and again (the Runtime API's `next`, the webhook), parsed once.
///
/// Given a URL as text, libcurl parses it and prints it back whole for every transfer, a byte at a time
/// through its printf, which cost more than the request's headers. Handed a
/// parsed URL (CURLOPT_CURLU), it copies that instead. A few recent URLs are kept, most recent first;
/// the once-only ones (a response's path holds its request id) pass through and drop out.
private struct ParsedURLs: ~Copyable {
    private var entries: [(url: String, pathAsIs: Bool, handle: OpaquePointer)] = []
    private static let capacity = 4

    /// The parsed form of `url`, or nil when libcurl cannot parse it (the transfer then reports why).
    /// `pathAsIs` keeps "." and ".." segments (CURLU_PATH_AS_IS) instead of resolving them.
    mutating func parsed(_ url: String, pathAsIs: Bool = false) -> UnsafeMutableRawPointer? {
        if let index = entries.firstIndex(where: { $0.url == url && $0.pathAsIs == pathAsIs }) {
            if index > 0 { entries.insert(entries.remove(at: index), at: 0) }
            return UnsafeMutableRawPointer(entries[0].handle)
        }
        guard let handle = curl_url() else { return nil }
        guard curl_url_set(handle, CURLUPART_URL, url, pathAsIs ? UInt32(CURLU_PATH_AS_IS) : 0) == CURLUE_OK else {
            curl_url_cleanup(handle)
            return nil
        }
        if entries.count == Self.capacity { curl_url_cleanup(entries.removeLast().handle) }
        entries.insert((url, pathAsIs, handle), at: 0)
        return UnsafeMutableRawPointer(handle)
    }

    deinit {
        for entry in entries { curl_url_cleanup(entry.handle) }
    }
}

/// Collects one response's headers and body from libcurl's callbacks.
private final class ResponseSink {
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    /// The transfer's handle, for its Content-Length.
    var handle: UnsafeMutableRawPointer?
    /// The request's `maximumResponseBytes`, and whether the body went past it.
    var limit = Int.max
    var overflowed = false

    /// Empties both for the next response, keeping their capacity: a response that took them keeps
    /// its own copy, and the sink gets new buffers of the size responses needed so far.
    func reset(limit: Int) {
        headers.removeAll()
        body.removeAll(keepingCapacity: true)
        self.limit = limit
        overflowed = false
    }

    func takeHeaders() -> HTTPHeaders { headers }

    func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }
}

private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length <= sink.limit - sink.body.count else {
        sink.overflowed = true
        return 0  // libcurl ends the transfer with CURLE_WRITE_ERROR
    }
    if sink.body.isEmpty, let handle = sink.handle {
        // Size the body once, from Content-Length, instead of growing it by doubling.
        var expected: curl_off_t = -1
        if ccurl_getinfo_offset(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected) == CURLE_OK,
           expected > length, expected <= min(maximumReservedBody, curl_off_t(sink.limit)) {
            sink.body.reserveCapacity(Int(expected))
        }
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

/// Lambda's payload limit is 6 MB; never let a header make us reserve more than a little beyond.
private let maximumReservedBody: curl_off_t = 8 << 20

private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { start in
        if length >= 5, memcmp(start, "HTTP/", 5) == 0 {
            sink.headers.removeAll()  // a new response (e.g. after 100 Continue)
        } else {
            sink.headers.append(line: UnsafeBufferPointer(start: start, count: length))
        }
    }
    return length
}
