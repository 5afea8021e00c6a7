#!/usr/bin/env python3
"""What the AWS integrations cost on a cold start: CPU time (median of fresh starts, read from /proc as
`make bench` does) and callgrind instructions (exact) of the shipped bootstrap, for init and for the
first invocation, with object metadata and Secrets Manager switched off and on. Each start's response
must report the upload delivered.

All over HTTPS on loopback: the C webhook receiver and a moto server (S3 and Secrets Manager) both serve
a `localhost` certificate from the bench's test CA, which SSL_CERT_FILE adds to the machine's CA set,
so "on" pays what Lambda pays: a TLS handshake to Secrets Manager during init (GetSecretValue ×2) and
one to S3 in the first invocation (HeadObject), besides the webhook's.

    .build/venv/bin/python Benchmarks/profile/aws_cold_start.py [--zip dist/bootstrap.zip]

Needs boto3 and moto[server] (the test venv: `make venv`), valgrind and the bench's receiver
(`make -f Makefile.bench .build/bench/receiver`). Everything binds 127.0.0.1; moto is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import contenders  # noqa: E402
import harness  # noqa: E402
import verification  # noqa: E402
from callgrind_per_invocation import profile  # noqa: E402
from instructions import bootstrap_binary, total  # noqa: E402

EVENT = (ROOT / "events" / "upload-single.json").read_bytes()
RECORD = json.loads(EVENT)["Records"][0]
BUCKET, KEY = RECORD["s3"]["bucket"]["name"], RECORD["s3"]["object"]["key"]
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(tls, log_path: Path):
    port = free_port()
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port), "-c", str(tls.cert), "-k", str(tls.key)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = "https://localhost:%d" % port
    import ssl
    context = ssl.create_default_context(cafile=str(tls.bundle))
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2, context=context):
                return process, endpoint
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("moto did not start: " + log_path.read_text(errors="replace")[-2000:])
            time.sleep(0.2)


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        process.kill()


def seed(endpoint: str, tls) -> None:
    import boto3
    common = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="bench", aws_secret_access_key="bench",
                  verify=str(tls.bundle))
    s3 = boto3.client("s3", **common)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"RIFF", ContentType="audio/wav",
                  Metadata={"original-filename": "take 2.wav", "app": "bench"})
    manager = boto3.client("secretsmanager", **common)
    manager.create_secret(Name="bench/api-key", SecretString=contenders.API_KEY)
    manager.create_secret(Name="bench/signing", SecretString=contenders.SECRET)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", default=str(ROOT / "dist/bootstrap.zip"))
    parser.add_argument("--symbols", default=str(ROOT / ".build-static/release/bootstrap"))
    parser.add_argument("--out", default=str(ROOT / ".build/bench/aws_cold_start.json"))
    parser.add_argument("--starts", type=int, default=11, help="fresh starts per variant for CPU time")
    parser.add_argument("--shim", default=str(ROOT / ".build/bench/preexec"))
    args = parser.parse_args(argv)
    out = ROOT / ".build" / "bench" / "aws"
    out.mkdir(parents=True, exist_ok=True)
    binary, which = bootstrap_binary(Path(args.zip), Path(args.symbols), out)
    tls = contenders.TLS(out / "tls")
    receiver = harness.Receiver(ROOT / ".build" / "bench" / "receiver", tls=tls)
    moto, endpoint = start_moto(tls, out / "moto.log")
    try:
        seed(endpoint, tls)
        base = {"SSL_CERT_FILE": str(tls.bundle), "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_SESSION_TOKEN": "bench-session", "AWS_REGION": REGION, "AWS_ENDPOINT_URL": endpoint}
        variants = {
            "off": {**base, "FETCH_OBJECT_METADATA": "false"},
            "metadata on": {**base, "FETCH_OBJECT_METADATA": "true"},
            "secrets on": {**base, "FETCH_OBJECT_METADATA": "false", "WEBHOOK_API_KEY": "", "WEBHOOK_SIGNING_SECRET": "",
                           "WEBHOOK_API_KEY_SECRET_ID": "bench/api-key", "WEBHOOK_SIGNING_SECRET_ID": "bench/signing"},
            "both on": {**base, "FETCH_OBJECT_METADATA": "true", "WEBHOOK_API_KEY": "", "WEBHOOK_SIGNING_SECRET": "",
                        "WEBHOOK_API_KEY_SECRET_ID": "bench/api-key", "WEBHOOK_SIGNING_SECRET_ID": "bench/signing"},
        }
        results = {}
        (out / "logs").mkdir(exist_ok=True)
        expected = verification.expected_webhook(EVENT)
        for name, env in variants.items():
            tag = name.replace(" ", "-")
            contender = contenders.Contender("bootstrap (%s)" % name, "aws-" + tag, [binary], out, binary=binary, tls_env=env)
            samples = [harness.cold_start(contender, "https", EVENT, {"https": receiver}, out, args.shim, expected)
                       for _ in range(args.starts)]
            init = total(profile(binary, 0, receiver.url, out, env, tag=tag))
            one = total(profile(binary, 1, receiver.url, out, env, tag=tag))
            results[name] = {
                "init_cpu_ms": harness.median([s["init_cpu_ns"] for s in samples]) / 1e6,
                "first_cpu_ms": harness.median([s["first_cpu_ns"] for s in samples]) / 1e6,
                "init_instructions": init, "first_invocation_instructions": one - init}
    finally:
        receiver.stop()
        stop(moto)
    off = results["off"]
    lines = ["AWS integrations on a cold start: %s, all peers over HTTPS on loopback;" % which,
             "CPU: median of %d fresh starts each; instructions: callgrind" % args.starts,
             "%-12s %12s %12s %14s %16s" % ("", "init CPU", "1st inv CPU", "init instr", "1st inv instr")]
    for name, r in results.items():
        lines.append("%-12s %9.2f ms %9.2f ms %12.2f M %14.2f M" % (
            name, r["init_cpu_ms"], r["first_cpu_ms"], r["init_instructions"] / 1e6, r["first_invocation_instructions"] / 1e6))
    lines.append("on / off, init + 1st invocation instructions: metadata %.2f×, secrets %.2f×, both %.2f×" % tuple(
        (results[k]["init_instructions"] + results[k]["first_invocation_instructions"])
        / (off["init_instructions"] + off["first_invocation_instructions"]) for k in ("metadata on", "secrets on", "both on")))
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
