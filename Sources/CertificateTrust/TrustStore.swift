#if canImport(Glibc)
import Glibc
#endif

/// The CA certificates that HTTPS peers are verified against, found once at start.
///
/// A static `bootstrap` carries its own OpenSSL, whose built-in paths are the build machine's, so
/// the store is chosen here, in OpenSSL's own order of precedence: `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` when either is set (a private CA), else the system's bundle — Amazon Linux's
/// paths first, then Debian's. Verification itself is never optional: there is no setting for it.
public struct TrustStore: Sendable, Equatable, CustomStringConvertible {
    /// A PEM bundle, looked up lazily (see `trust_bundle.h`): the first handshake decodes only the
    /// certificates it needs, not all ~140.
    public var bundleFile: String?
    /// OpenSSL hashed directories (`c_rehash`), colon-separated, as `SSL_CERT_DIR` takes them.
    public var directories: String?

    public init(bundleFile: String? = nil, directories: String? = nil) {
        self.bundleFile = bundleFile
        self.directories = directories
    }

    /// Amazon Linux 2 and 2023 (the second is where the first points), then Debian and Ubuntu.
    public static let systemBundles = [
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/pki/tls/cert.pem",
        "/etc/ssl/certs/ca-certificates.crt",
    ]
    public static let systemDirectories = ["/etc/ssl/certs"]

    /// Finds the store: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set (and then nothing else, as
    /// OpenSSL does), else the first readable system bundle, else a system hashed directory.
    public static func locate(
        environment: (String) -> String?,
        isReadableFile: (String) -> Bool = TrustStore.isReadableFile,
        isDirectory: (String) -> Bool = TrustStore.isDirectory
    ) throws(TrustStoreError) -> TrustStore {
        let file = environment("SSL_CERT_FILE").flatMap { $0.isEmpty ? nil : $0 }
        let directories = environment("SSL_CERT_DIR").flatMap { $0.isEmpty ? nil : $0 }
        if file != nil || directories != nil {
            if let file, !isReadableFile(file) {
                throw .unreadable(variable: "SSL_CERT_FILE", path: file)
            }
            if let directories, !directories.split(separator: ":").contains(where: { isDirectory(String($0)) }) {
                throw .unreadable(variable: "SSL_CERT_DIR", path: directories)
            }
            return TrustStore(bundleFile: file, directories: directories)
        }
        if let bundle = systemBundles.first(where: isReadableFile) {
            return TrustStore(bundleFile: bundle)
        }
        if let directory = systemDirectories.first(where: isDirectory) {
            return TrustStore(directories: directory)
        }
        throw .notFound(tried: ["SSL_CERT_FILE (unset)", "SSL_CERT_DIR (unset)"] + systemBundles + systemDirectories)
    }

    public static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public var description: String {
        [bundleFile.map { "bundle \($0)" }, directories.map { "directories \($0)" }]
            .compactMap { $0 }.joined(separator: " and ")
    }
}

/// No usable CA store: HTTPS could verify no peer.
public enum TrustStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(tried: [String])
    case unreadable(variable: String, path: String)

    public var description: String {
        switch self {
        case .notFound(let tried):
            "no CA certificates found to verify HTTPS peers; tried \(tried.joined(separator: ", ")). "
                + "Set SSL_CERT_FILE to a PEM bundle (or SSL_CERT_DIR to a hashed directory)"
        case .unreadable(let variable, let path):
            "\(variable) names \(path), which is not a readable \(variable == "SSL_CERT_DIR" ? "directory" : "file")"
        }
    }
}
