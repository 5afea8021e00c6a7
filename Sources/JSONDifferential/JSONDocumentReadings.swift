import StrictJSON

/// Readings the oracle and the tests make of a document that the notifier never needs, written
/// over the public API: the shipped `StrictJSON` keeps only what `bootstrap` reads.
extension JSONDocument {
    /// The number of members or elements of a container, or `nil` for anything else.
    public func count(of container: Value) -> Int? {
        members(of: container)?.count ?? elements(of: container)?.count
    }

    public func bool(_ value: Value) -> Bool? {
        switch kind(of: value) {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// The number as the nearest `Double` (`strtod` semantics), or `nil` for anything else.
    public func double(_ value: Value) -> Double? {
        numberText(value).flatMap { Double($0) }
    }
}
