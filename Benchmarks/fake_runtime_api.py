"""A fake Lambda Runtime API (2018-06-01) on loopback, for measuring a runtime from outside.

It hands out one event per `GET /runtime/invocation/next`, accepts `/response` and `/error` posts,
and calls a hook the moment each `next` arrives, *before* answering it: the function process is then
blocked in its long poll, so its /proc counters are still. The first `next` is the end of cold start.
It stops (leaving that `next` unanswered) once the given number of invocations were handed out and
the following `next` arrived (with `drain`, once every one of them was also answered: several
workers poll at once), when the hook returns True for a `next`, when the watched process exits, or
at its time limit. It registers extensions (`/2020-01-01/extension/register`) and leaves their
`event/next` unanswered, as Lambda does for an extension subscribed to no event.

Single thread, `selectors`, hand-rolled HTTP/1.1 parsing with keep-alive: it only ever serves one
function process, and it is idle while the function works, so its own cost stays out of the
latencies it records (event sent → response received).

Standalone, for poking at a runtime by hand:
    python3 fake_runtime_api.py --event ../events/upload-single.json --invocations 3 -- ./bootstrap
"""

import os
import selectors
import socket
import subprocess
import sys
import time

ACCEPTED = (b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
            b'{"status":"OK"}')
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:audio-upload-notifier-bench"


class Connection:
    __slots__ = ("sock", "buf", "continued", "last_head")

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.continued = False
        self.last_head = b""


class FakeRuntimeAPI:
    def __init__(self, event, invocations, on_next=None, max_seconds=120.0, trace=True, drain=False):
        self.event = event
        self.invocations = invocations
        self.on_next = on_next
        self.max_seconds = max_seconds
        self.trace = trace
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.address = "127.0.0.1:%d" % self.port
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        self.handed_out = 0          # events sent
        self.next_arrivals = []      # perf_counter_ns of each `next` arrival, in order
        self.sent_ns = {}            # request id → when its event was sent
        self.responses = []          # (request id, perf_counter_ns, "response"|"error", body)
        self.init_errors = []
        self.drain = drain
        self.peak_in_flight = 0       # handed out and not yet answered, at the most
        self.extensions = []          # Lambda-Extension-Name of each registration
        self.stop_reason = None
        self._stop = False

    # -- protocol ---------------------------------------------------------------------------------

    def _answer_next(self, conn):
        request_id = "bench-%08d" % self.handed_out
        deadline_ms = int(time.time() * 1000) + 60_000
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Lambda-Runtime-Aws-Request-Id: %s\r\nLambda-Runtime-Deadline-Ms: %d\r\n"
            "Lambda-Runtime-Invoked-Function-Arn: %s\r\n" % (request_id, deadline_ms, FUNCTION_ARN)
        )
        if self.trace:
            head += "Lambda-Runtime-Trace-Id: Root=1-67891233-%024x;Parent=%016x;Sampled=0\r\n" % (
                self.handed_out, self.handed_out + 1)
        head += "Content-Length: %d\r\n\r\n" % len(self.event)
        conn.sock.sendall(head.encode() + self.event)
        self.sent_ns[request_id] = time.perf_counter_ns()
        self.handed_out += 1
        self.peak_in_flight = max(self.peak_in_flight, self.handed_out - len(self.responses))

    def _handle(self, conn, method, path, body, arrived):
        if method == b"GET" and path.endswith(b"/runtime/invocation/next"):
            index = len(self.next_arrivals)
            self.next_arrivals.append(arrived)
            stop = self.on_next(index, arrived) if self.on_next is not None else None
            if stop is True or (self.handed_out >= self.invocations and not self.drain):
                self.stop_reason = "done"
                self._stop = True  # leave this long poll unanswered
                return
            if self.handed_out >= self.invocations:
                return  # draining: this poll stays unanswered while the others finish
            self._answer_next(conn)
            return
        if method == b"POST" and b"/runtime/invocation/" in path:
            parts = path.split(b"/")
            kind = parts[-1].decode()
            request_id = parts[-2].decode()
            if kind in ("response", "error"):
                self.responses.append((request_id, arrived, kind, body))
                conn.sock.sendall(ACCEPTED)
                if self.drain and len(self.responses) >= self.invocations:
                    self.stop_reason = "done"
                    self._stop = True
                return
        if method == b"POST" and path.endswith(b"/2020-01-01/extension/register"):
            name = b""
            for line in conn.last_head.split(b"\r\n"):
                if line.lower().startswith(b"lambda-extension-name:"):
                    name = line.split(b":", 1)[1].strip()
            self.extensions.append(name.decode(errors="replace"))
            conn.sock.sendall(b"HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: bench-extension-%d\r\n"
                              b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" % len(self.extensions))
            return
        if method == b"GET" and path.endswith(b"/2020-01-01/extension/event/next"):
            return  # subscribed to no event: never answered
        if method == b"POST" and path.endswith(b"/runtime/init/error"):
            self.init_errors.append(body)
            conn.sock.sendall(ACCEPTED)
            return
        conn.sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def _parse(self, conn):
        while True:
            buf = conn.buf
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = buf[:end]
            line_end = head.find(b"\r\n")
            request_line = head[:line_end] if line_end >= 0 else head
            lower = head.lower()
            length = 0
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                value_end = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17:value_end if value_end >= 0 else len(lower)].strip())
            total = end + 4 + length
            if len(buf) < total:
                if not conn.continued and b"\r\nexpect: 100-continue" in lower:
                    conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                    conn.continued = True
                return
            arrived = time.perf_counter_ns()
            body = buf[end + 4:total]
            conn.buf = buf[total:]
            conn.continued = False
            method, path = request_line.split(b" ")[:2]
            conn.last_head = head
            self._handle(conn, method, path, body, arrived)
            if self._stop:
                return

    # -- loop -------------------------------------------------------------------------------------

    def serve(self, process=None):
        """Serves until done, the process exits, or the time limit; returns the stop reason."""
        limit = time.monotonic() + self.max_seconds
        while not self._stop:
            if time.monotonic() > limit:
                self.stop_reason = "timeout"
                break
            if process is not None and process.poll() is not None:
                self.stop_reason = "exited %s" % process.returncode
                break
            for key, _ in self.selector.select(0.2):
                if key.data is None:
                    try:
                        sock, _ = self.listener.accept()
                    except BlockingIOError:
                        continue
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sock.settimeout(10)
                    self.selector.register(sock, selectors.EVENT_READ, Connection(sock))
                    continue
                conn = key.data
                try:
                    data = conn.sock.recv(262144)
                except OSError:
                    data = b""
                if not data:
                    self.selector.unregister(conn.sock)
                    conn.sock.close()
                    continue
                conn.buf += data
                self._parse(conn)
                if self._stop:
                    break
        return self.stop_reason

    def close(self):
        for key in list(self.selector.get_map().values()):
            try:
                key.fileobj.close()
            except OSError:
                pass
        self.selector.close()

    def latencies_ns(self, first=0):
        """Event sent → response received, for invocations handed out from index `first` on."""
        out = []
        for request_id, arrived, _, _ in self.responses:
            if int(request_id.rsplit("-", 1)[1]) >= first:
                out.append(arrived - self.sent_ns[request_id])
        return out


def main(argv):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--event", required=True)
    parser.add_argument("--invocations", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=30)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    with open(args.event, "rb") as f:
        event = f.read()
    api = FakeRuntimeAPI(event, args.invocations, max_seconds=args.max_seconds)
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address)
    process = subprocess.Popen(args.command, env=env)
    try:
        reason = api.serve(process)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        api.close()
    for request_id, _, kind, body in api.responses:
        print("%s %s %s" % (request_id, kind, body.decode(errors="replace")))
    print("stopped: %s" % reason, file=sys.stderr)
    return 0 if reason == "done" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
