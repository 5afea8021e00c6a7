import Testing

@testable import CertificateTrust

@Suite("Finding the CA store")
struct TrustStoreTests {
    /// A machine with these files and folders, and this environment.
    struct Machine {
        var files: Set<String> = []
        var directories: Set<String> = []
        var environment: [String: String] = [:]

        func locate() throws(TrustStoreError) -> TrustStore {
            try TrustStore.locate(
                environment: { environment[$0] },
                isReadableFile: { files.contains($0) },
                isDirectory: { directories.contains($0) })
        }
    }

    static let amazonLinux = "/etc/pki/tls/certs/ca-bundle.crt"
    static let amazonLinux2023 = "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
    static let debian = "/etc/ssl/certs/ca-certificates.crt"

    @Test("Amazon Linux's bundle comes before Debian's")
    func systemOrder() throws {
        let both = Machine(files: [Self.debian, Self.amazonLinux], directories: ["/etc/ssl/certs"])
        #expect(try both.locate() == TrustStore(bundleFile: Self.amazonLinux))
        let only2023 = Machine(files: [Self.amazonLinux2023, Self.debian])
        #expect(try only2023.locate() == TrustStore(bundleFile: Self.amazonLinux2023))
        let debian = Machine(files: [Self.debian], directories: ["/etc/ssl/certs"])
        #expect(try debian.locate() == TrustStore(bundleFile: Self.debian))
        let directoryOnly = Machine(directories: ["/etc/ssl/certs"])
        #expect(try directoryOnly.locate() == TrustStore(directories: "/etc/ssl/certs"))
    }

    @Test("SSL_CERT_FILE and SSL_CERT_DIR replace the system store, as in OpenSSL")
    func environmentFirst() throws {
        var machine = Machine(files: [Self.amazonLinux, "/var/task/private-ca.pem"], directories: ["/var/task/certs"])
        machine.environment = ["SSL_CERT_FILE": "/var/task/private-ca.pem"]
        #expect(try machine.locate() == TrustStore(bundleFile: "/var/task/private-ca.pem"))
        machine.environment = ["SSL_CERT_DIR": "/missing:/var/task/certs"]
        #expect(try machine.locate() == TrustStore(directories: "/missing:/var/task/certs"))
        machine.environment = ["SSL_CERT_FILE": "/var/task/private-ca.pem", "SSL_CERT_DIR": "/var/task/certs"]
        #expect(try machine.locate() == TrustStore(bundleFile: "/var/task/private-ca.pem", directories: "/var/task/certs"))
        machine.environment = ["SSL_CERT_FILE": ""]
        #expect(try machine.locate() == TrustStore(bundleFile: Self.amazonLinux), "empty means unset")
    }

    @Test("a variable naming nothing usable is an error, not a silent fallback")
    func unreadable() {
        var machine = Machine(files: [Self.amazonLinux])
        machine.environment = ["SSL_CERT_FILE": "/var/task/missing.pem"]
        #expect(throws: TrustStoreError.unreadable(variable: "SSL_CERT_FILE", path: "/var/task/missing.pem")) {
            try machine.locate()
        }
        machine.environment = ["SSL_CERT_DIR": "/nope:/neither"]
        #expect(throws: TrustStoreError.unreadable(variable: "SSL_CERT_DIR", path: "/nope:/neither")) {
            try machine.locate()
        }
        #expect(TrustStoreError.unreadable(variable: "SSL_CERT_DIR", path: "/nope").description
            == "SSL_CERT_DIR names /nope, which is not a readable directory")
    }

    @Test("no store at all names every place tried")
    func notFound() {
        #expect(throws: TrustStoreError.self) { try Machine().locate() }
        do {
            _ = try Machine().locate()
        } catch {
            for place in TrustStore.systemBundles + TrustStore.systemDirectories + ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
                #expect(error.description.contains(place))
            }
        }
    }

    @Test("the real checks tell files from folders")
    func realFileSystem() {
        #expect(TrustStore.isDirectory("/"))
        #expect(!TrustStore.isReadableFile("/"))
        #expect(!TrustStore.isReadableFile("/nonexistent/ca.pem"))
        #expect(!TrustStore.isDirectory("/nonexistent"))
    }
}
