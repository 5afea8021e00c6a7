"""The real bootstrap against a hostile Runtime API and a hostile backend, at the byte level. Each case must
end in a typed error, never hang past the deadline, and leave a process that serves the next invocation."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

import hostile_peers as hp
from rie_harness import s3_event, s3_record
from rie_suite import assert_no_secrets, notifier_env

UPLOAD = json.dumps(s3_event(s3_record("audio-files/u-hostile/temp/a.wav"))).encode()


@pytest.fixture
def peers(bootstrap_binary, tmp_path):
    """Factory: peers(**env) -> (runtime API, backend, process); everything stopped at teardown."""
    started = []

    def start(**env_overrides):
        api, backend = hp.runtime_api(UPLOAD), hp.backend()
        env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}",
               **notifier_env(f"http://127.0.0.1:{backend.port}", WEBHOOK_TIMEOUT_MS="2000", **env_overrides)}
        log = open(tmp_path / f"bootstrap-{len(started)}.log", "wb")
        process = subprocess.Popen([str(bootstrap_binary)], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
        started.append((api, backend, process, log))
        return api, backend, process
    yield start
    for api, backend, process, log in started:
        process.kill()
        process.wait(timeout=5)
        log.close()
        api.stop()
        backend.stop()
        assert_no_secrets(open(log.name, errors="replace").read())


def outcomes(api: hp.RawServer, count: int, timeout: float = 15.0) -> list:
    """The first `count` outcomes posted (response or error), as (path, JSON body)."""
    requests = api.wait_for(lambda rs: sum(r.method == "POST" for r in rs) >= count, timeout)
    return [(r.path, json.loads(r.body)) for r in requests if r.method == "POST"][:count]


def serves_on(api: hp.RawServer, backend: hp.RawServer, posted_before: int) -> None:
    """The process is alive and delivers the next, ordinary invocation."""
    posted = outcomes(api, posted_before + 1)
    assert len(posted) == posted_before + 1, "no outcome for the ordinary invocation after the hostile one"
    path, body = posted[-1]
    assert path.endswith("/response") and body.get("delivered") == 1, posted[-1]


def test_a_next_body_longer_than_its_content_length(peers):
    api, backend, process = peers()
    api.script("next", hp.next_answer("req-long", UPLOAD + b"   trailing garbage the length does not cover",
                                      content_length=len(UPLOAD)))
    [(path, body)] = outcomes(api, 1)
    # The event is what Content-Length covers; the garbage must not become the next answer.
    assert path.endswith("/req-long/response") and body["delivered"] == 1, (path, body)
    serves_on(api, backend, 1)
    assert process.poll() is None


def test_a_one_megabyte_header(peers):
    api, backend, process = peers()
    api.script("next", hp.next_answer("req-huge", UPLOAD, extra_headers=[("X-Padding", "a" * (1 << 20))]))
    # libcurl refuses the header; the runtime counts it a Runtime API fault and asks again.
    serves_on(api, backend, 0)
    assert not any("req-huge" in r.path for r in api.requests)
    assert process.poll() is None


def test_a_missing_request_id(peers):
    api, backend, process = peers()
    api.script("next", hp.next_answer("ignored", UPLOAD, omit=("Lambda-Runtime-Aws-Request-Id",)))
    serves_on(api, backend, 0)
    assert process.poll() is None


def test_a_deadline_in_the_past(peers):
    api, backend, process = peers()
    api.script("next", hp.next_answer("req-late", UPLOAD, deadline_ms=int(time.time() * 1000) - 60_000))
    started = time.monotonic()
    [(path, body)] = outcomes(api, 1)
    assert time.monotonic() - started < 5
    assert path.endswith("/req-late/error") and body["errorType"] == "WebhookDeliveryFailed", (path, body)
    assert backend.requests == [], "no attempt may start when no time is left"
    serves_on(api, backend, 1)


def test_a_backend_that_streams_without_end(peers):
    api, backend, process = peers(WEBHOOK_MAX_ATTEMPTS="1")
    backend.script("webhook", hp.endless_body)
    started = time.monotonic()
    [(path, body)] = outcomes(api, 1, timeout=20)
    assert time.monotonic() - started < 10, "the attempt's time limit must end the transfer"
    assert path.endswith("/error") and body["errorType"] == "WebhookDeliveryFailed", (path, body)
    assert "larger than" in body["errorMessage"] or "timed out" in body["errorMessage"], body
    rss_kib = int(next(l for l in open(f"/proc/{process.pid}/status") if l.startswith("VmHWM")).split()[1])
    assert rss_kib < 64 * 1024, f"peak RSS {rss_kib} KiB: the endless body was buffered"
    serves_on(api, backend, 1)


def test_a_backend_that_answers_200_then_resets(peers):
    api, backend, process = peers(WEBHOOK_MAX_ATTEMPTS="2")
    backend.script("webhook", hp.ok_then_reset)
    [(path, body)] = outcomes(api, 1)
    # A broken 200 is not a delivery: retried (the webhook-id lets the backend drop the duplicate).
    assert path.endswith("/response") and body["delivered"] == 1, (path, body)
    ids = [r.headers.get("webhook-id") for r in backend.requests]
    assert len(ids) == 2 and ids[0] == ids[1], ids
    serves_on(api, backend, 1)
    assert process.poll() is None


def test_the_process_serves_on_after_all_of_them(peers):
    """Every hostile answer in a row, in one process: it is still there and still delivers."""
    api, backend, process = peers(WEBHOOK_MAX_ATTEMPTS="1")
    api.script("next",
               hp.next_answer("h1", UPLOAD + b"garbage", content_length=len(UPLOAD)),
               hp.next_answer("h2", UPLOAD, extra_headers=[("X-Padding", "b" * (1 << 20))]),
               hp.next_answer("h3", UPLOAD, omit=("Lambda-Runtime-Aws-Request-Id",)),
               hp.next_answer("h4", UPLOAD, deadline_ms=0))
    backend.script("webhook", hp.ok_then_reset)
    posted = outcomes(api, 3)
    assert [p.rsplit("/", 2)[-2] for p, _ in posted] == ["h1", "h4", posted[2][0].rsplit("/", 2)[-2]]
    serves_on(api, backend, 3)
    assert process.poll() is None
