// The notifier's per-record CPU work without I/O, stage by stage, through the public API of
// S3Events, UploadNotifier and StandardWebhooks: what `bootstrap` spends per invocation besides
// HTTP and logging. Each sample runs `scaledIterations` (1000) records; `bench.py` divides.
//
// Metrics: wall clock per sample (single-threaded and I/O-free, so wall ≈ CPU), the thread's own
// CPU time per record (CLOCK_THREAD_CPUTIME_ID; the framework's cpuTotal has 10 ms tick resolution
// on Linux), and malloc calls per sample (the MallocInterposer trait).
import Benchmark
import S3Events
import StandardWebhooks
import UploadNotifier

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The bench's event: events/upload-single.json, embedded so the benchmark needs no working directory.
let eventBytes: [UInt8] = Array(#"""
{
  "Records": [
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "awsRegion": "us-east-1",
      "eventTime": "2026-11-29T03:44:53.123Z",
      "eventName": "ObjectCreated:Put",
      "userIdentity": {
        "principalId": "AWS:AROAEXAMPLEROLEID:voice-by-auribus-backend"
      },
      "requestParameters": {
        "sourceIPAddress": "203.0.113.10"
      },
      "responseElements": {
        "x-amz-request-id": "C3D13FE58DE4C810",
        "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"
      },
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "audio-upload-notifier",
        "bucket": {
          "name": "voice-by-auribus-audio-files",
          "ownerIdentity": {
            "principalId": "A3NL1KOZZKEXAMPLE"
          },
          "arn": "arn:aws:s3:::voice-by-auribus-audio-files"
        },
        "object": {
          "key": "audio-files/4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f/temp/0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10.wav",
          "sequencer": "0062F3A1B2C3D4E5F6",
          "size": 1048576,
          "eTag": "9b2cf535f27731c974343645a3985328"
        }
      }
    }
  ]
}
"""#.utf8)

/// The response of one delivered upload.
let summary = InvocationSummary(results: [.init(
    key: "audio-files/4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f/temp/0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10.wav", outcome: .delivered,
    webhookId: "upl__8lOSWWLVvSPouiWWSx44N8_UjmXoXXUnBYIlAhF53M")])

let prefix = "audio-files/"
let signer = WebhookSigner(secrets: [WebhookSecret(key: (0..<32).map { UInt8($0) })])
let timestamp: Int64 = 1_795_926_908

func decodeRecord() -> S3EventRecord {
    guard case .records(let records) = try! S3Notification.decode(eventBytes) else { fatalError("not records") }
    return records[0]
}

func classify(_ record: S3EventRecord) -> UploadNotification {
    guard case .notify(let notification) = RecordClassifier.classify(record, prefix: prefix, allowedBuckets: []) else {
        fatalError("the bench record must notify")
    }
    return notification
}

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

let metrics: [BenchmarkMetric] = [
    .wallClock, .throughput, .mallocCountTotal, .custom("threadCPUNanosPerRecord", polarity: .prefersSmaller, useScalingFactor: false),
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: metrics, timeUnits: .nanoseconds, warmupIterations: 3, scalingFactor: .kilo,
        maxDuration: .milliseconds(1500), maxIterations: 200)

    /// Runs `body` once per scaled iteration and records the thread's CPU time per record.
    func measure(_ benchmark: Benchmark, _ body: () -> Void) {
        let start = threadCPUNanoseconds()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { body() }
        benchmark.stopMeasurement()
        let perRecord = (threadCPUNanoseconds() - start) / benchmark.scaledIterations.count
        benchmark.measurement(.custom("threadCPUNanosPerRecord", polarity: .prefersSmaller, useScalingFactor: false), perRecord)
    }

    let record = decodeRecord()
    let notification = classify(record)
    let body = WebhookPayload(notification).jsonBytes()

    Benchmark("1 decode (StrictJSON → S3Notification)") { benchmark in
        measure(benchmark) { blackHole(try! S3Notification.decode(eventBytes)) }
    }
    Benchmark("2 classify (URL-decode key, parse key, webhook-id)") { benchmark in
        measure(benchmark) { blackHole(RecordClassifier.classify(record, prefix: prefix, allowedBuckets: [])) }
    }
    Benchmark("3 body (WebhookPayload.jsonBytes)") { benchmark in
        measure(benchmark) { blackHole(WebhookPayload(notification).jsonBytes()) }
    }
    Benchmark("4 sign (Standard Webhooks v1 HMAC-SHA256)") { benchmark in
        measure(benchmark) { blackHole(signer.signature(id: notification.webhookID, timestamp: timestamp, body: body)) }
    }
    Benchmark("5 response (InvocationSummary.jsonBytes)") { benchmark in
        measure(benchmark) { blackHole(summary.jsonBytes()) }
    }
    Benchmark("pipeline (decode → classify → body → sign)") { benchmark in
        measure(benchmark) {
            let record = decodeRecord()
            let notification = classify(record)
            let body = WebhookPayload(notification).jsonBytes()
            blackHole(signer.signature(id: notification.webhookID, timestamp: timestamp, body: body))
        }
    }
}
