"""The upload notifier's contract in plain Python, for the benchmark's Python peer.

Runs on the official runtime interface client (`python -m awslambdaric handler.handler`, with
AWS_LAMBDA_RUNTIME_API set), and does what `bootstrap` does per record: URL-decode the key, apply the
{prefix}{userId}/temp/{fileName} grammar, webhook-id = upl_ + base64url(SHA-256(bucket, key,
versionId, sequencer)), the same sorted-keys JSON body, Standard Webhooks v1 HMAC-SHA256 with
hmac/hashlib, one POST with urllib and the same headers, retries with backoff and full jitter, one
log line per record, and the same response JSON. Configuration is read once at import (the init
phase), like the Swift notifier's.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request

logger = logging.getLogger()
logger.setLevel(logging.INFO)

VERSION = "1.0.0"
DEFAULT_PATH = "/api/v1/audio-files/webhooks/upload-notification"


def _secrets():
    text = os.environ.get("WEBHOOK_SIGNING_SECRET", "")
    if not text:
        return [os.environ["WEBHOOK_API_KEY"].encode()]
    keys = []
    for part in text.split():
        if not part.startswith("whsec_"):
            raise ValueError("WEBHOOK_SIGNING_SECRET: each secret must start with whsec_")
        key = base64.b64decode(part[len("whsec_"):], validate=True)
        if len(key) < 24:
            raise ValueError("WEBHOOK_SIGNING_SECRET: a secret must hold at least 24 bytes of key")
        keys.append(key)
    return keys


API_KEY = os.environ["WEBHOOK_API_KEY"]
URL = os.environ["API_BASE_URL"].rstrip("/") + (os.environ.get("WEBHOOK_PATH") or DEFAULT_PATH)
KEYS = _secrets()
TIMEOUT = int(os.environ.get("WEBHOOK_TIMEOUT_MS", "5000")) / 1000
MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "4"))
PREFIX = os.environ.get("AUDIO_FILES_PREFIX", "audio-files/")
ALLOWED = {b.strip() for b in os.environ.get("ALLOWED_BUCKETS", "").split(",") if b.strip()}
USER_AGENT = "AudioUploadNotifier/" + VERSION
RETRYABLE = {408, 425, 429}


class InvalidEvent(Exception):
    pass


class WebhookDeliveryFailed(Exception):
    pass


def _skip_reason(record, key):
    name = record.get("eventName") or ""
    if not name.startswith("ObjectCreated:"):
        return "event %s is not an ObjectCreated event" % (name or "(no eventName)")
    if ALLOWED and record["s3"]["bucket"]["name"] not in ALLOWED:
        return "bucket is not in ALLOWED_BUCKETS"
    if not key.startswith(PREFIX):
        return "key is outside the audio files prefix"
    segments = key[len(PREFIX):].split("/")
    if len(segments) >= 2 and segments[1] in ("short", "inference"):
        return "%s/ objects are written by preprocessing, not uploaded by users" % segments[1]
    if len(segments) < 2 or segments[1] != "temp":
        return "key is not under {userId}/temp/"
    if len(segments) != 3:
        return "malformed upload key"
    for segment in (segments[0], segments[2]):
        if segment in ("", ".", "..") or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in segment):
            return "malformed upload key"
    return None


def _webhook_id(bucket, key, version_id, sequencer):
    material = "audio_file.uploaded\0%s\0%s\0%s\0%s" % (bucket, key, version_id or "", sequencer or "")
    digest = hashlib.sha256(material.encode()).digest()
    return "upl_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _body(record, key):
    obj = record["s3"]["object"]
    bucket = record["s3"]["bucket"]["name"]
    user_id, _, file_name = key[len(PREFIX):].split("/")
    file_id, dot, extension = file_name.rpartition(".")
    if not dot:
        file_id, extension = file_name, None
    payload = {
        "type": "audio_file.uploaded",
        "timestamp": record.get("eventTime"),
        "data": {
            "userId": user_id, "fileId": file_id, "fileExtension": extension or None,
            "bucket": bucket, "key": key, "s3Uri": "s3://%s/%s" % (bucket, key),
            "size": obj.get("size"), "eTag": obj.get("eTag"), "versionId": obj.get("versionId"),
            "sequencer": obj.get("sequencer"), "eventName": record.get("eventName"),
            "eventTime": record.get("eventTime"), "awsRegion": record.get("awsRegion"),
            # No HeadObject (the bench runs the notifier with FETCH_OBJECT_METADATA=false).
            "contentType": None, "metadata": None,
        },
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _deliver(body, webhook_id, trace_id):
    last = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        timestamp = int(time.time())
        signed = b"%s.%d." % (webhook_id.encode(), timestamp) + body
        signature = " ".join(
            "v1," + base64.b64encode(hmac.new(k, signed, hashlib.sha256).digest()).decode() for k in KEYS)
        headers = {
            "Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Webhook-Api-Key": API_KEY,
            "webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature,
        }
        if trace_id:
            headers["X-Amzn-Trace-Id"] = trace_id
        request = urllib.request.Request(URL, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, attempt
        except urllib.error.HTTPError as error:
            if not (error.code in RETRYABLE or error.code >= 500):
                raise WebhookDeliveryFailed("HTTP %d, not retryable" % error.code)
            last = "HTTP %d" % error.code
        except OSError as error:
            last = str(error)
        if attempt < MAX_ATTEMPTS:
            time.sleep(random.uniform(0, min(8.0, 0.25 * 2 ** (attempt - 1))))
    raise WebhookDeliveryFailed("%s, attempts exhausted" % last)


def handler(event, context):
    if not isinstance(event, dict):
        raise InvalidEvent("the event is not a JSON object")
    if event.get("Event") == "s3:TestEvent":
        return {"delivered": 0, "skipped": 0, "results": [], "testEvent": True}
    records = event.get("Records")
    if not isinstance(records, list) or not records:
        raise InvalidEvent("the event has no Records")
    trace_id = os.environ.get("_X_AMZN_TRACE_ID")
    results = []
    for record in records:
        if record.get("eventSource") != "aws:s3":
            raise InvalidEvent("a record is not from aws:s3")
        raw_key = record["s3"]["object"]["key"]
        try:
            key = urllib.parse.unquote_plus(raw_key, errors="strict")
        except UnicodeDecodeError:
            results.append({"key": raw_key, "outcome": "skipped", "reason": "key is not validly URL-encoded"})
            continue
        reason = _skip_reason(record, key)
        if reason:
            logger.info("skipped key=%s reason=%s", key, reason)
            results.append({"key": key, "outcome": "skipped", "reason": reason})
            continue
        obj = record["s3"]["object"]
        webhook_id = _webhook_id(record["s3"]["bucket"]["name"], key, obj.get("versionId"), obj.get("sequencer"))
        status, attempts = _deliver(_body(record, key), webhook_id, trace_id)
        logger.info("webhook delivered key=%s webhookId=%s status=%d attempts=%d", key, webhook_id, status, attempts)
        results.append({"key": key, "outcome": "delivered", "webhookId": webhook_id})
    delivered = sum(1 for r in results if r["outcome"] == "delivered")
    return {"delivered": delivered, "skipped": len(results) - delivered, "results": results}
