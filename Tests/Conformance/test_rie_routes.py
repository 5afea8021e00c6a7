"""Every route S3 can take to the function, under the real RIE: the events of `events/` for a direct
notification, SNS, SQS and EventBridge, each delivering verified webhooks, the same `webhook-id` for the
same upload whichever route brought it, and an SQS batch answered with exactly its failed messages."""

from __future__ import annotations

import json

import pytest

import rie_harness as h
from rie_harness import Reply
from test_rie_notifier import assert_valid_webhook, invoke_ok, no_more_requests

UPLOAD_KEY = "audio-files/4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f/temp/0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10.wav"


def fixture(name: str) -> dict:
    return json.loads((h.REPO / "events" / f"{name}.json").read_text())


@pytest.mark.parametrize("name", ["upload-single", "sns-upload", "sqs-upload", "eventbridge-upload", "eventbridge-raw-key"])
def test_every_route_delivers_verified_webhooks(notifier, receiver, name):
    expected = json.loads((h.REPO / "events" / "expected" / f"{name}.json").read_text())
    rie = notifier()
    body = invoke_ok(rie, fixture(name))
    if "batchItemFailures" in expected:
        assert body == {"batchItemFailures": []}, body
    else:
        assert body["delivered"] == expected["delivered"], body
    webhooks = no_more_requests(receiver, len(expected["webhooks"]))
    for webhook in webhooks:
        assert_valid_webhook(webhook)
    assert sorted(json.loads(w.body)["data"]["key"] for w in webhooks) == sorted(w["key"] for w in expected["webhooks"])


def test_one_upload_has_one_webhook_id_on_every_route(notifier, receiver):
    rie = notifier()
    ids = {}
    for name in ("upload-single", "sns-upload", "sqs-upload", "eventbridge-upload"):
        before = len(receiver.requests)
        invoke_ok(rie, fixture(name))
        for webhook in receiver.requests[before:]:
            if json.loads(webhook.body)["data"]["key"] == UPLOAD_KEY:
                ids[name] = webhook.header("webhook-id")
    assert len(ids) == 4 and len(set(ids.values())) == 1, ids


def test_an_sqs_batch_answers_exactly_the_messages_not_delivered(notifier, receiver):
    # One at a time, so that the receiver's scripted answers meet the uploads in batch order.
    rie = notifier(WEBHOOK_PARALLELISM="1", WEBHOOK_MAX_ATTEMPTS="1")
    receiver.script(Reply(202), Reply(422))
    body = invoke_ok(rie, fixture("sqs-partial-failure"))
    expected = json.loads((h.REPO / "events" / "expected" / "sqs-partial-failure.json").read_text())
    assert sorted(item["itemIdentifier"] for item in body["batchItemFailures"]) == sorted(expected["batchItemFailures"]), body
    assert set(body) == {"batchItemFailures"}, body
    webhooks = no_more_requests(receiver, 2)
    assert [json.loads(w.body)["data"]["key"] for w in webhooks] == [w["key"] for w in expected["webhooks"]]
