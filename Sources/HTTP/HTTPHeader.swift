import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

/// One header field. Names compare case-insensitively, as HTTP requires.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields that can be looked up by name: a request's list or a response's `HTTPHeaders`.
public protocol HTTPHeaderLookup {
    /// The first value of the header `name`, compared case-insensitively.
    func value(for name: String) -> String?
}

extension [HTTPHeader]: HTTPHeaderLookup {
    /// The first value of the header `name`, compared case-insensitively.
    public func value(for name: String) -> String? {
        name.withUTF8Bytes { wanted in
            for header in self where header.name.utf8.count == wanted.count {
                if header.name.withUTF8Bytes({ HTTPHeader.namesMatch($0, wanted) }) { return header.value }
            }
            return nil
        }
    }
}

extension HTTPHeader {
    /// ASCII case-insensitive comparison, without allocating lowercased copies (hot: every response header).
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        a.withUTF8Bytes { a in b.withUTF8Bytes { b in namesMatch(a, b) } }
    }

    static func namesMatch(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        for index in 0..<a.count where lower(a[index]) != lower(b[index]) {
            return false
        }
        return true
    }
}
