import TextBytes

#if canImport(Glibc)
import Glibc
#endif

/// `_X_AMZN_TRACE_ID`, set to the current invocation's trace header, without leaking.
///
/// glibc's `setenv` copies `NAME=value` into a fresh allocation whenever the value changes and
/// never frees the old copy (someone may still hold a pointer `getenv` returned), so setting a
/// new trace id per invocation leaked every one of them (the heap of a warm `bootstrap` grew with
/// every invocation: Benchmarks/FINDINGS.md, "Figures behind the comments"). `putenv` instead puts our own buffer
/// into the environment; it is rewritten in place and only replaced when a longer id arrives.
final class TraceVariable {
    static let name = "_X_AMZN_TRACE_ID"
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    /// Sets the variable, or removes it for `nil`.
    func set(_ value: String?) {
        guard let value else {
            unsetenv(Self.name)  // only unlinks the entry; the buffer stays ours
            return
        }
        let needed = Self.name.utf8.count + 1 + value.utf8.count + 1
        let old = buffer
        if needed > capacity {
            capacity = max(needed, 256)
            buffer = .allocate(capacity: capacity)
        }
        guard let buffer else { return }
        var offset = 0
        func copy(_ text: String) {
            text.withUTF8Bytes { bytes in
                guard let start = bytes.baseAddress, bytes.count > 0 else { return }
                UnsafeMutableRawPointer(buffer + offset).copyMemory(from: start, byteCount: bytes.count)
                offset += bytes.count
            }
        }
        copy(Self.name)
        copy("=")
        copy(value)
        buffer[offset] = 0
        // Also when the buffer is already in place: someone may have called setenv meanwhile.
        putenv(buffer)
        if let old, old != buffer { old.deallocate() }  // no longer referenced by the environment
    }
}
