"""The run harness of `make bench`: the C receiver, a contender's process under the exec shim, and the
measurements themselves — 1. a cold start, RIE init, 2. a warm run, 3. sizes, 4. the micro-benchmarks'
export. Everything listens on 127.0.0.1 only; every wait is bounded."""

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import zipfile
from pathlib import Path

import procstats
from contenders import HERE, SHIM_IN_ROOT, contender_env
from fake_runtime_api import FakeRuntimeAPI  # Tests/Conformance, on the path through contenders
from verification import response_ok, verify_dump


class Receiver:
    """The C webhook receiver (receiver/receiver.c) as a child process; HTTPS when given tls."""

    def __init__(self, binary, dump=None, dump_count=3, max_seconds=900, tls=None):
        command = [str(binary), "--port", "0", "--max-seconds", str(max_seconds)]
        if dump:
            command += ["--dump", str(dump), "--dump-count", str(dump_count)]
        if tls:
            command += ["--tls-cert", str(tls.cert), "--tls-key", str(tls.key)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError("the receiver did not start: %r" % line)
        self.port = int(line.split()[1])
        self.scheme = "https" if tls else "http"
        self.url = "%s://localhost:%d" % (self.scheme, self.port)
        self.tls_failures = None
        self.handshakes = None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            out, _ = self.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        match = re.search(r"COUNT (\d+) CONNECTIONS (\d+)(?: HANDSHAKES (\d+) TLS_FAILURES (\d+))?", out or "")
        if match and match.group(3) is not None:
            self.handshakes, self.tls_failures = int(match.group(3)), int(match.group(4))
        return (int(match.group(1)), int(match.group(2))) if match else (None, None)


class Launch:
    """One contender process, started through the exec shim (preexec/preexec.c) — inside the root
    for bootstrap — so its CPU before exec'ing the runtime is known and left out."""

    def __init__(self, contender, env, log, shim):
        self.contender = contender
        read_end, write_end = os.pipe()
        argv = [SHIM_IN_ROOT if contender.root is not None else str(shim), str(write_end)] + contender.command
        if contender.root is not None:
            argv = contender.root.wrap(argv)
        try:
            self.process = subprocess.Popen(argv, cwd=contender.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        self.read_end = read_end
        self._pid = None

    @property
    def pid(self):
        """The runtime's host pid: the process itself, or the child of `unshare --fork` (pid 1 inside)."""
        if self._pid is None:
            if self.contender.root is None:
                self._pid = self.process.pid
            else:
                deadline = time.monotonic() + 5
                while self._pid is None:
                    try:
                        children = Path("/proc/%d/task/%d/children" % (self.process.pid, self.process.pid)).read_text().split()
                    except OSError:
                        children = []
                    if children:
                        self._pid = int(children[0])
                    elif time.monotonic() > deadline or self.process.poll() is not None:
                        raise RuntimeError("no child of unshare (pid %d)" % self.process.pid)
                    else:
                        time.sleep(0.001)
        return self._pid

    def preexec_ns(self):
        """The task's CPU before it exec'd the runtime, as the shim wrote it (once the process is gone)."""
        try:
            text = os.read(self.read_end, 64).decode().strip()
        finally:
            os.close(self.read_end)
        return int(text) if text.isdigit() else None


def kill_and_reap(process, sig=signal.SIGKILL, grace=3.0):
    """Signals the process group, reaps the leader; returns its rusage CPU in ns (all threads)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while True:
        pid, _, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = -1  # reaped here: keep Popen from waiting again
            process.rusage = usage
            return int((usage.ru_utime + usage.ru_stime) * 1e9)
        if time.monotonic() > deadline:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
        time.sleep(0.002)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=15):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, p):
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def cold_start(contender, scheme, event, receivers, out, shim, expected):
    """One fresh process, one invocation: init CPU at the first `next`, the first invocation's at the second."""
    snaps = {}
    api = FakeRuntimeAPI(event, invocations=1, max_seconds=20)
    launch = None

    def on_next(index, arrived):
        snaps[index] = dict(procstats.snapshot(launch.pid), at_ns=arrived)

    api.on_next = on_next
    env = contender_env(out, api.address, receivers[scheme].url, contender)
    with open(out / "logs" / ("%s-cold-%s.log" % (contender.slug, scheme)), "ab") as log:
        before = time.perf_counter_ns()
        launch = Launch(contender, env, log, shim)
        process = launch.process
        try:
            reason = api.serve(process)
        finally:
            if process.returncode is None:
                kill_and_reap(process)
            api.close()
    preexec = launch.preexec_ns()
    if reason != "done" or 0 not in snaps or 1 not in snaps:
        raise RuntimeError("%s cold start (%s): %s\n%s" % (contender.name, scheme, reason, tail(log.name)))
    if not response_ok(api, expected):
        raise RuntimeError("%s cold start (%s) answered %r\n%s" % (contender.name, scheme, api.responses[:1], tail(log.name)))
    if preexec is None:
        raise RuntimeError("%s cold start (%s): the exec shim wrote no figure" % (contender.name, scheme))
    init, first = snaps[0], snaps[1]
    sample = {
        "scheme": scheme,
        "preexec_cpu_ns": preexec,
        "init_cpu_ns": init["cpu_ns"] - preexec,
        "first_cpu_ns": first["cpu_ns"] - init["cpu_ns"],
        "init_plus_first_cpu_ns": first["cpu_ns"] - preexec,
        "stat_cpu_ns": first["stat_cpu_ns"],
        "init_rss_kb": init["rss_kb"], "first_rss_kb": first["rss_kb"], "first_hwm_kb": first["hwm_kb"],
        "init_minor_faults": init["minor_faults"], "first_minor_faults": first["minor_faults"] - init["minor_faults"],
        "threads": first["threads"],
        "init_wall_ns": init["at_ns"] - before,
        "first_wall_ns": api.latencies_ns()[0],
    }
    return sample


def rie_init(contender, rie, event, receiver_url, out):
    """One start under the real RIE (bootstrap: the RIE inside the root too); returns INIT REPORT durationMs."""
    api_port, invoke_port = free_port(), free_port()
    while invoke_port == api_port:
        invoke_port = free_port()
    env = contender_env(out, None, receiver_url, contender)
    log_path = out / "logs" / ("%s-rie.log" % contender.slug)
    rie_path = contender.root.rie_path if contender.root is not None else str(rie)
    command = [rie_path, "--runtime-api-address", "127.0.0.1:%d" % api_port,
               "--runtime-interface-emulator-address", "127.0.0.1:%d" % invoke_port] + contender.command
    if contender.root is not None:
        command = contender.root.wrap(command)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=contender.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", invoke_port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("the RIE did not listen\n" + tail(log_path))
                    time.sleep(0.01)
            connection = http.client.HTTPConnection("127.0.0.1", invoke_port, timeout=30)
            connection.request("POST", "/2015-03-31/functions/function/invocations", body=event,
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
            connection.close()
            if response.status != 200 or b'"delivered":1' not in answer.replace(b" ", b""):
                raise RuntimeError("%s under the RIE answered %d %r\n%s" % (contender.name, response.status, answer[:300], tail(log_path)))
            deadline = time.monotonic() + 3
            while True:
                match = re.search(rb"INIT REPORT\(durationMs: ([0-9.]+)\)", log_path.read_bytes())
                if match:
                    return float(match.group(1))
                if time.monotonic() > deadline:
                    raise RuntimeError("no INIT REPORT from the RIE\n" + tail(log_path))
                time.sleep(0.01)
        finally:
            if process.returncode is None:
                kill_and_reap(process, signal.SIGTERM, grace=3)


def warm(contender, scheme, event, args, out, expected, tls, shim):
    dump = out / ("webhooks-%s-%s.txt" % (contender.slug, scheme))
    receiver = Receiver(args.receiver, dump=dump, dump_count=3, tls=tls if scheme == "https" else None)
    marks = {}
    launch = None
    total = args.warmup + args.warm

    def mark(name, arrived):
        snap = procstats.snapshot(launch.pid)
        snap.update(at_ns=arrived, receiver_cpu_ns=procstats.cpu_ns(receiver.process.pid),
                    api_cpu_ns=time.thread_time_ns())
        marks[name] = snap

    def on_next(index, arrived):
        # Bounded in count and in time: a contender that reconnects per invocation (Python's urllib over
        # HTTPS: a new TLS context, the whole CA bundle and a handshake each time) stops at the budget.
        if index == args.warmup:
            mark("before", arrived)
        elif index > args.warmup and (index == total or arrived - marks["before"]["at_ns"] >= args.warm_budget * 1e9):
            mark("after", arrived)
            marks["after"]["index"] = index
            return True
        return None

    api = FakeRuntimeAPI(event, invocations=total, on_next=on_next, max_seconds=args.warm_seconds)
    env = contender_env(out, api.address, receiver.url, contender)
    log_path = out / "logs" / ("%s-warm-%s.log" % (contender.slug, scheme))
    with open(log_path, "wb") as log:
        launch = Launch(contender, env, log, shim)
        process = launch.process
        try:
            reason = api.serve(process)
        finally:
            if process.returncode is None:
                kill_and_reap(process, signal.SIGTERM, grace=3)
            api.close()
            received, connections = receiver.stop()
            launch.preexec_ns()
    if reason != "done" or "after" not in marks:
        raise RuntimeError("%s warm run (%s): %s after %d invocations\n%s" % (contender.name, scheme, reason, api.handed_out, tail(log_path)))

    before, after = marks["before"], marks["after"]
    n = after["index"] - args.warmup
    latencies = api.latencies_ns(first=args.warmup)
    kinds = [kind for _, _, kind, _ in api.responses]
    seconds = (after["at_ns"] - before["at_ns"]) / 1e9
    return {
        "scheme": scheme,
        "invocations": n,
        "warmup": args.warmup,
        "p50_ms": percentile(latencies, 50) / 1e6,
        "p99_ms": percentile(latencies, 99) / 1e6,
        "mean_ms": statistics.fmean(latencies) / 1e6,
        "max_ms": max(latencies) / 1e6,
        "inv_per_s": n / seconds,
        "cpu_us_per_inv": (after["cpu_ns"] - before["cpu_ns"]) / n / 1e3,
        "stat_cpu_us_per_inv": (after["stat_cpu_ns"] - before["stat_cpu_ns"]) / n / 1e3,
        "ctx_per_inv": ((after["ctx_voluntary"] - before["ctx_voluntary"])
                        + (after["ctx_involuntary"] - before["ctx_involuntary"])) / n,
        "ctx_voluntary_per_inv": (after["ctx_voluntary"] - before["ctx_voluntary"]) / n,
        "ctx_involuntary_per_inv": (after["ctx_involuntary"] - before["ctx_involuntary"]) / n,
        "peak_rss_mib": after["hwm_kb"] / 1024,
        "rss_after_mib": after["rss_kb"] / 1024,
        "threads": after["threads"],
        "receiver_cpu_us_per_request": (after["receiver_cpu_ns"] - before["receiver_cpu_ns"]) / n / 1e3,
        "fake_api_cpu_us_per_inv": (after["api_cpu_ns"] - before["api_cpu_ns"]) / n / 1e3,
        "responses": len(kinds),
        "errors": kinds.count("error"),
        "webhooks_received": received,
        "receiver_connections": connections,
        "tls_handshakes": receiver.handshakes,
        "tls_failures": receiver.tls_failures,
        "response_ok": response_ok(api, expected),
        "webhook_check": verify_dump(dump, *expected),
    }


def zip_one(archive, name, data, mode):
    """A deflate-9 zip holding one file, as Lambda gets it (fixed timestamp, Unix mode)."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    return archive.stat().st_size


def sizes(contender, out):
    if contender.zip_path is not None:
        # The shipped artifact as it is: dist/bootstrap.zip and the (already stripped) executable in it.
        with zipfile.ZipFile(contender.zip_path) as z:
            entry = z.getinfo("bootstrap")
        return {"binary_bytes": entry.file_size, "stripped_bytes": entry.file_size,
                "zip_bytes": Path(contender.zip_path).stat().st_size}
    archive = out / "zip" / ("%s.zip" % contender.slug)
    if contender.binary is None:
        # Python: what a python3.x function ships is its handler; the runtime is Lambda's.
        return {"stripped_bytes": None,
                "zip_bytes": zip_one(archive, "handler.py", (HERE / "python_peer" / "handler.py").read_bytes(), 0o644),
                "note": "handler.py only; the interpreter and awslambdaric are the managed runtime's"}
    stripped = out / "stripped" / contender.slug / "bootstrap"
    stripped.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["strip", "-o", str(stripped), str(contender.binary)], check=True)
    return {"binary_bytes": Path(contender.binary).stat().st_size, "stripped_bytes": stripped.stat().st_size,
            "zip_bytes": zip_one(archive, "bootstrap", stripped.read_bytes(), 0o755)}


def micro(path):
    """Per-record numbers from ordo-one/benchmark's JMH export (samples of 1000 records)."""
    text = Path(path).read_text()
    data = json.loads(text[text.index("[{"):])
    rows = []
    for element in data:
        name = element["benchmark"].split(".NotifierMicro.", 1)[1].replace("_", " ")
        metrics = element["secondaryMetrics"]
        cpu = metrics["threadCPUNanosPerRecord"]["scorePercentiles"]
        wall = metrics["Time (wall clock)"]["scorePercentiles"]  # μs per 1000-record sample = ns per record
        mallocs = metrics.get("Malloc (total)", {}).get("scorePercentiles", {})
        rows.append({
            "stage": name,
            "cpu_ns_per_record_p50": cpu["50.0"], "cpu_ns_per_record_p90": cpu["90.0"],
            "wall_ns_per_record_p50": wall["50.0"],
            "mallocs_per_record": mallocs["50.0"] / 1000 if mallocs else None,
            "samples": element["measurementIterations"],
        })
    rows.sort(key=lambda r: r["stage"])
    return rows
