import EmbeddedMetrics
import Foundation
import Testing

@Suite struct MetricsRecordTests {
    func record(latencies: [Double]) -> MetricsRecord {
        var record = MetricsRecord(namespace: "VoiceByAuribus/AudioUploadNotifier", dimensions: [("FunctionName", "f")])
        record.counts = [("Delivered", 2), ("Failed", 0)]
        record.samples = latencies.isEmpty ? [] : [("WebhookLatency", .milliseconds, latencies)]
        return record
    }

    @Test func oneDocumentIsOneLineOfEMF() throws {
        let lines = record(latencies: [12.5, 0.0004]).documents(timestampMilliseconds: 1_796_000_000_000)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let aws = try #require(object["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_796_000_000_000)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "VoiceByAuribus/AudioUploadNotifier")
        #expect(directive["Dimensions"] as? [[String]] == [["FunctionName"]])
        #expect((directive["Metrics"] as? [[String: String]])?.map { $0["Name"]! + "/" + $0["Unit"]! }
            == ["Delivered/Count", "Failed/Count", "WebhookLatency/Milliseconds"])
        #expect(object["FunctionName"] as? String == "f")
        #expect(object["Delivered"] as? Int == 2)
        #expect(object["WebhookLatency"] as? [Double] == [12.5, 0])
        #expect(String(decoding: line, as: UTF8.self).contains(#""WebhookLatency":[12.500,0.000]"#))
    }

    @Test func moreThan100ValuesSpillIntoFurtherDocumentsWithoutRecountingCounts() throws {
        let lines = record(latencies: (0..<250).map(Double.init)).documents(timestampMilliseconds: 1)
        #expect(lines.count == 3)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        #expect(objects.map { ($0["WebhookLatency"] as? [Double])?.count } == [100, 100, 50])
        #expect(objects.map { $0["Delivered"] as? Int } == [2, nil, nil])
        for object in objects.dropFirst() {
            let directive = ((object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first
            #expect((directive?["Metrics"] as? [[String: String]])?.map { $0["Name"]! } == ["WebhookLatency"])
        }
    }

    @Test func noSamplesNoSampleMetric() throws {
        let line = try #require(record(latencies: []).documents(timestampMilliseconds: 1).first)
        #expect(!String(decoding: line, as: UTF8.self).contains("WebhookLatency"))
    }
}
