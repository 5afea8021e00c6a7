"""Pytest-free harness for the conformance suite: the AWS Lambda Runtime Interface Emulator (RIE) as a
subprocess, a loopback webhook receiver that verifies Standard Webhooks signatures with the independent
`standardwebhooks` package, and S3 event builders.

Everything talks to 127.0.0.1 only; every wait has a timeout and every loop a bound.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LOOPBACK = "127.0.0.1"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
DEFAULT_WEBHOOK_PATH = "/api/v1/audio-files/webhooks/upload-notification"

INIT_REPORT_RE = re.compile(r"INIT REPORT\(durationMs: ([0-9.]+)\)")
INIT_START_RE = re.compile(r"INIT START\(")


class MissingArtifact(RuntimeError):
    """A binary or the RIE is not where the suite expects it."""


# ---------------------------------------------------------------------------------------------------------------
# Paths


def bootstrap_path() -> Path:
    return Path(os.environ.get("BOOTSTRAP") or REPO / ".build" / "debug" / "bootstrap")


def echo_lambda_path() -> Path:
    return Path(os.environ.get("ECHO_LAMBDA") or REPO / ".build" / "debug" / "echo-lambda")


def rie_path() -> Path:
    if os.environ.get("RIE"):
        return Path(os.environ["RIE"])
    cache = Path(os.environ.get("RIE_CACHE") or REPO / ".build" / "rie")
    return cache / "aws-lambda-rie"


def require_executable(path: Path, what: str, hint: str) -> Path:
    if not path.is_file():
        raise MissingArtifact(f"{what} not found at {path}: {hint}")
    if not os.access(path, os.X_OK):
        raise MissingArtifact(f"{what} at {path} is not executable: {hint}")
    return path


def require_rie() -> Path:
    return require_executable(
        rie_path(), "the AWS Lambda Runtime Interface Emulator",
        "run `bash Tests/Conformance/fetch_rie.sh` (or `make rie`), or set RIE=/path/to/aws-lambda-rie")


def require_bootstrap() -> Path:
    return require_executable(
        bootstrap_path(), "the bootstrap binary", "run `swift build --product bootstrap`, or set BOOTSTRAP=")


def require_echo_lambda() -> Path:
    return require_executable(
        echo_lambda_path(), "the echo-lambda binary", "run `swift build --product echo-lambda`, or set ECHO_LAMBDA=")


# ---------------------------------------------------------------------------------------------------------------
# Ports


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (bound to 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    return free_port()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.2):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------------------
# The RIE


@dataclass
class InvokeResult:
    status: int
    headers: dict
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"invoke body is not JSON (HTTP {self.status}): {self.text[:500]!r}") from e

    def __repr__(self) -> str:
        return f"InvokeResult(status={self.status}, elapsed={self.elapsed:.3f}s, body={self.text[:300]!r})"


def _descendants(pid: int, limit: int = 64) -> list[int]:
    """Pids of pid's descendants, from /proc (bounded)."""
    found: list[int] = []
    todo = [pid]
    while todo and len(found) < limit:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                continue
            for k in kids:
                if k not in found:
                    found.append(k)
                    todo.append(k)
    return found


def _exe_of(pid: int) -> Optional[str]:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


class RIEProcess:
    """One `aws-lambda-rie` running one function binary, on two free loopback ports.

    The environment is controlled: only a minimal PATH/HOME/LANG plus `env` (the RIE forwards its whole
    environment to the function). stdout and stderr (the RIE's own lines and the function's output) go to
    one log file.
    """

    def __init__(self, binary: Union[str, Path], env: Optional[Mapping[str, Optional[str]]] = None,
                 log_path: Optional[Union[str, Path]] = None, rie: Optional[Path] = None,
                 startup_timeout: float = 10.0, root: Any = None):
        """`root`: a lambda_root.LambdaRoot. The RIE and `binary` (a path inside it, e.g. /var/task/bootstrap)
        then run in that root, in their own mount and pid namespaces, as Lambda runs them in its image."""
        self.root = root
        self.binary = Path(binary) if root is not None else Path(binary).resolve()  # the RIE runs it elsewhere
        self.rie = Path(rie).resolve() if rie else require_rie().resolve()
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self._own_tmp: Optional[tempfile.TemporaryDirectory] = None
        if log_path is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="rie-")
            log_path = Path(self._own_tmp.name) / "rie.log"
        self.log_path = Path(log_path)
        self.proc: Optional[subprocess.Popen] = None
        self.api_port = 0
        self.port = 0
        self._known_children: list[int] = []

    # -- lifecycle -------------------------------------------------------------------------------------------

    def environment(self) -> dict:
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.log_path.parent),
            "LANG": "C.UTF-8",
        }
        if self.root is not None:
            # What Lambda sets in an OS-only runtime's sandbox.
            env.update({"HOME": "/tmp", "LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
                        "LD_LIBRARY_PATH": "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"})
        elif os.environ.get("LD_LIBRARY_PATH"):
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        for k, v in self.extra_env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def start(self) -> "RIEProcess":
        last_error = ""
        for _attempt in range(3):  # a port taken between choosing and binding: try new ones, 3 times at most
            self.api_port, self.port = free_port(), free_port()
            while self.port == self.api_port:
                self.port = free_port()
            log = open(self.log_path, "ab")
            command = [str(self.rie) if self.root is None else self.root.rie_path,
                       "--runtime-api-address", f"{LOOPBACK}:{self.api_port}",
                       "--runtime-interface-emulator-address", f"{LOOPBACK}:{self.port}",
                       str(self.binary)]
            if self.root is not None:
                command = self.root.wrap(command)
            try:
                self.proc = subprocess.Popen(
                    command,
                    env=self.environment(), cwd=str(self.log_path.parent),
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            finally:
                log.close()
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _port_open(self.port):
                    return self
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.stop()
                raise RuntimeError(f"the RIE did not listen on {LOOPBACK}:{self.port} within "
                                   f"{self.startup_timeout}s; log:\n{self.log_tail()}")
            last_error = self.log_tail()
            if "address already in use" not in last_error:
                break
        raise RuntimeError(f"the RIE exited at start (status {self.proc.returncode}); log:\n{last_error}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self._remember_children()
        if self.root is not None and self.proc.poll() is None:
            # unshare ignores SIGTERM while it waits; its process group (the RIE, the function) does not.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    pass
        # The RIE puts the function in its own process group and SIGKILLs it on SIGTERM; make sure.
        for pid in self._known_children:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc = None

    def close(self) -> None:
        self.stop()
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def __enter__(self) -> "RIEProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- invoking -------------------------------------------------------------------------------------------

    @property
    def invoke_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}{INVOKE_PATH}"

    def invoke(self, payload: Any = b"{}", headers: Optional[Mapping[str, str]] = None,
               timeout: float = 30.0) -> InvokeResult:
        if isinstance(payload, (bytes, bytearray)):
            body = bytes(payload)
        elif isinstance(payload, str):
            body = payload.encode()
        else:
            body = json.dumps(payload).encode()
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        start = time.monotonic()
        try:
            conn.request("POST", INVOKE_PATH, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            result = InvokeResult(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                                  time.monotonic() - start)
        finally:
            conn.close()
        self._remember_children()
        return result

    # -- observing -----------------------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def init_starts(self) -> int:
        """How many times the RIE (re)started the function (`INIT START(` lines)."""
        return len(INIT_START_RE.findall(self.log_text()))

    def init_report_durations(self) -> list[float]:
        return [float(x) for x in INIT_REPORT_RE.findall(self.log_text())]

    def function_pids(self) -> list[int]:
        """Pids of the function processes now running under the RIE (matched by executable)."""
        if self.proc is None:
            return []
        target = os.path.realpath(self.binary)
        pids = []
        for pid in _descendants(self.proc.pid):
            exe = _exe_of(pid)
            if exe is not None and os.path.realpath(exe.removesuffix(" (deleted)")) == target:
                pids.append(pid)
        return pids

    def _remember_children(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            for pid in _descendants(self.proc.pid):
                if pid not in self._known_children:
                    self._known_children.append(pid)


def init_report_durations(binary: Union[str, Path], n: int, env: Optional[Mapping[str, str]] = None,
                          event: Any = None, invoke_timeout: float = 30.0) -> list[float]:
    """Start the RIE n times with `binary`, invoke each once (the RIE initialises lazily, on the first
    invoke) and return the `INIT REPORT(durationMs: …)` of each start, in milliseconds.

    `event` defaults to {} for echo-lambda-like binaries; for the bootstrap pass e.g. the S3 test event and
    an env with API_BASE_URL / WEBHOOK_API_KEY. Fails (RuntimeError) if an init does not succeed.
    """
    binary = Path(binary)
    require_executable(binary, "the function binary", "build it first")
    durations: list[float] = []
    for i in range(int(n)):
        with RIEProcess(binary, env=env) as rie:
            result = rie.invoke({} if event is None else event, timeout=invoke_timeout)
            reports = rie.init_report_durations()
            if "INIT RTDONE(status: success)" not in rie.log_text() or not reports:
                raise RuntimeError(f"run {i}: init did not succeed (HTTP {result.status} {result.text[:200]!r});"
                                   f" log:\n{rie.log_tail()}")
            durations.append(reports[0])
    return durations


# ---------------------------------------------------------------------------------------------------------------
# The webhook receiver


def new_signing_secret(nbytes: int = 32) -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(nbytes)).decode()


@dataclass
class Reply:
    """What the receiver answers to one request."""
    status: int = 200
    body: bytes = b'{"received":true}'
    headers: Sequence[tuple] = ()
    delay: float = 0.0          # seconds to wait before answering (interrupted at shutdown)
    drop: bool = False          # close the connection without any response


@dataclass
class Received:
    method: str
    path: str
    headers: dict               # lower-case name -> value (repeated names joined with ", ")
    raw_headers: list           # [(name, value)] as sent
    body: bytes
    at: float                   # time.monotonic() when the body had been read
    api_key_ok: bool
    verified: list = field(default_factory=list)        # per configured secret: True / error text
    json: Any = None

    @property
    def signature_ok(self) -> bool:
        return bool(self.verified) and all(v is True for v in self.verified)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


class WebhookReceiver:
    """Threaded HTTP server on 127.0.0.1:0 that records every request, answers from a script and verifies
    `X-Webhook-Api-Key` and the Standard Webhooks headers with `standardwebhooks.Webhook(secret).verify`."""

    def __init__(self, api_key: str, secrets_: Union[str, bytes, Iterable[Union[str, bytes]], None],
                 default: Optional[Reply] = None, tls: Optional["ssl.SSLContext"] = None):
        """`tls`: serve HTTPS with this server context, at https://localhost:PORT."""
        try:
            from standardwebhooks import Webhook  # the independent implementation, never ours
        except ImportError as e:
            raise MissingArtifact(
                "the Python package standardwebhooks is not installed: run the suite with .build/venv/bin/python "
                "(make venv) or `pip install -r Tests/Conformance/requirements.txt`") from e

        self.api_key = api_key
        if secrets_ is None:
            secrets_ = []
        elif isinstance(secrets_, (str, bytes)):
            secrets_ = [secrets_]
        self.verifiers = [Webhook(s) for s in secrets_]
        self.default = default or Reply()
        self._script: list[Reply] = []
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "ConformanceReceiver/1"

            def log_message(self, *args):  # quiet
                pass

            def _read_body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    for _ in range(10_000):
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length > 0 else b""

            def _handle(self):
                body = self._read_body()
                receiver._record(self.command, self.path, self.headers, body)
                reply = receiver._next_reply()
                if reply.delay > 0:
                    receiver._stopping.wait(min(reply.delay, 60.0))
                if reply.drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers:
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True

            do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = _handle

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

            def handle_error(self, request, client_address):  # a client that went away: not our concern
                pass

        self.server = Server((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.tls_failures = 0
        if tls is not None:
            # The handshake runs in the handler's thread (not in accept): a client that refuses our
            # certificate is counted and never reaches _record.
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
            self.url = f"https://localhost:{self.port}"

            def setup_with_handshake(handler, original=Handler.setup):
                try:
                    handler.request.do_handshake()
                except (ssl.SSLError, OSError):
                    with self._lock:
                        self.tls_failures += 1
                    raise
                original(handler)
            Handler.setup = setup_with_handshake
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"receiver-{self.port}")

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- scripting and recording ----------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Answers for the next requests, in order; after them, `default`."""
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def _record(self, method: str, path: str, headers, body: bytes) -> None:
        raw = list(headers.items())
        merged: dict = {}
        for k, v in raw:
            lk = k.lower()
            merged[lk] = f"{merged[lk]}, {v}" if lk in merged else v
        api_key_ok = merged.get("x-webhook-api-key") == self.api_key
        verified: list = []
        for wh in self.verifiers:
            try:
                wh.verify(body, {k: v for k, v in merged.items()
                                 if k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
                verified.append(True)
            except Exception as e:  # WebhookVerificationError, or a malformed header
                verified.append(f"{type(e).__name__}: {e}")
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        rec = Received(method, path, merged, raw, body, time.monotonic(), api_key_ok, verified, parsed)
        with self._arrived:
            self.requests.append(rec)
            self._arrived.notify_all()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Received]:
        """Wait (bounded) until at least n requests arrived; returns the requests so far."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
            return list(self.requests)


# ---------------------------------------------------------------------------------------------------------------
# S3 events

BUCKET = "voice-by-auribus-audio-files"
REGION = "us-east-1"
EVENT_TIME = "2026-11-29T03:44:53.123Z"


def s3_record(key: str, *, bucket: str = BUCKET, event_name: str = "ObjectCreated:Put",
              size: Optional[int] = 1048576, etag: Optional[str] = "9b2cf535f27731c974343645a3985328",
              sequencer: Optional[str] = "0062F3A1B2C3D4E5F6", version_id: Optional[str] = None,
              region: str = REGION, event_time: str = EVENT_TIME, event_source: str = "aws:s3") -> dict:
    """One S3 notification record; `key` as S3 sends it (URL-encoded)."""
    obj: dict = {"key": key}
    if sequencer is not None:
        obj["sequencer"] = sequencer
    if size is not None:
        obj["size"] = size
    if etag is not None:
        obj["eTag"] = etag
    if version_id is not None:
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": event_source,
        "awsRegion": region,
        "eventTime": event_time,
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AROAEXAMPLE:backend"},
        "requestParameters": {"sourceIPAddress": "203.0.113.10"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjs"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "audio-upload-notifier",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKEXAMPLE"},
                       "arn": f"arn:aws:s3:::{bucket}"},
            "object": obj,
        },
    }


def s3_event(*records: dict) -> dict:
    return {"Records": list(records)}


def s3_encode_key(key: str) -> str:
    """Encode an object key the way S3 notifications do (form encoding: space as '+', '/' kept)."""
    return urllib.parse.quote_plus(key, safe="/")


S3_TEST_EVENT = {
    "Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-29T03:40:00.000Z",
    "Bucket": BUCKET, "RequestId": "5582815E1AEA5ADF", "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR",
}
