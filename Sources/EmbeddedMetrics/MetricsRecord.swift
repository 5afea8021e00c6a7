import MiniFoundation

/// One invocation's metrics as CloudWatch Embedded Metric Format (EMF) documents: JSON objects that
/// CloudWatch Logs turns into metrics when they arrive on the function's log stream.
///
/// Follows the EMF specification: a root `_aws` object with `Timestamp` (Unix ms) and one metric
/// directive (namespace, one dimension set, metric definitions), and each dimension and metric as a
/// member of the root. A metric's value is a number or an array of at most 100 numbers, so a record
/// with more values than that is written as several documents, the counts in the first one only.
public struct MetricsRecord: Sendable {
    public enum Unit: String, Sendable {
        case count = "Count"
        case milliseconds = "Milliseconds"
    }

    /// The most values one metric may carry in one document (EMF specification).
    public static let maximumValuesPerDocument = 100

    public var namespace: String
    /// Dimension names and values; together they form the document's one dimension set.
    public var dimensions: [(name: String, value: String)]
    public var counts: [(name: String, value: Int64)] = []
    public var samples: [(name: String, unit: Unit, values: [Double])] = []

    public init(namespace: String, dimensions: [(name: String, value: String)]) {
        self.namespace = namespace
        self.dimensions = dimensions
    }

    /// The EMF documents, each one line of JSON ending in `\n`.
    public func documents(timestampMilliseconds: Int64) -> [[UInt8]] {
        let limit = Self.maximumValuesPerDocument
        let mostValues = samples.reduce(0) { max($0, $1.values.count) }
        var documents: [[UInt8]] = []
        var start = 0
        repeat {
            var present: [(String, Unit, ArraySlice<Double>)] = []
            for sample in samples where start < sample.values.count {
                present.append((sample.name, sample.unit, sample.values[start..<min(start + limit, sample.values.count)]))
            }
            documents.append(document(timestampMilliseconds, counts: start == 0 ? counts : [], samples: present))
            start += limit
        } while start < mostValues
        return documents
    }

    private func document(
        _ timestamp: Int64, counts: [(name: String, value: Int64)], samples: [(String, Unit, ArraySlice<Double>)]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320 + 16 * samples.reduce(0) { $0 + $1.2.count })
        JSONText.appendRaw(#"{"_aws":{"Timestamp":"#, to: &out)
        JSONText.appendInteger(timestamp, to: &out)
        JSONText.appendRaw(#","CloudWatchMetrics":[{"Namespace":"#, to: &out)
        JSONText.appendString(namespace, to: &out)
        JSONText.appendRaw(#","Dimensions":[["#, to: &out)
        for (index, dimension) in dimensions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(dimension.name, to: &out)
        }
        JSONText.appendRaw(#"]],"Metrics":["#, to: &out)
        var first = true
        func definition(_ name: String, _ unit: Unit) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendRaw(#"{"Name":"#, to: &out)
            JSONText.appendString(name, to: &out)
            JSONText.appendRaw(#","Unit":"#, to: &out)
            JSONText.appendString(unit.rawValue, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        for count in counts { definition(count.name, .count) }
        for (name, unit, _) in samples { definition(name, unit) }
        JSONText.appendRaw("]}]}", to: &out)
        for dimension in dimensions {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(dimension.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(dimension.value, to: &out)
        }
        for count in counts {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(count.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendInteger(count.value, to: &out)
        }
        for (name, _, values) in samples {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(name, to: &out)
            JSONText.appendRaw(":[", to: &out)
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendMilli(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        JSONText.appendRaw("}\n", to: &out)
        return out
    }
}
