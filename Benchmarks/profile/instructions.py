#!/usr/bin/env python3
"""Instructions, not seconds: callgrind counts for `bootstrap` and the C floor, side by side, over HTTPS.

CPU time on a shared VM moves by ±30 % from one round to the next; instruction counts do not (the
same binary and inputs give the same count whatever else runs). `bootstrap` is the shipped static
executable from dist/bootstrap.zip; valgrind cannot run inside the empty root (valgrind itself is
dynamically linked), so it runs on this host with SSL_CERT_FILE = the machine's full CA set + the test
CA — the same bundle, at another path, read the same way. The floor gets the same bundle through
CURL_CA_BUNDLE (CURLOPT_CAINFO). Under the same fake Runtime API and C receiver as `bench.py`:

- init: every instruction from exec until the first `GET /next` (0 invocations handed out, then the
  idle process is sent SIGTERM: its exit is included);
- first invocation: total after 1 invocation − total after 0, over HTTPS (and over HTTP);
- TLS set-up: first invocation HTTPS − first invocation HTTP;
- per warm invocation: (total after LARGE − total after SMALL invocations) / (LARGE − SMALL), both schemes.

Then bootstrap's functions by inclusive and by self cost, for init and for the first HTTPS invocation
(the difference of the 1- and 0-invocation runs, function by function).

    python3 Benchmarks/profile/instructions.py [--zip dist/bootstrap.zip] [--floor …] [--out .build/bench/instructions.json]
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import contenders  # noqa: E402
import harness  # noqa: E402
from callgrind_per_invocation import costs, profile  # noqa: E402


def total(path):
    text = subprocess.run(["callgrind_annotate", str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text)
    if not match:
        raise RuntimeError("no PROGRAM TOTALS in %s" % path)
    return int(match.group(1).replace(",", ""))


def bootstrap_binary(zip_path, symbols, out):
    """The zip's executable; when `symbols` (the unstripped static build) strips to the very same bytes,
    that one instead, so callgrind can name functions (the instructions are the same)."""
    shipped = out / "artifact" / "bootstrap"
    shipped.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as z:
        shipped.write_bytes(z.read("bootstrap"))
    shipped.chmod(0o755)
    if symbols.exists():
        stripped = out / "callgrind-bin" / "bootstrap.strip-check"
        stripped.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["strip", "-o", str(stripped), str(symbols)], check=True)
        same = hashlib.sha256(stripped.read_bytes()).digest() == hashlib.sha256(shipped.read_bytes()).digest()
        stripped.unlink()
        if same:
            named = out / "callgrind-bin" / "symbols" / "bootstrap"
            named.parent.mkdir(parents=True, exist_ok=True)
            named.write_bytes(symbols.read_bytes())
            named.chmod(0o755)
            return named, "%s (strips to the zip's executable byte for byte)" % symbols
    return shipped, "the zip's executable (stripped: functions unnamed; %s does not match it)" % symbols


def measure(binary, receivers, env, out, small, large):
    runs = {}
    for scheme in ("https", "http"):
        for n in (0, 1, small, large):
            runs[(scheme, n)] = profile(binary, n, receivers[scheme].url, out, env, tag=scheme)
    t = {k: total(v) for k, v in runs.items()}
    first = {s: t[(s, 1)] - t[(s, 0)] for s in ("https", "http")}
    return {
        "init_instructions": t[("https", 0)],
        "init_http_run_instructions": t[("http", 0)],
        "first_https_instructions": first["https"],
        "first_http_instructions": first["http"],
        "tls_setup_instructions": first["https"] - first["http"],
        "init_plus_first_https_instructions": t[("https", 1)],
        "warm_https_instructions_per_invocation": round((t[("https", large)] - t[("https", small)]) / (large - small)),
        "warm_http_instructions_per_invocation": round((t[("http", large)] - t[("http", small)]) / (large - small)),
    }, runs


def top_functions(runs, count):
    """Bootstrap's top functions: init (the 0-invocation HTTPS run) and the first HTTPS invocation
    (1-invocation run − 0-invocation run), inclusive and self."""
    tables = {}
    for inclusive in (True, False):
        # Not functions: the totals line and callgrind's "(below main)" (and its cycle copies).
        keep = lambda table: {k: v for k, v in table.items() if k != "PROGRAM TOTALS" and not k.startswith("(below main)")}  # noqa: E731
        init = keep(costs(runs[("https", 0)], inclusive))
        one = keep(costs(runs[("https", 1)], inclusive))
        first = {k: one.get(k, 0) - init.get(k, 0) for k in set(one) | set(init)}
        kind = "inclusive" if inclusive else "self"
        tables["init_" + kind] = sorted(init.items(), key=lambda kv: -kv[1])[:count]
        tables["first_https_" + kind] = sorted(first.items(), key=lambda kv: -kv[1])[:count]
    names = sorted({name for rows in tables.values() for name, _ in rows})
    demangled = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                               capture_output=True, text=True)
    if demangled.returncode == 0 and len(demangled.stdout.splitlines()) == len(names):
        mapping = dict(zip(names, demangled.stdout.splitlines()))
        tables = {k: [(mapping[n], v) for n, v in rows] for k, rows in tables.items()}
    return tables


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", default=str(ROOT / "dist/bootstrap.zip"))
    parser.add_argument("--symbols", default=str(ROOT / ".build-static/release/bootstrap"),
                        help="the unstripped static build, used for function names when it matches the zip")
    parser.add_argument("--floor", default=str(ROOT / ".build/bench/floor"))
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=120)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", default=str(ROOT / ".build/bench/instructions.json"))
    args = parser.parse_args(argv)
    out = ROOT / ".build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    binary, which = bootstrap_binary(Path(args.zip), Path(args.symbols), out)
    tls = contenders.TLS(out / "tls-callgrind")
    receivers = {"http": harness.Receiver(out / "receiver"), "https": harness.Receiver(out / "receiver", tls=tls)}
    try:
        boot, boot_runs = measure(binary, receivers, {"SSL_CERT_FILE": str(tls.bundle)}, out, args.small, args.large)
        floor, _ = measure(args.floor, receivers, {"CURL_CA_BUNDLE": str(tls.bundle)}, out, args.small, args.large)
    finally:
        for r in receivers.values():
            r.stop()
    results = {"bootstrap": boot, "C floor": floor, "bootstrap_binary": which, "bundle_certificates": tls.bundle_certificates,
               "zip_sha256": hashlib.sha256(Path(args.zip).read_bytes()).hexdigest()}
    rows = [("init (exec → first next)", "init_instructions", 1e6, "M"),
            ("1st invocation HTTPS", "first_https_instructions", 1e6, "M"),
            ("1st invocation HTTP", "first_http_instructions", 1e6, "M"),
            ("TLS set-up (1st HTTPS − 1st HTTP)", "tls_setup_instructions", 1e6, "M"),
            ("init + 1st HTTPS", "init_plus_first_https_instructions", 1e6, "M"),
            ("per warm invocation HTTPS", "warm_https_instructions_per_invocation", 1e3, "k"),
            ("per warm invocation HTTP", "warm_http_instructions_per_invocation", 1e3, "k")]
    lines = ["instructions (valgrind callgrind; exact, unlike CPU time). bootstrap = the shipped static executable, run on "
             "the host under valgrind (it cannot run in the empty root) with SSL_CERT_FILE = the full CA set + the test CA "
             "(%d certificates); the floor with CURL_CA_BUNDLE = the same bundle;\nbootstrap binary: %s; zip sha256 %s" % (
                 tls.bundle_certificates, which, results["zip_sha256"][:16]),
             "%-36s %14s %14s %8s" % ("", "bootstrap", "C floor", "ratio")]
    for title, key, scale, unit in rows:
        a, b = boot[key], floor[key]
        lines.append("%-36s %12.2f %s %12.2f %s %7.2f×" % (title, a / scale, unit, b / scale, unit, a / b if b else float("nan")))
    tables = top_functions(boot_runs, args.top)
    results["bootstrap_functions"] = tables
    for key, title in (("init_inclusive", "init, inclusive"), ("init_self", "init, self"),
                       ("first_https_inclusive", "1st HTTPS invocation, inclusive"),
                       ("first_https_self", "1st HTTPS invocation, self")):
        base = boot["init_instructions"] if key.startswith("init") else boot["first_https_instructions"]
        lines.append("")
        lines.append("bootstrap, %s (top %d; %% of the phase's %s instructions):" % (title, args.top, format(base, ",")))
        for name, value in tables[key]:
            lines.append("  %14s %6.1f%%  %s" % (format(value, ","), 100 * value / base, name[:150]))
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    Path(args.out).with_suffix(".txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
