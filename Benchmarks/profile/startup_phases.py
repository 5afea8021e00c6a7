#!/usr/bin/env python3
"""Start-up CPU by phase, natively, for bootstrap and the C floor (and bootstrap-urlsession).

Runs each binary N times under fake_runtime_api.py with startup_probe.so preloaded and prints the
median CPU time of each phase until the first `GET /runtime/invocation/next`:

  exec → probe ctor   exec, mapping and relocating the executable and every shared library
  ctor → main         the remaining constructors (the executable's static initialisers included)
  main → curl init    the program's own code before curl_global_init
  curl_global_init    libcurl + OpenSSL initialisation
  curl init → connect the rest of the init phase (configuration, logging, handler) up to the socket
  connect → next      connecting and sending the first `next`

    make -f Makefile.bench bench-build && python3 Benchmarks/profile/startup_phases.py [-n 40]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

import contenders  # noqa: E402
import harness  # noqa: E402
import procstats  # noqa: E402
from fake_runtime_api import FakeRuntimeAPI  # noqa: E402


def run_once(binary, probe, receiver_port, out):
    sample = {}
    api = FakeRuntimeAPI(b"{}", invocations=0, max_seconds=20)
    env = contenders.contender_env(out, api.address, receiver_port)
    env["LD_PRELOAD"] = str(probe)
    log = out / "logs" / "startup-phases.log"
    with open(log, "wb") as f:
        process = subprocess.Popen([str(binary)], env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        api.on_next = lambda index, _: sample.update(first_next_ns=procstats.cpu_ns(process.pid)) if index == 0 else None
        try:
            api.serve(process)
        finally:
            harness.kill_and_reap(process)
            api.close()
    match = re.search(r"PROBE (.*)", log.read_text(errors="replace"))
    if not match:
        raise RuntimeError("no PROBE line from %s" % binary)
    sample.update({k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())})
    return sample


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--binaries", nargs="*", default=[
        str(ROOT / ".build/release/bootstrap"), str(ROOT / ".build/bench/floor"),
        str(ROOT / ".build/bench/urlsession/release/bootstrap-urlsession")])
    args = parser.parse_args(argv)
    out = ROOT / ".build" / "bench"
    (out / "logs").mkdir(parents=True, exist_ok=True)
    probe = out / "startup_probe.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(probe), str(HERE / "startup_probe.c"), "-ldl"], check=True)
    receiver = harness.Receiver(out / "receiver")
    samples = {b: [] for b in args.binaries}
    try:
        for round_ in range(args.n + 1):
            for binary in args.binaries:
                s = run_once(binary, probe, receiver.port, out)
                if round_:
                    samples[binary].append(s)
    finally:
        receiver.stop()

    phases = [
        ("exec → probe ctor", None, "ctor_ns"),
        ("ctor → main", "ctor_ns", "main_ns"),
        ("main → curl init", "main_ns", "curl_init_start_ns"),
        ("curl_global_init", "curl_init_start_ns", "curl_init_end_ns"),
        ("curl init → connect", "curl_init_end_ns", "connect_ns"),
        ("connect → next", "connect_ns", "first_next_ns"),
        ("total at first next", None, "first_next_ns"),
    ]
    names = [Path(b).name for b in args.binaries]
    print("median CPU ms per phase over %d starts (page faults in brackets)" % args.n)
    print("%-22s" % "phase" + "".join("%24s" % n for n in names))
    fault_keys = {"ctor_ns": "faults_ctor", "main_ns": "faults_main", "curl_init_start_ns": "faults_curl_start",
                  "curl_init_end_ns": "faults_curl_end", "connect_ns": "faults_connect"}
    for title, start, end in phases:
        cells = []
        for b in args.binaries:
            ss = samples[b]
            ms = statistics.median([(s[end] - (s[start] if start else 0)) / 1e6 for s in ss])
            faults = ""
            if end in fault_keys:
                fe = statistics.median([s[fault_keys[end]] - (s[fault_keys[start]] if start in fault_keys else 0) for s in ss])
                faults = " [%d]" % fe
            cells.append("%24s" % ("%.2f%s" % (ms, faults)))
        print("%-22s" % title + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
