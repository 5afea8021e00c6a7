extension String {
    /// Runs `body` over the string's UTF-8 bytes, without a copy for native strings (all ours).
    ///
    /// Hot loops over `utf8` itself pay an index check and a small-string branch per byte; over
    /// a buffer they compile to a plain (often vectorised) loop.
    @inlinable
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs: the optional white space (OWS) of HTTP fields
    /// and of our comma-separated settings. Other white space is kept, as those grammars do.
    public func trimmingSpacesAndTabs() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
