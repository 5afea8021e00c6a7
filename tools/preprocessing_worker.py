"""A stand-in for the preprocessing service, for the end-to-end check: what the real service must do
with a message of audio-preprocessing-queue, minus the audio work.

Under the preprocessing role (boto3 clients made with its credentials) one `poll()`:
  1. receives at most one message (sqs:ReceiveMessage);
  2. validates it against docs/preprocessing-message.schema.json; an invalid one is handed back at once
     (sqs:ChangeMessageVisibility to 0), so after the queue's maxReceiveCount (3) SQS moves it to the DLQ;
  3. reads the upload from s3_key_temp (s3:GetObject) and writes the short/ preview and the inference/
     file (s3:PutObject) - here a truncated and a full copy;
  4. deletes the message (sqs:DeleteMessage);
  5. POSTs the result to callback_response.url when its type is HTTP.
Each step is counted in `steps`.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from pathlib import Path

import jsonschema

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "preprocessing-message.schema.json").read_text())
PREVIEW_BYTES = 1024  # the stand-in's "10-second preview"


def split_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


class PreprocessingWorker:
    def __init__(self, sqs, s3, queue_url: str, only_temp_uri: str | None = None, callback_timeout: float = 10.0):
        """`only_temp_uri`: process only the request for this upload and hand any other back untouched
        (counted as message_foreign), for a check on a queue that carries other traffic."""
        self.sqs, self.s3, self.queue_url = sqs, s3, queue_url
        self.only_temp_uri = only_temp_uri
        self.callback_timeout = callback_timeout
        self.steps: Counter = Counter()
        self.invalid: list[str] = []     # schema errors of the messages handed back

    def poll(self, wait_seconds: int = 1) -> bool:
        """One receive; True when a message was received (valid or not)."""
        received = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1,
                                            WaitTimeSeconds=wait_seconds).get("Messages", [])
        for message in received:
            self._process(message)
        return bool(received)

    def _hand_back(self, message: dict, step: str) -> None:
        self.steps[step] += 1
        self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                           VisibilityTimeout=0)

    def _process(self, message: dict) -> None:
        try:
            request = json.loads(message["Body"])
        except ValueError:
            request = None
        if self.only_temp_uri and (not isinstance(request, dict) or request.get("s3_key_temp") != self.only_temp_uri):
            return self._hand_back(message, "message_foreign")
        self.steps["message_received"] += 1
        try:
            jsonschema.validate(request, SCHEMA)
        except jsonschema.ValidationError as error:
            self.invalid.append(error.message)
            return self._hand_back(message, "message_rejected_invalid")
        self.steps["message_valid"] += 1
        audio = self.s3.get_object(**self._location(request["s3_key_temp"]))["Body"].read()
        self.s3.put_object(Body=audio[:PREVIEW_BYTES], ContentType="audio/wav", **self._location(request["s3_key_short"]))
        self.steps["short_written"] += 1
        self.s3.put_object(Body=audio, ContentType="audio/wav", **self._location(request["s3_key_for_inference"]))
        self.steps["inference_written"] += 1
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.steps["message_deleted"] += 1
        callback = request.get("callback_response")
        if callback and callback["type"] == "HTTP":
            self._call_back(callback["url"], request)

    def _call_back(self, url: str, request: dict) -> None:
        body = json.dumps({"request_id": request.get("request_id"), "status": "PROCESSED",
                           "s3_key_short": request["s3_key_short"],
                           "s3_key_for_inference": request["s3_key_for_inference"]}).encode()
        call = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(call, timeout=self.callback_timeout) as answer:
                self.steps[f"callback_answered_{answer.status}"] += 1
        except urllib.error.HTTPError as error:
            self.steps[f"callback_answered_{error.code}"] += 1

    @staticmethod
    def _location(uri: str) -> dict:
        bucket, key = split_s3_uri(uri)
        return {"Bucket": bucket, "Key": key}
