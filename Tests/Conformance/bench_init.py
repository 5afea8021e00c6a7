#!/usr/bin/env python3
"""Cold-start benchmark under the real RIE: start the emulator N times with a binary, invoke once each,
and report the `INIT REPORT(durationMs: …)` lines the RIE prints.

    python3 Tests/Conformance/bench_init.py [--binary PATH] [-n 10] [--json]

Defaults to the echo-lambda (ECHO_LAMBDA or .build/debug/echo-lambda). For the bootstrap use
`--binary .build/debug/bootstrap --bootstrap-env`: it gets a loopback API_BASE_URL and test credentials and is
invoked with the S3 test event, which needs no network. As a library: `from bench_init import
init_report_durations` (re-exported from rie_harness).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rie_harness import (S3_TEST_EVENT, echo_lambda_path, free_port, init_report_durations,  # noqa: E402
                         new_signing_secret)

__all__ = ["init_report_durations", "main"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=str(echo_lambda_path()))
    p.add_argument("-n", type=int, default=10)
    p.add_argument("--bootstrap-env", action="store_true",
                   help="give the binary the notifier's required environment and invoke with the S3 test event")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    a = p.parse_args(argv)
    env, event = None, None
    if a.bootstrap_env:
        env = {"API_BASE_URL": f"http://127.0.0.1:{free_port()}", "WEBHOOK_API_KEY": "bench-api-key",
               "WEBHOOK_SIGNING_SECRET": new_signing_secret()}
        event = S3_TEST_EVENT
    durations = init_report_durations(a.binary, a.n, env=env, event=event)
    summary = {
        "binary": a.binary, "n": len(durations), "durationsMs": durations,
        "minMs": min(durations), "medianMs": statistics.median(durations),
        "meanMs": statistics.fmean(durations), "maxMs": max(durations),
    }
    if a.json:
        print(json.dumps(summary))
    else:
        print(f"{a.binary}: n={summary['n']} min={summary['minMs']:.2f} ms median={summary['medianMs']:.2f} ms "
              f"mean={summary['meanMs']:.2f} ms max={summary['maxMs']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
