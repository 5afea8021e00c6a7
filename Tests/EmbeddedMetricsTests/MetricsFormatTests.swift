import EmbeddedMetrics
import Foundation
import Testing

@Suite struct MetricsFormatTests {
    let format = MetricsFormat(
        namespace: "VoiceByAuribus/AudioUploadNotifier", dimension: ("FunctionName", "f"),
        counts: ["Delivered", "Failed"], sample: ("WebhookLatency", .milliseconds))

    func object(_ line: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    }

    func metricNames(_ object: [String: Any]) -> [String]? {
        let directive = ((object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first
        return (directive?["Metrics"] as? [[String: String]])?.map { $0["Name"]! + "/" + $0["Unit"]! }
    }

    @Test func oneDocumentIsOneLineOfEMF() throws {
        let lines = format.documents(timestampMilliseconds: 1_796_000_000_000, counts: [2, 0], samples: [12.5, 0.0004])
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
        let root = try object(line)
        let aws = try #require(root["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_796_000_000_000)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "VoiceByAuribus/AudioUploadNotifier")
        #expect(directive["Dimensions"] as? [[String]] == [["FunctionName"]])
        #expect(metricNames(root) == ["Delivered/Count", "Failed/Count", "WebhookLatency/Milliseconds"])
        #expect(root["FunctionName"] as? String == "f")
        #expect(root["Delivered"] as? Int == 2)
        #expect(root["Failed"] as? Int == 0)
        #expect(root["WebhookLatency"] as? [Double] == [12.5, 0])
        #expect(String(decoding: line, as: UTF8.self).contains(#""WebhookLatency":[12.500,0.000]"#))
    }

    @Test func moreThan100ValuesSpillIntoFurtherDocumentsWithoutRecountingCounts() throws {
        let lines = format.documents(timestampMilliseconds: 1, counts: [250, 0], samples: (0..<250).map(Double.init))
        #expect(lines.count == 3)
        let objects = try lines.map(object)
        #expect(objects.map { ($0["WebhookLatency"] as? [Double])?.count } == [100, 100, 50])
        #expect(objects.map { $0["Delivered"] as? Int } == [250, nil, nil])
        #expect(objects.dropFirst().map(metricNames) == [["WebhookLatency/Milliseconds"], ["WebhookLatency/Milliseconds"]])
        #expect(objects.map { $0["FunctionName"] as? String } == ["f", "f", "f"])
    }

    @Test func noSamplesLeaveTheSampleMetricOut() throws {
        let lines = format.documents(timestampMilliseconds: 1, counts: [0, 1], samples: [])
        #expect(lines.count == 1)
        let root = try object(try #require(lines.first))
        #expect(metricNames(root) == ["Delivered/Count", "Failed/Count"])
        #expect(root["WebhookLatency"] == nil)
    }

    @Test func namesAndValuesAreEscaped() throws {
        let odd = MetricsFormat(namespace: "a\"b", dimension: ("FunctionName", "f\n"), counts: ["C"], sample: ("S", .count))
        let root = try object(try #require(odd.documents(timestampMilliseconds: 1, counts: [1], samples: []).first))
        #expect(root["FunctionName"] as? String == "f\n")
    }
}
