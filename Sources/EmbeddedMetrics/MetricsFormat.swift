import TextBytes

/// CloudWatch Embedded Metric Format (EMF) documents for a fixed set of metrics: JSON objects that
/// CloudWatch Logs turns into metrics when they arrive on the function's log stream.
///
/// Follows the EMF specification: a root `_aws` object with `Timestamp` (Unix ms) and one metric
/// directive (namespace, one dimension set, metric definitions), and each dimension and metric as a
/// member of the root. The parts that never change (namespace, dimensions, definitions) are written
/// once, when the format is made, so an invocation only writes its timestamp and numbers.
public struct MetricsFormat: Sendable {
    public enum Unit: String, Sendable {
        case count = "Count"
        case milliseconds = "Milliseconds"
    }

    /// The most values one metric may carry in one document (EMF specification). A sample with more
    /// is written as several documents, the counts in the first one only.
    public static let maximumValuesPerDocument = 100

    public let countNames: [String]
    public let sampleName: String
    /// `,"CloudWatchMetrics":[…]},"Dim":"value"`: everything between the timestamp and the values,
    /// for a document with the counts and the sample, with the counts only, and with the sample only.
    private let withCountsAndSample: [UInt8]
    private let withCounts: [UInt8]
    private let withSample: [UInt8]

    /// - Parameters:
    ///   - dimension: the documents' one dimension, name and value (e.g. FunctionName).
    ///   - counts: the names of the metrics counted (unit Count).
    ///   - sample: the metric with one value per event (e.g. a latency), as an array.
    public init(
        namespace: String, dimension: (name: String, value: String), counts: [String], sample: (name: String, unit: Unit)
    ) {
        let sampleMetric = sample
        // Plain loops over what was passed in: arrays of new element types (tuples) would have
        // their metadata built at start by demangling.
        func directive(counts: [String], sample: Bool) -> [UInt8] {
            var out: [UInt8] = []
            JSONText.appendRaw(#","CloudWatchMetrics":[{"Namespace":"#, to: &out)
            JSONText.appendString(namespace, to: &out)
            JSONText.appendRaw(#","Dimensions":[["#, to: &out)
            JSONText.appendString(dimension.name, to: &out)
            JSONText.appendRaw(#"]],"Metrics":["#, to: &out)
            func definition(_ name: String, _ unit: Unit) {
                if out.last == UInt8(ascii: "}") { out.append(UInt8(ascii: ",")) }
                JSONText.appendRaw(#"{"Name":"#, to: &out)
                JSONText.appendString(name, to: &out)
                JSONText.appendRaw(#","Unit":"#, to: &out)
                JSONText.appendString(unit.rawValue, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            for name in counts { definition(name, .count) }
            if sample { definition(sampleMetric.name, sampleMetric.unit) }
            JSONText.appendRaw("]}]},", to: &out)
            JSONText.appendString(dimension.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(dimension.value, to: &out)
            return out
        }
        withCountsAndSample = directive(counts: counts, sample: true)
        withCounts = directive(counts: counts, sample: false)
        withSample = directive(counts: [], sample: true)
        countNames = counts
        sampleName = sample.name
    }

    /// The documents for one invocation, each one line of JSON ending in `\n`.
    /// - Parameters:
    ///   - counts: one value per name in ``countNames``, in that order.
    ///   - samples: the sample's values; none leaves the metric out (EMF has no empty value).
    public func documents(timestampMilliseconds: Int64, counts: [Int], samples: [Double]) -> [[UInt8]] {
        precondition(counts.count == countNames.count, "one value per count name")
        var documents: [[UInt8]] = []
        var start = 0
        repeat {
            let end = min(start + Self.maximumValuesPerDocument, samples.count)
            var out: [UInt8] = []
            out.reserveCapacity(withCountsAndSample.count + 64 + 20 * counts.count + 12 * (end - start))
            JSONText.appendRaw(#"{"_aws":{"Timestamp":"#, to: &out)
            JSONText.appendInteger(timestampMilliseconds, to: &out)
            out.append(contentsOf: start == 0 ? (end > 0 ? withCountsAndSample : withCounts) : withSample)
            if start == 0 {
                for (name, value) in zip(countNames, counts) {
                    out.append(UInt8(ascii: ","))
                    JSONText.appendString(name, to: &out)
                    out.append(UInt8(ascii: ":"))
                    JSONText.appendInteger(Int64(value), to: &out)
                }
            }
            if end > start {
                out.append(UInt8(ascii: ","))
                JSONText.appendString(sampleName, to: &out)
                JSONText.appendRaw(":[", to: &out)
                for index in start..<end {
                    if index > start { out.append(UInt8(ascii: ",")) }
                    JSONText.appendMilli(samples[index], to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
            JSONText.appendRaw("}\n", to: &out)
            documents.append(out)
            start = end
        } while start < samples.count
        return documents
    }
}
