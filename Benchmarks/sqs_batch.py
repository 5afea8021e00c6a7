#!/usr/bin/env python3
"""One SQS batch of 100 uploads against a slow backend: sequential delivery against parallel lanes.

`fake_runtime_api.py` hands `bootstrap` one invocation: an SQS batch of `--uploads` messages, each an S3
notification of its own upload (distinct keys). The backend (concurrency.py's SlowBackend) answers every
webhook after `--latency-ms` (100 by default). For each WEBHOOK_PARALLELISM given (1, the old sequential
delivery, and 8, the default), reported:

- wall time: event handed out → response received, against the bound 1.5 × ceil(uploads / parallelism)
  × latency;
- CPU: the process's CPU (all threads) over the same span;
- the most webhooks the backend was answering at once, and the batch answer (must be no failure).

Everything binds 127.0.0.1; one invocation per run, each with a time limit.

    python3 Benchmarks/sqs_batch.py --zip dist/bootstrap.zip [--parallelism 1 8]   (or --binary PATH)
"""

import argparse
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from concurrency import binary_from, serve_bootstrap  # noqa: E402


def batch_event(uploads):
    """An SQS batch whose every body is the S3 notification of one upload."""
    records = []
    for index in range(uploads):
        s3 = {"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-29T03:44:53.123Z", "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": "voice-by-auribus-audio-files"},
                   "object": {"key": "audio-files/user-%d/temp/file-%d.wav" % (index, index), "size": 1024,
                              "sequencer": "00%016X" % index}},
        }]}
        records.append({
            "messageId": "message-%04d" % index, "receiptHandle": "handle-%d" % index, "body": json.dumps(s3),
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:voice-by-auribus-uploads", "awsRegion": "us-east-1",
        })
    return json.dumps({"Records": records}).encode()


def measure(binary, event, uploads, parallelism, latency, time_limit):
    api, backend, cpu_ns, _ = serve_bootstrap(
        binary, event, 1, latency, {"WEBHOOK_PARALLELISM": str(parallelism)}, time_limit, "parallelism %d" % parallelism)
    request_id, arrived, kind, body = api.responses[0]
    answer = json.loads(body)
    if answer != {"batchItemFailures": []} or backend.requests != uploads:
        raise RuntimeError("parallelism %d: %s %s after %d webhooks" % (parallelism, kind, body[:300], backend.requests))
    seconds = (arrived - api.sent_ns[request_id]) / 1e9
    bound = 1.5 * math.ceil(uploads / parallelism) * latency
    return {"parallelism": parallelism, "seconds": seconds, "bound": bound, "cpuMs": cpu_ns / 1e6,
            "backendPeakInFlight": backend.peak_in_flight}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--binary", help="the bootstrap executable")
    source.add_argument("--zip", help="the shipped artifact (dist/bootstrap.zip): its bootstrap is measured")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--out", default=".build/bench/sqs_batch.json")
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000
    event = batch_event(args.uploads)
    binary = binary_from(args, Path(args.out).parent / "artifact")
    rows = [measure(binary, event, args.uploads, p, latency, args.time_limit) for p in args.parallelism]
    print("\nOne SQS batch of %d uploads, backend latency %.0f ms" % (args.uploads, args.latency_ms))
    print("| WEBHOOK_PARALLELISM | wall | bound 1.5 x ceil(n/p) x latency | CPU | webhooks in flight at most |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| %d | %.2f s | %.2f s %s | %.1f ms | %d |" % (
            r["parallelism"], r["seconds"], r["bound"], "PASS" if r["seconds"] <= r["bound"] else "FAIL",
            r["cpuMs"], r["backendPeakInFlight"]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"uploads": args.uploads, "latencyMs": args.latency_ms, "runs": rows}, indent=2))
    print("→ %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
