"""The runtime alone (echo-lambda) under the real AWS Runtime Interface Emulator."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

import rie_harness as h

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_successful_invoke_returns_the_echo(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    event = {"hello": "wörld", "n": [1, 2, {"x": None}]}
    r = rie.invoke(event)
    assert r.status == 200, r
    body = r.json()
    assert body["event"] == event
    ctx = body["context"]
    assert ctx["requestId"] and isinstance(ctx["requestId"], str)
    assert ctx["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:012345678912:function:test_function"
    assert ctx["functionName"] == "test_function"
    assert ctx["functionVersion"] == "$LATEST"
    assert ctx["memoryLimitMB"] == 3008
    assert ctx["logGroupName"] == "/aws/lambda/Functions"
    assert ctx["logStreamName"] == "$LATEST"
    # RIE default timeout is 300 s; the deadline is absolute epoch milliseconds.
    assert 0 < ctx["remainingMs"] <= 300_000
    assert abs(ctx["deadlineMs"] - (time.time() * 1000 + ctx["remainingMs"])) < 5_000
    assert rie.init_starts() == 1
    # the text log line of the invocation carries the request id (timestamp \t requestId \t LEVEL \t message)
    assert any(line.split("\t")[1:2] == [ctx["requestId"]] for line in rie.log_text().splitlines()), \
        rie.log_tail()


def test_request_id_and_client_context_come_from_the_invoke_request(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    cc = {"custom": {"a": "b"}, "env": {"locale": "en"}}
    r = rie.invoke({}, headers={"X-Amzn-RequestId": "conformance-req-1",
                                "X-Amz-Client-Context": h.base64.b64encode(json.dumps(cc).encode()).decode()})
    assert r.status == 200, r
    ctx = r.json()["context"]
    assert ctx["requestId"] == "conformance-req-1"
    client_context = ctx["clientContext"]
    if isinstance(client_context, str):
        client_context = json.loads(client_context)
    assert client_context == cc
    identity = {"cognitoIdentityId": "us-east-1:id-1", "cognitoIdentityPoolId": "us-east-1:pool-1"}
    r = rie.invoke({}, headers={"X-Amz-Cognito-Identity": json.dumps(identity)})
    assert r.status == 200, r
    cognito = r.json()["context"]["cognitoIdentity"]
    if isinstance(cognito, str):
        cognito = json.loads(cognito)
    assert cognito == identity


def test_handler_error_is_http_200_with_the_error_json(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    r = rie.invoke({"throw": "kaboom", "errorType": "CustomFailure"})
    assert r.status == 200, r
    body = r.json()
    assert body["errorType"] == "CustomFailure"
    assert body["errorMessage"] == "kaboom"
    r = rie.invoke({"throw": "default type"})
    assert r.status == 200, r
    assert r.json()["errorType"] == "EchoError"
    assert r.json()["errorMessage"] == "default type"
    r = rie.invoke(b"this is not json")
    assert r.status == 200, r
    assert r.json()["errorType"] == "InvalidEvent"
    # the process serves on after errors: same process, one init
    pids = rie.function_pids()
    r = rie.invoke({"after": "errors"})
    assert r.status == 200 and r.json()["event"] == {"after": "errors"}, r
    assert rie.function_pids() == pids and len(pids) == 1
    assert rie.init_starts() == 1


def test_init_error_is_returned_by_the_invoke(start_rie, echo_binary):
    rie = start_rie(echo_binary, {"ECHO_FAIL_INIT": "cannot warm up: disk on fire"})
    r = rie.invoke({"a": 1})
    # RIE: an init error makes the invoke answer 502 with exactly the body posted to /runtime/init/error.
    assert r.status == 502, r
    body = r.json()
    assert body["errorType"] == "EchoInitFailure"
    assert body["errorMessage"] == "cannot warm up: disk on fire"
    log = rie.log_text()
    assert "INIT RTDONE(status: error)" in log
    # the function exited non-zero after reporting (the RIE logs the exit status)
    assert "exited with error: exit status" in log or "exited: exit status" in log, rie.log_tail()
    # the RIE retries init on the next invoke: same answer again
    r2 = rie.invoke({"a": 2})
    assert r2.status == 502 and r2.json()["errorType"] == "EchoInitFailure", r2


def test_500_warm_invocations_in_one_process(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    first = rie.invoke({"i": -1})
    assert first.status == 200, first
    pids = rie.function_pids()
    assert len(pids) == 1, pids
    request_ids = set()
    failures = []
    for i in range(500):
        r = rie.invoke({"i": i}, timeout=10)
        if r.status != 200:
            failures.append((i, r))
            continue
        body = r.json()
        if body.get("event") != {"i": i}:
            failures.append((i, r))
        request_ids.add(body["context"]["requestId"])
        if len(failures) > 5:
            break
    assert not failures, failures[:5]
    assert len(request_ids) == 500
    assert rie.function_pids() == pids
    assert rie.init_starts() == 1
    assert len(rie.init_report_durations()) == 1


def test_trace_id_reaches_x_amzn_trace_id_or_is_unset(start_rie, echo_binary):
    # A stale _X_AMZN_TRACE_ID in the process environment must never be reported for an invocation.
    rie = start_rie(echo_binary, {"_X_AMZN_TRACE_ID": "Root=1-00000000-stalestalestalestalestale"})
    r = rie.invoke({"t": 1}, headers={"X-Amzn-Trace-Id": TRACE_HEADER})
    assert r.status == 200, r
    body = r.json()
    trace_id = body["context"]["traceId"]
    if trace_id is None:
        # This RIE never sends Lambda-Runtime-Trace-Id (see RIE-NOTES.md): the variable must be unset.
        assert body["traceEnv"] is None, body
    else:
        assert trace_id == TRACE_HEADER
        assert body["traceEnv"] == trace_id
    # and without any trace header
    r = rie.invoke({"t": 2})
    assert r.status == 200 and r.json()["traceEnv"] is None, r


def test_function_timeout_sets_the_deadline_and_times_out(start_rie, echo_binary):
    rie = start_rie(echo_binary, {"AWS_LAMBDA_FUNCTION_TIMEOUT": "2"})
    r = rie.invoke({})
    assert r.status == 200, r
    ctx = r.json()["context"]
    assert 0 < ctx["remainingMs"] <= 2_000, ctx
    assert abs(ctx["deadlineMs"] - time.time() * 1000) <= 2_500, ctx
    pids = rie.function_pids()
    r = rie.invoke({"sleepMs": 4_000}, timeout=15)
    assert r.status == 200, r
    assert r.text == "Task timed out after 2.00 seconds", r
    assert 1.8 <= r.elapsed < 3.5, r
    # the RIE kills the process on a timeout; the next invoke starts a new one
    r = rie.invoke({"after": "timeout"})
    assert r.status == 200 and r.json()["event"] == {"after": "timeout"}, r
    assert rie.init_starts() == 2
    assert rie.function_pids() != pids


def test_sleep_within_the_timeout_succeeds(start_rie, echo_binary):
    rie = start_rie(echo_binary, {"AWS_LAMBDA_FUNCTION_TIMEOUT": "3"})
    r = rie.invoke({"sleepMs": 300})
    assert r.status == 200, r
    assert r.elapsed >= 0.3
    assert r.json()["context"]["remainingMs"] <= 3_000 - 300


def test_json_log_format(start_rie, echo_binary):
    rie = start_rie(echo_binary, {"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"})
    r = rie.invoke({"a": 1})
    assert r.status == 200, r
    rid = r.json()["context"]["requestId"]
    r = rie.invoke({"throw": "json mode failure"})
    assert r.status == 200 and r.json()["errorType"] == "EchoError", r
    objects = []
    for line in rie.log_text().splitlines():
        if line.startswith("{"):
            obj = json.loads(line)  # every function line in JSON mode is one JSON object
            assert isinstance(obj, dict), line
            for k in ("timestamp", "level", "message"):
                assert k in obj, line
            objects.append(obj)
    mine = [o for o in objects if o.get("requestId") == rid]
    assert mine, f"no JSON log line with requestId {rid}:\n{rie.log_tail()}"
    errors = [o for o in objects if o.get("level") == "ERROR" and o.get("requestId") not in (None, rid)]
    assert errors, f"no ERROR JSON line for the failed invocation:\n{rie.log_tail()}"
    # function output is JSON only: no text-format lines (timestamp\trequestId\tLEVEL\tmessage)
    assert not [ln for ln in rie.log_text().splitlines() if ln.split("\t")[1:2] == [rid]], rie.log_tail()


def test_log_level_filters(start_rie, echo_binary):
    rie = start_rie(echo_binary, {"AWS_LAMBDA_LOG_LEVEL": "ERROR"})
    r = rie.invoke({"a": 1})
    ok_rid = r.json()["context"]["requestId"]
    r = rie.invoke({"throw": "shown at ERROR"}, headers={"X-Amzn-RequestId": "err-req-1"})
    assert r.status == 200, r
    lines = rie.log_text().splitlines()
    assert not [ln for ln in lines if f"\t{ok_rid}\tINFO\t" in ln], "INFO line logged at level ERROR"
    assert [ln for ln in lines if "\terr-req-1\tERROR\t" in ln], rie.log_tail()


def test_oversized_response_is_rejected_and_the_process_serves_on(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    assert rie.invoke({}).status == 200
    pids = rie.function_pids()
    r = rie.invoke({"responseBytes": 7 * 1024 * 1024}, timeout=30)
    # RIE: a response over 6 MB answers 200 with its own error body.
    assert r.status == 200, r
    assert r.json()["errorType"] == "Function.ResponseSizeTooLarge", r
    r = rie.invoke({"after": "413"})
    assert r.status == 200 and r.json()["event"] == {"after": "413"}, r
    assert rie.function_pids() == pids
    assert rie.init_starts() == 1


PR_SET_CHILD_SUBREAPER = 36


def _set_child_subreaper(on: bool) -> bool:
    """Make this process adopt orphaned descendants, so their exit status can be read. Linux only."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _wait_exit(pid: int, timeout: float):
    """Exit code of an adopted child within timeout, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return "not-our-child"
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "mid-invocation"])
def test_function_exits_when_the_runtime_api_goes_away(start_rie, echo_binary, busy):
    """Runtime API faults are retried a few times, then the process exits 1 (it never spins forever)."""
    assert _set_child_subreaper(True), "prctl(PR_SET_CHILD_SUBREAPER) failed"
    try:
        rie = start_rie(echo_binary)
        assert rie.invoke({}).status == 200
        (pid,) = rie.function_pids()
        t = None
        if busy:
            def call():
                try:
                    rie.invoke({"sleepMs": 600}, timeout=5)
                except OSError:
                    pass
            t = threading.Thread(target=call, daemon=True)
            t.start()
            time.sleep(0.2)
        rie.proc.kill()  # the RIE (and so the Runtime API) vanishes; the function, orphaned, is adopted by us
        rie.proc.wait(timeout=5)
        code = _wait_exit(pid, timeout=8)
        assert code is not None, f"function pid {pid} still running 8 s after the Runtime API went away"
        assert code == 1, f"function exit code {code} (contract: exit 1 after Runtime API faults)"
        if t is not None:
            t.join(timeout=5)
    finally:
        _set_child_subreaper(False)
