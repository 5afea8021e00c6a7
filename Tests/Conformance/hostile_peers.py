"""Peers that misbehave at the byte level, for testing the real bootstrap against them: a Runtime API whose
`next` answers are scripted raw bytes, and a webhook backend whose answers are too. Loopback only, one
thread each, every wait bounded."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

LOOPBACK = "127.0.0.1"

# What an answer can be: raw bytes, or a function that gets the connection and does as it likes.
Answer = Union[bytes, Callable[[socket.socket], None]]


def http_response(status: int = 200, headers: Optional[list] = None, body: bytes = b"",
                  content_length: Optional[int] = None) -> bytes:
    """A raw HTTP/1.1 response; `content_length` may lie about `body`."""
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or [])]
    lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def next_answer(request_id: str, event: bytes, deadline_ms: Optional[int] = None, extra_headers=(),
                content_length: Optional[int] = None, omit: tuple = ()) -> bytes:
    """A `next` answer; `omit` leaves out some of the Lambda-Runtime-* headers."""
    deadline = deadline_ms if deadline_ms is not None else int(time.time() * 1000) + 30_000
    headers = [("Lambda-Runtime-Aws-Request-Id", request_id), ("Lambda-Runtime-Deadline-Ms", str(deadline)),
               ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:f"),
               ("Content-Type", "application/json"), *extra_headers]
    headers = [(k, v) for k, v in headers if k not in omit]
    return http_response(200, headers, event, content_length)


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class RawServer:
    """Accepts connections on 127.0.0.1, reads one request at a time (keep-alive), and answers each with
    the next scripted answer for its route (`route(method, path)`), or with `default(method, path)`."""
    route: Callable[[str, str], str]
    default: Callable[[str, str], Answer]
    scripts: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.Condition()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def script(self, route: str, *answers: Answer) -> None:
        with self.lock:
            self.scripts.setdefault(route, []).extend(answers)

    def wait_for(self, predicate: Callable[[list], bool], timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate(self.requests) and time.monotonic() < deadline:
                self.lock.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            return list(self.requests)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        buffer = b""
        try:
            for _ in range(10_000):  # requests on one keep-alive connection, bounded
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                while len(buffer) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                route = self.route(method, path)
                with self.lock:
                    self.requests.append(Received(method, path, headers, body))
                    self.lock.notify_all()
                    queued = self.scripts.get(route) or []
                    answer = queued.pop(0) if queued else None
                if answer is None:
                    answer = self.default(method, path)
                if callable(answer):
                    answer(conn)
                    return
                conn.sendall(answer)
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass


def runtime_api(event: bytes) -> RawServer:
    """A Runtime API: `next` hands out `event` with a fresh request id unless scripted; posts get 202."""
    counter = iter(range(1, 1_000_000))

    def route(method: str, path: str) -> str:
        return "next" if path.endswith("/invocation/next") else "post"

    def default(method: str, path: str) -> Answer:
        if path.endswith("/invocation/next"):
            return next_answer(f"req-{next(counter)}", event)
        return http_response(202, [("Content-Type", "application/json")], b'{"status":"OK"}')
    return RawServer(route, default)


def backend() -> RawServer:
    """A webhook backend answering 200 unless scripted."""
    return RawServer(lambda method, path: "webhook",
                     lambda method, path: http_response(200, [("Content-Type", "application/json")], b"{}"))


def endless_body(conn: socket.socket) -> None:
    """200 with a chunked body that never ends (bounded: it stops after 60 s or when the peer leaves)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn.sendall(chunk)


def ok_then_reset(conn: socket.socket) -> None:
    """Headers of a 200 promising a body, part of it, then a TCP reset."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"rec")
    time.sleep(0.05)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def posts(server: RawServer, kind: str) -> list:
    """The bodies posted to /response or /error, decoded as JSON."""
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/" + kind)]
