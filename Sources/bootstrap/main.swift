// The deployed custom runtime: the Lambda run loop serving the upload notifier over libcurl.
import CertificateTrust
import CheapCommandLine  // CommandLine's argv without the runtime's start-up /proc scan
import HTTP
import LambdaRuntime
import UploadNotifier

#if canImport(Glibc)
import Glibc
#endif

// Lambda starts `bootstrap` without arguments; an operator may ask it what it is.
if CommandLine.arguments.dropFirst().first == "--version" {
    print("AudioUploadNotifier \(NotifierVersion.current) (Lambda custom runtime, Runtime API 2018-06-01)")
    var glibc = [CChar](repeating: 0, count: 64)
    _ = confstr(Int32(_CS_GNU_LIBC_VERSION), &glibc, glibc.count)  // "glibc 2.36"
    let glibcText = String(decoding: glibc.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    print("linked: \(HTTPClient.libraryVersions) \(glibcText)")
    exit(0)
}

LambdaRuntime.run { setup in
    try UploadNotifierHandler.factory(setup) { (trust: TrustStore?) throws(HTTPError) in try HTTPClient(trust: trust) }
}
