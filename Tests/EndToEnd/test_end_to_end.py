"""The guide's last checklist line, "Test end-to-end flow: upload -> notification -> preprocessing", on
moto with the shipped bootstrap under the RIE (local_flow.py says what is real and what stands in).

The check (vba_platform.verdict) passes only when every step happened exactly once, the preprocessing
request validated against docs/preprocessing-message.schema.json, and no queue holds anything. The
tests after the first break one step each and show that the check then fails, and why.
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import jsonschema
import pytest
from standardwebhooks.webhooks import Webhook

from local_flow import RieNotifier, run_flow
from preprocessing_worker import SCHEMA
from reference_backend import WEBHOOK_PATH, ReferenceBackend
from rie_suite import API_KEY, SIGNING_SECRET


@pytest.fixture
def real_notifier(start_rie, bootstrap_binary, platform):
    return lambda backend_url: RieNotifier(start_rie, bootstrap_binary, platform, backend_url)


def test_upload_notification_preprocessing_each_step_once(platform, real_notifier):
    run = run_flow(platform, real_notifier)
    assert run.problems == [], (run.problems, dict(run.steps))
    (message,) = run.messages
    jsonschema.validate(message, SCHEMA)
    assert message["s3_key_temp"].replace("/temp/", "/short/") == message["s3_key_short"]
    assert message["s3_key_temp"].replace("/temp/", "/inference/") == message["s3_key_for_inference"]


def test_a_wrong_api_key_fails_the_check(platform, real_notifier):
    run = run_flow(platform, real_notifier, api_key="the-backend-expects-" + secrets.token_hex(8))
    assert run.steps["webhook_rejected_api_key"] >= 1
    assert "webhook_verified: 0 times, expected once" in run.problems
    assert "preprocessing_message_sent: 0 times, expected once" in run.problems
    assert any(p.startswith("VoiceByAuribus-AudioUploadNotifier-failures: 1 ") for p in run.problems), run.problems


@pytest.mark.parametrize("field", ["s3_key_temp", "s3_key_short", "s3_key_for_inference", "request_id",
                                   "callback_response"])
def test_a_preprocessing_message_missing_a_field_fails_the_check(platform, real_notifier, field):
    class BackendWithABug(ReferenceBackend):
        def preprocessing_message(self, data):
            message = super().preprocessing_message(data)
            del message[field]
            return message

    run = run_flow(platform, real_notifier, backend_factory=BackendWithABug)
    assert run.problems, dict(run.steps)
    if field in SCHEMA["required"]:
        # The worker refuses it 3 times, then SQS moves it to the DLQ; nothing is written.
        assert any(field in error for error in run.invalid), run.invalid
        assert "audio-preprocessing-dlq: 1 messages left" in run.problems
        assert "short_written: 0 times, expected once" in run.problems
    else:
        # The guide makes it optional, but without it the result never reaches the backend.
        assert "callback_received: 0 times, expected once" in run.problems
        assert run.steps["short_written"] == 1 and run.steps["message_deleted"] == 1


class NotifierForEveryObject:
    """A broken notifier: signs and delivers a webhook for every created object, short/ and inference/
    included (what the shipped bootstrap must not do). Same headers and body shape as the real one."""

    def __init__(self, backend_url: str, api_key: str):
        self.url, self.api_key = backend_url + WEBHOOK_PATH, api_key
        self.signer = Webhook(SIGNING_SECRET)

    def invoke(self, event: dict):
        results = []
        for record in event["Records"]:
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
            prefix, user, folder, name = key.rsplit("/", 3)
            bucket = record["s3"]["bucket"]["name"]
            body = json.dumps({"type": "audio_file.uploaded", "timestamp": record["eventTime"], "data": {
                "userId": user, "fileId": name.rsplit(".", 1)[0], "key": key, "bucket": bucket,
                "s3Uri": f"s3://{bucket}/{key}"}})
            webhook_id = "upl_" + base64.urlsafe_b64encode(secrets.token_bytes(33)).decode()
            now = datetime.now(timezone.utc)
            request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
                "Content-Type": "application/json", "X-Webhook-Api-Key": self.api_key, "webhook-id": webhook_id,
                "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": self.signer.sign(webhook_id, now, body)})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            results.append({"key": key, "outcome": "delivered" if status == 200 else "failed"})
        return True, {"results": results}


def test_a_notifier_that_notifies_for_short_and_inference_fails_the_check(platform):
    run = run_flow(platform, lambda url: NotifierForEveryObject(url, API_KEY))
    assert run.steps["webhook_rejected_not_an_upload"] == 2, dict(run.steps)
    assert "notifier_skipped_short: 0 times, expected once" in run.problems
    assert "notifier_failed_short: 1 times, expected never" in run.problems
    assert "webhook_rejected_not_an_upload: 2 times, expected never" in run.problems


def test_the_account_check_reads_the_notifiers_log_lines_as_steps():
    """tools/vba_platform.py e2e (not run here) learns the notifier's steps from its log group."""
    from vba_platform import notifier_log_steps

    keys = {f: f"audio-files/e2e-1/{f}/x.wav" for f in ("temp", "short", "inference")}
    lines = ['{"level":"INFO","message":"webhook delivered","key":"audio-files/e2e-1/temp/x.wav"}',
             "2026-01-01T00:00:00Z\tid\tINFO\tskipped key=audio-files/e2e-1/short/x.wav reason=not an upload",
             '{"level":"ERROR","message":"webhook not delivered","key":"audio-files/e2e-1/inference/x.wav"}',
             '{"level":"INFO","message":"webhook delivered","key":"audio-files/e2e-2/temp/x.wav"}']

    class Logs:
        def get_paginator(self, name):
            assert name == "filter_log_events"
            return self

        def paginate(self, **query):
            assert query["filterPattern"] == '"audio-files/e2e-1/"' and query["logGroupName"] == "/aws/lambda/f"
            return [{"events": [{"message": line} for line in lines]}]

    assert notifier_log_steps(Logs(), "/aws/lambda/f", keys, 0) == {
        "notifier_delivered_temp": 1, "notifier_skipped_short": 1, "notifier_failed_inference": 1}
