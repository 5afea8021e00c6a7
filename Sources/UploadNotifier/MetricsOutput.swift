import EmbeddedMetrics

/// Where each invocation's EMF line goes, and its format, made once at start.
public struct MetricsOutput: Sendable {
    let format: MetricsFormat
    let write: @Sendable ([UInt8]) -> Void

    /// - Parameters:
    ///   - namespace: `METRICS_NAMESPACE`.
    ///   - functionName: the `FunctionName` dimension (`AWS_LAMBDA_FUNCTION_NAME`).
    ///   - write: standard output in `bootstrap` (``MetricsLog/writeToStandardOutput(_:)``).
    public init(namespace: String, functionName: String, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.format = InvocationMetrics.format(namespace: namespace, functionName: functionName)
        self.write = write
    }
}
