// Bench-only: the notifier on the same runtime, with URLSession instead of direct libcurl.
import LambdaRuntime
import UploadNotifier
import URLSessionTransport

LambdaRuntime.run(transport: { _ in URLSessionTransport() }, UploadNotifierHandler.make)
