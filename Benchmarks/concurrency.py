#!/usr/bin/env python3
"""Concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY = N): throughput, CPU and memory of `bootstrap`.

Setup, as Lambda Managed Instances would run it: `fake_runtime_api.py` hands an event to every
worker that polls, as fast as they ask, and a backend answers every webhook after a fixed latency
(200 ms by default). For N = 1, 8, 32, 64 (by default) bootstrap serves N × rounds invocations;
reported per N:

- throughput (invocations/s, first event handed out → last response) against N / latency, the most
  N workers can do when each invocation waits `latency` on the backend;
- peak in-flight invocations, as the fake Runtime API counted them (handed out, not yet answered);
- CPU per invocation: the whole process's CPU (all threads, /proc/PID/task/*/schedstat) from the first
  event to the last response, divided by the invocations, and its ratio to N = 1's;
- peak RSS (VmHWM), against the target 12 MiB + 0.25 MiB per worker.

The backend is a Python asyncio server on 127.0.0.1 (its CPU is not bootstrap's). Everything binds
127.0.0.1, every run has an invocation count and a time limit. A measurement: it prints a table and
writes JSON, and fails only when a run could not be measured (bootstrap died, a webhook was refused).

    python3 Benchmarks/concurrency.py --zip dist/bootstrap.zip [--workers 1 8 32 64]   (or --binary PATH)
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import procstats  # noqa: E402
from fake_runtime_api import FakeRuntimeAPI  # noqa: E402

API_KEY = "bench-key"
EXTRA_ENV = dict(item.split("=", 1) for item in os.environ.get("BENCH_EXTRA_ENV", "").split() if "=" in item)
SIGNING_SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


class SlowBackend:
    """HTTP/1.1 with keep-alive on 127.0.0.1: every request is answered 202 after `latency` seconds."""

    def __init__(self, latency):
        self.latency = latency
        self.requests = 0
        self.refused = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.port = None
        self._ready = threading.Event()
        self._loop = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the backend did not start")

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)  # gather() at shutdown looks the loop up on this thread
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=512))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        # Stopped: end the connections still open, then the server, before the loop closes.
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    async def _serve(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                api_key_ok = False
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value.strip())
                    elif name.lower() == b"x-webhook-api-key":
                        api_key_ok = value.strip() == API_KEY.encode()
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                await asyncio.sleep(self.latency)
                self.in_flight -= 1
                if api_key_ok:
                    writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                else:
                    self.refused += 1
                    writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # Shutdown cancels open connections; ending normally keeps Python 3.11's stream callback
            # from reporting the cancellation as an error.
            pass
        finally:
            writer.close()


def binary_from(args, out_dir):
    """--binary as given, or the executable of --zip (the shipped artifact) extracted into `out_dir`."""
    if args.binary:
        return Path(args.binary)
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / "bootstrap"
    with zipfile.ZipFile(args.zip) as z:
        binary.write_bytes(z.read("bootstrap"))
    binary.chmod(0o755)
    return binary


def serve_bootstrap(binary, event, invocations, latency, settings, time_limit, what):
    """Runs `binary` under the fake Runtime API (draining: until every invocation was answered) against a
    SlowBackend; returns the API, the backend, the CPU the process spent serving (from the first event
    on) and its /proc status. Raises when the run could not be measured."""
    backend = SlowBackend(latency)
    backend.start()
    marks = {}
    api = FakeRuntimeAPI(event, invocations, max_seconds=time_limit, drain=True)

    def on_next(index, arrived):
        if index == 0:  # init is over: CPU from here on is serving
            marks["cpu0"] = procstats.cpu_ns(marks["pid"])
        return None

    api.on_next = on_next
    env = {
        "PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": api.address,
        "AWS_LAMBDA_FUNCTION_NAME": "audio-upload-notifier-bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN",
        "API_BASE_URL": "http://127.0.0.1:%d" % backend.port, "WEBHOOK_API_KEY": API_KEY,
        "WEBHOOK_SIGNING_SECRET": SIGNING_SECRET, "FETCH_OBJECT_METADATA": "false",
        "METRICS_NAMESPACE": os.environ.get("BENCH_METRICS_NAMESPACE", "VoiceByAuribus/AudioUploadNotifier"),
    }
    env.update(settings)
    env.update(EXTRA_ENV)
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    marks["pid"] = process.pid
    try:
        reason = api.serve(process)
        cpu_end = procstats.cpu_ns(process.pid)
        status = procstats.status(process.pid)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            _, errors = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
        api.close()
        backend.stop()
    if reason != "done":
        raise RuntimeError("%s: %s after %d responses; bootstrap said:\n%s"
                           % (what, reason, len(api.responses), errors.decode(errors="replace")[-2000:]))
    failed = [r for r in api.responses if r[2] != "response"]
    if failed or backend.refused:
        raise RuntimeError("%s: %d invocation errors, %d webhooks refused" % (what, len(failed), backend.refused))
    return api, backend, cpu_end - marks["cpu0"], status


def measure(binary, event, workers, rounds, latency, time_limit):
    """One run at `workers`: bootstrap serves workers × rounds invocations; returns its figures."""
    invocations = workers * rounds
    api, backend, cpu_ns, status = serve_bootstrap(
        binary, event, invocations, latency, {"AWS_LAMBDA_MAX_CONCURRENCY": str(workers)}, time_limit, "N=%d" % workers)
    first_sent = min(api.sent_ns.values())
    last_answer = max(arrived for _, arrived, _, _ in api.responses)
    seconds = (last_answer - first_sent) / 1e9
    return {
        "workers": workers,
        "invocations": invocations,
        "seconds": seconds,
        "throughput": invocations / seconds,
        "ideal": workers / latency,
        "peakInFlight": api.peak_in_flight,
        "backendPeakInFlight": backend.peak_in_flight,
        "cpuPerInvocationUs": cpu_ns / invocations / 1000,
        "peakRssKiB": status.get("VmHWM", 0),
        "threads": status.get("Threads", 0),
        "extensions": api.extensions,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--binary", help="the bootstrap executable")
    source.add_argument("--zip", help="the shipped artifact (dist/bootstrap.zip): its bootstrap is measured")
    parser.add_argument("--event", default=str(HERE.parent / "events" / "upload-single.json"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--rounds", type=int, default=10, help="invocations per worker")
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--time-limit", type=float, default=120, help="seconds per run")
    parser.add_argument("--out", default=".build/bench/concurrency.json")
    args = parser.parse_args(argv)
    event = Path(args.event).read_bytes()
    latency = args.latency_ms / 1000

    binary = binary_from(args, Path(args.out).parent / "artifact")
    rows = [measure(binary, event, n, args.rounds, latency, args.time_limit) for n in args.workers]
    base = next((r for r in rows if r["workers"] == 1), rows[0])
    print("\nConcurrent invocations: backend latency %.0f ms, %d invocations per worker" % (args.latency_ms, args.rounds))
    print("| N | invocations/s | N/latency | ratio | peak in flight | CPU/invocation | vs N=1 | peak RSS | RSS target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        target_kib = (12 + 0.25 * r["workers"]) * 1024
        r["ratio"] = r["throughput"] / r["ideal"]
        r["cpuVsOne"] = r["cpuPerInvocationUs"] / base["cpuPerInvocationUs"]
        print("| %d | %.1f | %.1f | %.2fx %s | %d | %.0f us | %.2fx %s | %.1f MiB | %.1f MiB %s |" % (
            r["workers"], r["throughput"], r["ideal"], r["ratio"], "PASS" if r["ratio"] >= 0.9 else "FAIL",
            r["peakInFlight"], r["cpuPerInvocationUs"], r["cpuVsOne"], "PASS" if r["cpuVsOne"] <= 1.3 else "FAIL",
            r["peakRssKiB"] / 1024, target_kib / 1024, "PASS" if r["peakRssKiB"] <= target_kib else "FAIL"))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"latencyMs": args.latency_ms, "rounds": args.rounds, "runs": rows}, indent=2))
    print("→ %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
