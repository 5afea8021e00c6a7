extension Duration {
    /// Whole milliseconds, rounded toward zero: the unit of libcurl's timeouts, Lambda's deadline
    /// header, log fields and metrics.
    @inlinable
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Milliseconds with the fraction kept, for latency metrics.
    @inlinable
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
