#!/usr/bin/env python3
"""Instructions, not seconds: callgrind counts for `bootstrap` and the C floor, side by side.

CPU time on a shared VM moves by ±30 % from one round to the next; instruction counts do not (the
same binary and inputs give the same count whatever else runs). For each binary, under the same
fake Runtime API and C receiver as `bench.py`:

- start-up: every instruction from exec until the first `GET /next` (0 invocations handed out, then
  the idle process is stopped; its exit is included and is a few thousand instructions);
- per warm invocation: (total after LARGE − total after SMALL invocations) / (LARGE − SMALL).

    python3 Benchmarks/profile/instructions.py [--bootstrap …] [--floor …] [--out .build/bench/instructions.json]
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
from callgrind_per_invocation import profile  # noqa: E402


def total(path):
    text = subprocess.run(["callgrind_annotate", str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text)
    if not match:
        raise RuntimeError("no PROGRAM TOTALS in %s" % path)
    return int(match.group(1).replace(",", ""))


def measure(binary, receiver_port, out, small, large):
    start_up = total(profile(binary, 0, receiver_port, out))
    per_invocation = (total(profile(binary, large, receiver_port, out)) - total(profile(binary, small, receiver_port, out))) / (large - small)
    return {"startup_instructions": start_up, "instructions_per_invocation": round(per_invocation)}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default=str(ROOT / ".build/release/bootstrap"))
    parser.add_argument("--floor", default=str(ROOT / ".build/bench/floor"))
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=120)
    parser.add_argument("--out", default=str(ROOT / ".build/bench/instructions.json"))
    args = parser.parse_args(argv)
    out = ROOT / ".build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    receiver = bench.Receiver(out / "receiver")
    try:
        results = {name: measure(path, receiver.port, out, args.small, args.large)
                   for name, path in (("bootstrap", args.bootstrap), ("C floor", args.floor))}
    finally:
        receiver.stop()
    boot, floor = results["bootstrap"], results["C floor"]
    print("instructions (valgrind callgrind; exact, unlike CPU time):")
    print("%-10s  %22s  %26s" % ("contender", "start-up to first next", "per warm invocation"))
    for name, r in results.items():
        print("%-10s  %20.2f M  %24.0f k" % (name, r["startup_instructions"] / 1e6, r["instructions_per_invocation"] / 1e3))
    print("%-10s  %21.2f×  %25.2f×" % ("ratio", boot["startup_instructions"] / floor["startup_instructions"],
                                        boot["instructions_per_invocation"] / floor["instructions_per_invocation"]))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
