#!/usr/bin/env python3
"""Instructions per warm invocation, by function, with valgrind's callgrind.

Runs a binary under callgrind twice behind fake_runtime_api.py (SMALL and LARGE invocations of
events/upload-single.json, webhooks to the C receiver) and prints (LARGE − SMALL) / (LARGE − SMALL
invocations) for the top functions: start-up cancels out, what is left is the steady per-invocation
cost. Inclusive by default (a function with everything it calls); --self for exclusive.

    python3 Benchmarks/profile/callgrind_per_invocation.py [--binary .build/release/bootstrap] [--top 60]
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

import contenders  # noqa: E402
import harness  # noqa: E402


def profilable(binary, out):
    """A copy without debug sections, symbols kept: valgrind 3.19 cannot read the DWARF 5 that the
    toolchain's clang writes for C targets (CheapCommandLine) and gives up on the whole binary."""
    copy = out / "callgrind-bin" / Path(binary).name
    copy.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["strip", "--strip-debug", "-o", str(copy), str(binary)], check=True)
    return copy


def profile(binary, invocations, receiver, out, extra_env=None, tag=""):
    """Runs `binary` under callgrind for `invocations` invocations; `receiver`: the webhook base URL (or
    a port on 127.0.0.1, plain HTTP); `extra_env`: e.g. the CA bundle. Returns the callgrind file."""
    target = out / ("callgrind-%s%s-%d.out" % (Path(binary).name, "-" + tag if tag else "", invocations))
    binary = profilable(binary, out)
    env = dict(contenders.contender_env(out, None, receiver))
    env.pop("AWS_LAMBDA_RUNTIME_API", None)
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env.update(extra_env or {})
    subprocess.run([sys.executable, str(HERE.parent / "fake_runtime_api.py"), "--event", str(ROOT / "events/upload-single.json"),
                    "--invocations", str(invocations), "--max-seconds", "300", "--",
                    "valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % target, str(binary)],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=400, check=True)
    return target


def costs(path, inclusive):
    """{function: instructions} from callgrind_annotate (inclusive or self)."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=%s" % ("yes" if inclusive else "no"), "--threshold=100", str(path)],
                          capture_output=True, text=True, check=True).stdout
    table = {}
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", line)
        if not match or re.search(r"\(\d[\d,]*x\)", line):
            continue  # skip caller/callee edge lines
        name = re.sub(r" \[[^\]]*\]$", "", match.group(2))
        name = name[4:] if name.startswith("???:") else re.sub(r"^[^:]*:", "", name, count=1)
        table[name] = table.get(name, 0) + int(match.group(1).replace(",", ""))
    return table


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/bootstrap"))
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=220)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--self", action="store_true", help="exclusive cost instead of inclusive")
    args = parser.parse_args(argv)
    out = ROOT / ".build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    receiver = harness.Receiver(out / "receiver")
    try:
        small = costs(profile(args.binary, args.small, receiver.port, out), not args.self)
        large = costs(profile(args.binary, args.large, receiver.port, out), not args.self)
    finally:
        receiver.stop()
    n = args.large - args.small
    rows = sorted(((large.get(k, 0) - small.get(k, 0)) / n, k) for k in set(small) | set(large))
    lines = ["%12s  %s" % ("instr/inv", "function (%s)" % ("self" if args.self else "inclusive"))]
    lines += ["%12.0f  %s" % (v, k) for v, k in reversed(rows[-args.top:])]
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(lines), capture_output=True, text=True)
    print(demangled.stdout if demangled.returncode == 0 else "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
