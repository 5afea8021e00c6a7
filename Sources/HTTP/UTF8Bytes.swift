extension String {
    /// Runs `body` over the string's UTF-8 bytes, without a copy for native strings (all ours).
    ///
    /// Hot loops over `utf8` itself pay an index check and a small-string branch per byte; over
    /// a buffer they compile to a plain (often vectorised) loop.
    @inlinable
    package func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
