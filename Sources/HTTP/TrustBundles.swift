import CTrustStore

#if canImport(Glibc)
import Glibc
#endif

/// The process's lazily read PEM bundles, one per path, kept for the life of the process: libcurl
/// makes a new TLS context per connection, and each consults the same index.
final class TrustBundles: @unchecked Sendable {
    static let shared = TrustBundles()
    private var bundles: [String: OpaquePointer] = [:]
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    private init() {
        pthread_mutex_init(lock, nil)
    }

    func bundle(at path: String) -> OpaquePointer? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let bundle = bundles[path] { return bundle }
        guard let bundle = trust_bundle_create(path) else { return nil }
        bundles[path] = bundle
        return bundle
    }

    /// A note for a failed verification when the bundle itself could not be read.
    func readFailure(at path: String) -> String? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let bundle = bundles[path] else { return nil }
        let stats = trust_bundle_get_stats(bundle)
        guard stats.read_state == -1 else { return nil }
        return "CA bundle \(path) could not be read: \(String(cString: strerror(stats.read_errno)))"
    }
}
