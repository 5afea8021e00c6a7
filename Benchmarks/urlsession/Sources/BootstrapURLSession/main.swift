// Bench-only: the notifier with its webhooks sent through URLSession instead of direct libcurl
// (the runtime's own Runtime API client is the same in both).
import CertificateTrust
import HTTP
import LambdaRuntime
import UploadNotifier
import URLSessionTransport

LambdaRuntime.run { setup in
    try UploadNotifierHandler.factory(setup) { (_: TrustStore?) throws(HTTPError) in URLSessionTransport() }
}
