// The deployed custom runtime: the Lambda run loop serving the upload notifier.
import LambdaRuntime
import UploadNotifier

LambdaRuntime.run(UploadNotifierHandler.make)
