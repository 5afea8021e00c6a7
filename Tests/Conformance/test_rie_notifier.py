"""The upload notifier (bootstrap) under the real AWS Runtime Interface Emulator, delivering to a loopback
receiver that verifies every webhook with the independent `standardwebhooks` package."""

from __future__ import annotations

import json
import re
import time

import jsonschema
import pytest

import rie_harness as h
from rie_harness import Reply, s3_event, s3_record
from rie_suite import API_KEY, SIGNING_SECRET

WEBHOOK_ID_RE = re.compile(r"^upl_[A-Za-z0-9_-]{43}$")
USER = "4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f"
FILE = "0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10"
UPLOAD_KEY = f"audio-files/{USER}/temp/{FILE}.wav"


def expected_body(record: dict, key: str, user_id: str, file_id: str, ext) -> dict:
    obj = record["s3"]["object"]
    bucket = record["s3"]["bucket"]["name"]
    return {
        "type": "audio_file.uploaded",
        "timestamp": record["eventTime"],
        "data": {
            "userId": user_id, "fileId": file_id, "fileExtension": ext,
            "bucket": bucket, "key": key, "s3Uri": f"s3://{bucket}/{key}",
            "size": obj.get("size"), "eTag": obj.get("eTag"), "versionId": obj.get("versionId"),
            "sequencer": obj.get("sequencer"), "eventName": record["eventName"],
            "eventTime": record["eventTime"], "awsRegion": record["awsRegion"],
            # No AWS credentials here: FETCH_OBJECT_METADATA (on by default) warns at start and sends
            # these as null (test_rie_aws.py covers them against moto).
            "contentType": None, "metadata": None,
        },
    }


# The published contract (docs/webhook.schema.json): every body sent must validate against it.
WEBHOOK_SCHEMA = json.loads((h.REPO / "docs" / "webhook.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(WEBHOOK_SCHEMA)


def assert_valid_webhook(req: h.Received, path: str = h.DEFAULT_WEBHOOK_PATH) -> None:
    """Method, path, headers, body schema and both checks a backend makes (API key, Standard Webhooks signature)."""
    jsonschema.validate(json.loads(req.body), WEBHOOK_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert req.method == "POST", req.method
    assert req.path == path, req.path
    assert req.api_key_ok, f"X-Webhook-Api-Key mismatch: {req.header('x-webhook-api-key')!r}"
    assert req.signature_ok, f"standardwebhooks rejected the signature: {req.verified}; headers {req.headers}"
    assert (req.header("content-type") or "").split(";")[0].strip() == "application/json", req.headers
    assert (req.header("user-agent") or "").startswith("AudioUploadNotifier/"), req.headers
    assert WEBHOOK_ID_RE.match(req.header("webhook-id") or ""), req.header("webhook-id")
    ts = req.header("webhook-timestamp") or ""
    assert re.fullmatch(r"[0-9]+", ts), f"webhook-timestamp is not integer seconds: {ts!r}"
    assert abs(int(ts) - time.time()) < 120, ts
    for sig in (req.header("webhook-signature") or "").split(" "):
        assert sig.startswith("v1,"), req.header("webhook-signature")
    # no trace id reaches the function under the RIE (RIE-NOTES.md), so no trace header may be invented
    assert req.header("x-amzn-trace-id") is None, req.headers


def invoke_ok(rie, event, **kw) -> dict:
    r = rie.invoke(event, **kw)
    assert r.status == 200, r
    body = r.json()
    assert "errorType" not in body, body
    return body


def invoke_error(rie, event, error_type: str, **kw) -> dict:
    r = rie.invoke(event, **kw)
    assert r.status == 200, r
    body = r.json()
    assert body.get("errorType") == error_type, body
    assert isinstance(body.get("errorMessage"), str) and body["errorMessage"], body
    return body


def no_more_requests(receiver, n: int, settle: float = 0.3) -> list:
    time.sleep(settle)
    assert len(receiver.requests) == n, [(r.method, r.path) for r in receiver.requests]
    return receiver.requests


# ---------------------------------------------------------------------------------------------------------------
# Deliveries


def test_verifier_rejects_a_wrong_signature():
    """The receiver's check can fail: a body signed with another secret, or tampered, is rejected."""
    from standardwebhooks import Webhook

    other = Webhook(h.new_signing_secret())
    ts = str(int(time.time()))
    from datetime import datetime, timezone
    sig = other.sign("upl_x", datetime.fromtimestamp(int(ts), tz=timezone.utc), '{"a":1}')
    with h.WebhookReceiver(API_KEY, SIGNING_SECRET) as r:
        import http.client
        for body, signature in ((b'{"a":1}', sig), (b'{"a":2}', sig)):
            c = http.client.HTTPConnection(h.LOOPBACK, r.port, timeout=5)
            c.request("POST", "/x", body=body, headers={"webhook-id": "upl_x", "webhook-timestamp": ts,
                                                        "webhook-signature": signature,
                                                        "X-Webhook-Api-Key": "wrong"})
            c.getresponse().read()
            c.close()
        reqs = r.wait_for(2, timeout=5)
    assert len(reqs) == 2
    assert not reqs[0].signature_ok and not reqs[1].signature_ok
    assert not reqs[0].api_key_ok


def test_upload_produces_exactly_one_verified_webhook(notifier, receiver):
    rie = notifier()
    record = s3_record(UPLOAD_KEY)
    body = invoke_ok(rie, s3_event(record))
    reqs = no_more_requests(receiver, 1)
    req = reqs[0]
    assert_valid_webhook(req)
    assert req.json == expected_body(record, UPLOAD_KEY, USER, FILE, "wav")
    wid = req.header("webhook-id")
    assert body == {"delivered": 1, "skipped": 0,
                    "results": [{"key": UPLOAD_KEY, "outcome": "delivered", "webhookId": wid}]}


def test_versioned_multipart_upload_carries_version_and_nulls(notifier, receiver):
    rie = notifier()
    key = "audio-files/u-9/temp/take.final.flac"
    record = s3_record(key, event_name="ObjectCreated:CompleteMultipartUpload", version_id="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
                       etag=None, size=None)
    body = invoke_ok(rie, s3_event(record))
    req = no_more_requests(receiver, 1)[0]
    assert_valid_webhook(req)
    assert req.json == expected_body(record, key, "u-9", "take.final", "flac")
    assert body["delivered"] == 1


def test_file_without_extension(notifier, receiver):
    rie = notifier()
    key = "audio-files/u-1/temp/recording"
    record = s3_record(key)
    invoke_ok(rie, s3_event(record))
    req = no_more_requests(receiver, 1)[0]
    assert_valid_webhook(req)
    assert req.json["data"]["fileId"] == "recording"
    assert req.json["data"]["fileExtension"] is None


@pytest.mark.parametrize("record", [
    s3_record(f"audio-files/{USER}/short/{FILE}.wav"),
    s3_record(f"audio-files/{USER}/inference/{FILE}.wav"),
    s3_record(UPLOAD_KEY, event_name="ObjectRemoved:Delete", size=None, etag=None),
    s3_record(f"other-prefix/{USER}/temp/{FILE}.wav"),
    s3_record(f"audio-files/{USER}/temp/"),
], ids=["short", "inference", "object-removed", "outside-prefix", "empty-file-name"])
def test_non_uploads_are_skipped_without_webhook(notifier, receiver, record):
    rie = notifier()
    body = invoke_ok(rie, s3_event(record))
    no_more_requests(receiver, 0)
    assert body["delivered"] == 0 and body["skipped"] == 1, body
    (result,) = body["results"]
    assert result["outcome"] == "skipped"
    assert isinstance(result.get("reason"), str) and result["reason"], result
    assert "webhookId" not in result or result["webhookId"] is None


def test_url_encoded_keys_are_decoded(notifier, receiver):
    rie = notifier()
    decoded = "audio-files/user 42/temp/my song été +1.mp3"
    encoded = h.s3_encode_key(decoded)
    assert encoded == "audio-files/user+42/temp/my+song+%C3%A9t%C3%A9+%2B1.mp3"
    record = s3_record(encoded)
    body = invoke_ok(rie, s3_event(record))
    req = no_more_requests(receiver, 1)[0]
    assert_valid_webhook(req)
    assert req.json == expected_body(record, decoded, "user 42", "my song été +1", "mp3")
    assert body["results"][0]["key"] == decoded


def test_malformed_escape_is_skipped(notifier, receiver):
    rie = notifier()
    body = invoke_ok(rie, s3_event(s3_record("audio-files/u/temp/bad%ZZname.wav"),
                                   s3_record("audio-files/u/temp/bad%C3.wav")))
    no_more_requests(receiver, 0)
    assert body["delivered"] == 0 and body["skipped"] == 2, body


def test_multi_record_batch(notifier, receiver):
    rie = notifier()
    records = [
        s3_record("audio-files/u-1/temp/a.wav", sequencer="0062F3A1B2C3D4E5F1"),
        s3_record("audio-files/u-1/short/a.wav", sequencer="0062F3A1B2C3D4E5F2"),
        s3_record("audio-files/u-2/temp/b.ogg", sequencer="0062F3A1B2C3D4E5F3", size=42),
        s3_record("audio-files/u-2/inference/b.ogg", sequencer="0062F3A1B2C3D4E5F4"),
        s3_record("audio-files/u-3/temp/c.mp3", sequencer="0062F3A1B2C3D4E5F5"),
    ]
    body = invoke_ok(rie, s3_event(*records))
    reqs = no_more_requests(receiver, 3)
    for req in reqs:
        assert_valid_webhook(req)
    got = sorted((r.json["data"]["key"], r.header("webhook-id")) for r in reqs)
    assert [k for k, _ in got] == ["audio-files/u-1/temp/a.wav", "audio-files/u-2/temp/b.ogg",
                                   "audio-files/u-3/temp/c.mp3"]
    assert len({w for _, w in got}) == 3, "webhook ids must differ per object"
    by_key = {r.json["data"]["key"]: r for r in reqs}
    assert by_key["audio-files/u-2/temp/b.ogg"].json == expected_body(records[2], "audio-files/u-2/temp/b.ogg",
                                                                       "u-2", "b", "ogg")
    assert body["delivered"] == 3 and body["skipped"] == 2, body
    assert [r["key"] for r in body["results"]] == [rec["s3"]["object"]["key"] for rec in records]
    assert [r["outcome"] for r in body["results"]] == ["delivered", "skipped", "delivered", "skipped",
                                                       "delivered"]
    for res in body["results"]:
        if res["outcome"] == "delivered":
            assert res["webhookId"] == by_key[res["key"]].header("webhook-id")


def test_same_event_twice_gives_the_same_webhook_id(notifier, receiver):
    rie = notifier()
    event = s3_event(s3_record(UPLOAD_KEY))
    invoke_ok(rie, event)
    invoke_ok(rie, event)
    # a later upload of the same key (greater sequencer) is a different object version: a new id
    invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY, sequencer="0062F3A1B2C3D4E5F7")))
    reqs = no_more_requests(receiver, 3)
    for req in reqs:
        assert_valid_webhook(req)
    ids = [r.header("webhook-id") for r in reqs]
    assert ids[0] == ids[1], ids
    assert ids[2] != ids[0], ids
    assert reqs[0].body == reqs[1].body


def test_s3_test_event_is_acknowledged(notifier, receiver):
    rie = notifier()
    body = invoke_ok(rie, h.S3_TEST_EVENT)
    no_more_requests(receiver, 0)
    assert body == {"delivered": 0, "skipped": 0, "results": [], "testEvent": True}


def test_allowed_buckets(notifier, receiver):
    rie = notifier(ALLOWED_BUCKETS="some-other-bucket, second-bucket")
    body = invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY), s3_record(UPLOAD_KEY, bucket="second-bucket")))
    reqs = no_more_requests(receiver, 1)
    assert reqs[0].json["data"]["bucket"] == "second-bucket"
    assert body["delivered"] == 1 and body["skipped"] == 1, body


def test_custom_path_and_base_url_with_trailing_slash(notifier, receiver):
    rie = notifier(API_BASE_URL=receiver.url + "/", WEBHOOK_PATH="/hooks/uploads")
    invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
    req = no_more_requests(receiver, 1)[0]
    assert_valid_webhook(req, path="/hooks/uploads")


def test_unset_signing_secret_signs_with_the_api_key(start_rie, bootstrap_binary):
    # Contract: without WEBHOOK_SIGNING_SECRET the HMAC key is the UTF-8 bytes of WEBHOOK_API_KEY.
    with h.WebhookReceiver(API_KEY, API_KEY.encode()) as rcv:
        from rie_suite import notifier_env
        rie = start_rie(bootstrap_binary, notifier_env(rcv.url, WEBHOOK_SIGNING_SECRET=None))
        invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
        req = no_more_requests(rcv, 1)[0]
        assert_valid_webhook(req)


def test_two_signing_secrets_both_sign(start_rie, bootstrap_binary):
    second = h.new_signing_secret()
    with h.WebhookReceiver(API_KEY, [SIGNING_SECRET, second]) as rcv:
        from rie_suite import notifier_env
        rie = start_rie(bootstrap_binary, notifier_env(rcv.url, WEBHOOK_SIGNING_SECRET=f"{SIGNING_SECRET} {second}"),
                        extra_secrets=(second, second.removeprefix("whsec_")))
        invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
        req = no_more_requests(rcv, 1)[0]
        assert_valid_webhook(req)  # verified against each secret separately
        assert len(req.header("webhook-signature").split(" ")) == 2


# ---------------------------------------------------------------------------------------------------------------
# Retries and failures


def test_503_then_200_is_retried_with_the_same_id(notifier, receiver):
    receiver.script(Reply(503, b'{"error":"busy"}'))
    rie = notifier()
    body = invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
    reqs = no_more_requests(receiver, 2)
    for req in reqs:
        assert_valid_webhook(req)
    assert reqs[0].header("webhook-id") == reqs[1].header("webhook-id")
    assert int(reqs[1].header("webhook-timestamp")) >= int(reqs[0].header("webhook-timestamp"))
    assert reqs[0].body == reqs[1].body
    assert body["delivered"] == 1


def test_dropped_connection_is_retried(notifier, receiver):
    receiver.script(Reply(drop=True))
    rie = notifier()
    body = invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
    reqs = no_more_requests(receiver, 2)
    assert reqs[0].header("webhook-id") == reqs[1].header("webhook-id")
    assert_valid_webhook(reqs[1])
    assert body["delivered"] == 1


def test_retry_after_is_honoured(notifier, receiver):
    receiver.script(Reply(429, b'{"error":"slow down"}', headers=[("Retry-After", "1")]))
    rie = notifier()
    r = rie.invoke(s3_event(s3_record(UPLOAD_KEY)))
    assert r.status == 200 and r.json().get("delivered") == 1, r
    reqs = no_more_requests(receiver, 2)
    gap = reqs[1].at - reqs[0].at
    assert gap >= 0.95, f"second attempt {gap:.3f}s after a 429 with Retry-After: 1"
    assert gap < 3.0, gap
    for req in reqs:
        assert_valid_webhook(req)


def test_400_fails_at_once(notifier, receiver):
    receiver.script(Reply(400, b'{"error":"bad request"}'))
    rie = notifier(WEBHOOK_MAX_ATTEMPTS="4")
    body = invoke_error(rie, s3_event(s3_record(UPLOAD_KEY)), "WebhookDeliveryFailed")
    reqs = no_more_requests(receiver, 1)
    assert_valid_webhook(reqs[0])
    assert UPLOAD_KEY in body["errorMessage"], body
    assert "400" in body["errorMessage"], body


def test_redirect_is_not_followed(notifier, receiver):
    receiver.script(Reply(302, b"", headers=[("Location", f"{receiver.url}/elsewhere")]))
    rie = notifier(WEBHOOK_MAX_ATTEMPTS="4")
    body = invoke_error(rie, s3_event(s3_record(UPLOAD_KEY)), "WebhookDeliveryFailed")
    reqs = no_more_requests(receiver, 1)
    assert reqs[0].path == h.DEFAULT_WEBHOOK_PATH
    assert "302" in body["errorMessage"], body


def test_exhausted_retries_fail(notifier, receiver):
    receiver.default = Reply(500, b'{"error":"down"}')
    rie = notifier(WEBHOOK_MAX_ATTEMPTS="3")
    body = invoke_error(rie, s3_event(s3_record(UPLOAD_KEY)), "WebhookDeliveryFailed")
    reqs = no_more_requests(receiver, 3)
    assert len({r.header("webhook-id") for r in reqs}) == 1
    assert UPLOAD_KEY in body["errorMessage"]


def test_unreachable_backend_fails(start_rie, bootstrap_binary):
    from rie_suite import notifier_env
    port = h.closed_port()
    rie = start_rie(bootstrap_binary, notifier_env(f"http://127.0.0.1:{port}", WEBHOOK_MAX_ATTEMPTS="2"))
    r = rie.invoke(s3_event(s3_record(UPLOAD_KEY)), timeout=20)
    assert r.status == 200, r
    body = r.json()
    assert body.get("errorType") == "WebhookDeliveryFailed", body
    assert r.elapsed < 5, r


def test_slow_backend_times_out_and_fails(notifier, receiver):
    receiver.default = Reply(200, delay=5.0)
    rie = notifier(WEBHOOK_TIMEOUT_MS="300", WEBHOOK_MAX_ATTEMPTS="2")
    r = rie.invoke(s3_event(s3_record(UPLOAD_KEY)), timeout=20)
    assert r.status == 200, r
    assert r.json().get("errorType") == "WebhookDeliveryFailed", r
    # 2 attempts of 0.3 s plus one pause of at most 0.25 s (and slack): far below the 5 s the backend takes
    assert r.elapsed < 2.5, r
    assert len(receiver.wait_for(2, timeout=1)) == 2


@pytest.mark.parametrize("reply", [
    Reply(503, b'{"error":"busy"}', headers=[("Retry-After", "1")]),
    Reply(200, delay=10.0),
], ids=["always-503-retry-after", "slower-than-the-deadline"])
def test_deadline_reports_failure_before_the_function_timeout(notifier, receiver, reply):
    receiver.default = reply
    rie = notifier(AWS_LAMBDA_FUNCTION_TIMEOUT="2", WEBHOOK_MAX_ATTEMPTS="10", WEBHOOK_TIMEOUT_MS="8000")
    invoke_ok(rie, h.S3_TEST_EVENT)  # warm: the first invoke's deadline includes the init
    pids = rie.function_pids()
    r = rie.invoke(s3_event(s3_record(UPLOAD_KEY)), timeout=20)
    assert r.status == 200, r
    assert not r.text.startswith("Task timed out"), r
    assert r.json().get("errorType") == "WebhookDeliveryFailed", r
    assert r.elapsed < 2.0, r
    assert len(receiver.requests) >= 1
    # the function was not killed: the same process answers the next invoke
    invoke_ok(rie, h.S3_TEST_EVENT)
    assert rie.function_pids() == pids
    assert rie.init_starts() == 1


# ---------------------------------------------------------------------------------------------------------------
# Configuration and invalid events


@pytest.mark.parametrize("overrides,variable", [
    ({"API_BASE_URL": None}, "API_BASE_URL"),
    ({"WEBHOOK_API_KEY": None}, "WEBHOOK_API_KEY"),
    ({"API_BASE_URL": "http://example.com"}, "API_BASE_URL"),
    ({"API_BASE_URL": "not a url"}, "API_BASE_URL"),
    ({"WEBHOOK_SIGNING_SECRET": "whsec_!!!not-base64!!!"}, "WEBHOOK_SIGNING_SECRET"),
    ({"WEBHOOK_SIGNING_SECRET": "whsec_" + h.base64.b64encode(b"short").decode()}, "WEBHOOK_SIGNING_SECRET"),
    ({"WEBHOOK_SIGNING_SECRET": "no-prefix-" + "A" * 40}, "WEBHOOK_SIGNING_SECRET"),
    ({"WEBHOOK_TIMEOUT_MS": "abc"}, "WEBHOOK_TIMEOUT_MS"),
    ({"WEBHOOK_MAX_ATTEMPTS": "0"}, "WEBHOOK_MAX_ATTEMPTS"),
], ids=["missing-base-url", "missing-api-key", "insecure-http", "not-a-url", "secret-not-base64",
        "secret-too-short", "secret-without-prefix", "timeout-not-a-number", "attempts-zero"])
def test_bad_configuration_is_an_init_error(start_rie, bootstrap_binary, receiver, overrides, variable):
    from rie_suite import notifier_env
    env = notifier_env(receiver.url, **overrides)
    bad_values = tuple(v for v in overrides.values() if v and len(v) > 8)
    rie = start_rie(bootstrap_binary, env)
    r = rie.invoke(h.S3_TEST_EVENT)
    # RIE: an init error answers 502 with the body the runtime posted to /runtime/init/error
    assert r.status == 502, r
    body = r.json()
    assert body.get("errorType") == "ConfigurationError", body
    assert variable in body.get("errorMessage", ""), body
    for v in bad_values:  # the message names the variable, never its value
        assert v not in body["errorMessage"], body
        assert v not in rie.log_text(), "a bad configuration value was logged"
    assert "INIT RTDONE(status: error)" in rie.log_text()
    no_more_requests(receiver, 0, settle=0)


def test_invalid_events_then_the_warm_process_serves_on(notifier, receiver):
    rie = notifier()
    invoke_ok(rie, h.S3_TEST_EVENT)
    pids = rie.function_pids()
    assert len(pids) == 1
    invoke_error(rie, b"{not json", "InvalidEvent")
    invoke_error(rie, [s3_record(UPLOAD_KEY)], "InvalidEvent")
    invoke_error(rie, s3_event(s3_record(UPLOAD_KEY, event_source="aws:sqs")), "InvalidEvent")
    invoke_error(rie, "\"just a string\"", "InvalidEvent")
    no_more_requests(receiver, 0, settle=0)
    # a failed delivery, then a good one, in the same process
    receiver.script(Reply(400))
    invoke_error(rie, s3_event(s3_record(UPLOAD_KEY)), "WebhookDeliveryFailed")
    body = invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
    assert body["delivered"] == 1
    reqs = no_more_requests(receiver, 2)
    assert_valid_webhook(reqs[1])
    assert rie.function_pids() == pids
    assert rie.init_starts() == 1


def test_no_secret_in_logs_at_trace_level(start_rie, bootstrap_binary, receiver):
    """Most verbose logging, JSON and text, through success, retries and failures: no secret in the output
    (the start_rie teardown checks every log of every test for the same)."""
    from rie_suite import assert_no_secrets, notifier_env
    for fmt in ("JSON", "Text"):
        receiver.script(Reply(503), Reply(401, b'{"error":"unauthorized"}'))
        rie = start_rie(bootstrap_binary, notifier_env(receiver.url, AWS_LAMBDA_LOG_LEVEL="TRACE",
                                                       AWS_LAMBDA_LOG_FORMAT=fmt))
        invoke_error(rie, s3_event(s3_record(UPLOAD_KEY)), "WebhookDeliveryFailed")
        invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)))
        invoke_error(rie, b"[]", "InvalidEvent")
        text = rie.log_text()
        assert text.count("\n") > 5, "expected TRACE-level output"
        assert_no_secrets(text)
    # and a configuration error whose secret is malformed
    bad = "whsec_" + "x" * 30 + "!"
    rie = start_rie(bootstrap_binary, notifier_env(receiver.url, WEBHOOK_SIGNING_SECRET=bad,
                                                   AWS_LAMBDA_LOG_LEVEL="TRACE"), extra_secrets=(bad,))
    r = rie.invoke(h.S3_TEST_EVENT)
    assert r.status == 502 and bad not in r.text, r
    assert_no_secrets(rie.log_text(), (bad,))


def test_json_logs_carry_the_request_id(notifier, receiver):
    rie = notifier(AWS_LAMBDA_LOG_FORMAT="JSON")
    invoke_ok(rie, s3_event(s3_record(UPLOAD_KEY)), headers={"X-Amzn-RequestId": "notifier-req-1"})
    objects = [json.loads(ln) for ln in rie.log_text().splitlines() if ln.startswith("{")]
    assert any(o.get("requestId") == "notifier-req-1" for o in objects), rie.log_tail()
    log_lines = [o for o in objects if "_aws" not in o]  # the EMF line is the metrics', on stdout
    assert len(log_lines) == len(objects) - 1, rie.log_tail()
    for o in log_lines:
        assert {"timestamp", "level", "message"} <= o.keys(), o
