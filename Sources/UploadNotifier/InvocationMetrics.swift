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

    func record(namespace: String, functionName: String) -> MetricsRecord {
        var record = MetricsRecord(namespace: namespace, dimensions: [("FunctionName", functionName)])
        record.counts = [
            ("Delivered", Int64(delivered)), ("Skipped", Int64(skipped)), ("Failed", Int64(failed)),
            ("Attempts", Int64(attempts)),
        ]
        if !latencies.isEmpty { record.samples = [("WebhookLatency", .milliseconds, latencies)] }
        return record
    }
}
