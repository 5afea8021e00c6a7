import EmbeddedMetrics

/// What one invocation did, counted as it goes, for its EMF line.
struct InvocationMetrics {
    var delivered = 0
    var skipped = 0
    var failed = 0
    /// Webhook attempts made (HTTP requests sent to the backend).
    var attempts = 0
    /// Per delivered upload: the successful attempt's time, in milliseconds.
    var latencies: [Double] = []

    /// The notifier's metrics, dimension FunctionName; made once at start.
    static func format(namespace: String, functionName: String) -> MetricsFormat {
        MetricsFormat(
            namespace: namespace, dimension: ("FunctionName", functionName),
            counts: ["Delivered", "Skipped", "Failed", "Attempts"], sample: ("WebhookLatency", .milliseconds))
    }

    func documents(_ format: MetricsFormat, timestampMilliseconds: Int64) -> [[UInt8]] {
        format.documents(
            timestampMilliseconds: timestampMilliseconds,
            counts: [delivered, skipped, failed, attempts], samples: latencies)
    }
}
