import CCurl
import CTrustStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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
    private let trustBundle: OpaquePointer?
    private let sink = ResponseSink()
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    private var headerLine: [UInt8] = []

    /// - Parameter trust: the CA store for HTTPS. Nil leaves libcurl's built-in default, which the
    ///   static `bootstrap` does not have: a client without a store then talks plain HTTP only (the
    ///   Runtime API), and any HTTPS peer fails verification.
    public init(trust: TrustStore? = nil) throws(HTTPError) {
        guard curlGlobalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw .transport("libcurl could not be initialised")
        }
        self.handle = handle
        self.trust = trust
        self.trustBundle = trust?.bundleFile.flatMap { TrustBundles.shared.bundle(at: $0) }
    }

    deinit {
        curl_easy_cleanup(handle)
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
        for header in request.headers {
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
        // libcurl would otherwise wait for "100 Continue" before sending bodies over 1 KiB.
        headerList = curl_slist_append(headerList, "Expect:")

        sink.reset()
        curl_easy_reset(handle)  // keeps live connections and the DNS cache
        var ok = true
        ok = ok && ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        ok = ok && ccurl_setopt_string(handle, CURLOPT_URL, request.url) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.map(Self.milliseconds) ?? 0) == CURLE_OK
        ok = ok && ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)) == CURLE_OK
        ok = ok && ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) == CURLE_OK
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        ok = ok && ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer) == CURLE_OK
        ok = ok && ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, receiveHeader) == CURLE_OK
        ok = ok && ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer) == CURLE_OK
        if let trust {
            ok = ok && ccurl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)) == CURLE_OK
            // No CA file for libcurl to load whole: the bundle is consulted through the lookup below.
            ok = ok && ccurl_setopt_string(handle, CURLOPT_CAINFO, nil) == CURLE_OK
            ok = ok && ccurl_setopt_string(handle, CURLOPT_CAPATH, trust.directories) == CURLE_OK
            if let trustBundle {
                ok = ok && ccurl_setopt_ssl_ctx_callback(handle, installTrustBundle) == CURLE_OK
                ok = ok && ccurl_setopt_pointer(handle, CURLOPT_SSL_CTX_DATA, UnsafeMutableRawPointer(trustBundle)) == CURLE_OK
            }
        }
        guard ok else { throw .invalidRequest("libcurl rejected an option for \(request.method) request") }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorBytes in
            errorBytes[0] = 0
            _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBytes.baseAddress)
            return request.body.withUnsafeBufferPointer { body in
                switch request.method {
                case "GET":
                    _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                default:
                    // POSTFIELDS with an explicit size sends exactly these bytes, zeros included.
                    _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
                    _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    let bytes = UnsafeMutableRawPointer(mutating: body.baseAddress) ?? emptyBody
                    _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bytes)
                    if request.method != "POST" {
                        _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                    }
                }
                return curl_easy_perform(handle)
            }
        }
        // The error buffer must not outlive this call's pointer.
        _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        guard code == CURLE_OK else {
            var error = Self.error(for: code, detail: errorBuffer)
            if code == CURLE_PEER_FAILED_VERIFICATION, let path = trust?.bundleFile,
               let note = TrustBundles.shared.readFailure(at: path) {
                error = .connectFailed("\(error.detail) (\(note))")
            }
            throw error
        }

        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        // libcurl treats 0 as "no limit": never let a tiny positive limit become that.
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
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

    private static func error(for code: CURLcode, detail buffer: [CChar]) -> HTTPError {
        let fromBuffer = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
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

/// Collects one response's headers and body from libcurl's callbacks.
private final class ResponseSink {
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []

    func reset() {
        headers.removeAll(keepingCapacity: true)
        body = []
    }
}

private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let contentLength: StaticString = "Content-Length"
/// Lambda's payload limit is 6 MB; never let a header make us reserve more than a little beyond.
private let maximumReservedBody = 8 << 20

private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { start in
        let line = UnsafeBufferPointer(start: start, count: length)
        if length >= 5, memcmp(start, "HTTP/", 5) == 0 {
            sink.headers.removeAll(keepingCapacity: true)  // a new response (e.g. after 100 Continue)
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
            var valueStart = colon + 1
            var valueEnd = line.endIndex
            while valueStart < valueEnd && isSpace(line[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart && isSpace(line[valueEnd - 1]) { valueEnd -= 1 }
            let name = UnsafeBufferPointer(rebasing: line[..<colon])
            let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
            sink.headers.append(HTTPHeader(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            // Size the body buffer once instead of growing it by doubling.
            if HTTPHeader.namesMatch(name, UnsafeBufferPointer(start: contentLength.utf8Start, count: contentLength.utf8CodeUnitCount)),
               let length = Int(String(decoding: value, as: UTF8.self)), length > 0, length <= maximumReservedBody {
                sink.body.reserveCapacity(length)
            }
        }
    }
    return length
}
