"""What every contender must send and answer: the expected webhook, built from the documented schema
(docs/webhook.schema.json), the check of the receiver's recorded requests (body bytes, headers, the
Standard Webhooks v1 signature) and the check of the invocation response."""

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse
from pathlib import Path

from contenders import API_KEY, ROOT, SECRET_KEY, USER_AGENT


SCHEMA = ROOT / "docs" / "webhook.schema.json"
EXAMPLE = ROOT / "docs" / "webhook.example.json"


def expected_webhook(event, schema_path=SCHEMA, example_path=EXAMPLE):
    """The webhook every contender must send for the event's first record: key, webhook-id, body bytes.

    The body's fields are the documented schema's (docs/webhook.schema.json), each computed from the record
    here; a field the schema requires and this cannot compute, or one it computes that the schema does not
    name, stops the bench, so the expectation cannot fall behind the documented body. The contenders run
    with FETCH_OBJECT_METADATA=false: no HeadObject, hence contentType and metadata null.
    """
    record = json.loads(event)["Records"][0]
    obj, bucket = record["s3"]["object"], record["s3"]["bucket"]["name"]
    key = urllib.parse.unquote_plus(obj["key"])
    user_id, _, file_name = key[len("audio-files/"):].split("/")
    file_id, dot, extension = file_name.rpartition(".")
    if not dot:
        file_id, extension = file_name, None
    computed = {
        "userId": user_id, "fileId": file_id, "fileExtension": extension, "bucket": bucket, "key": key,
        "s3Uri": "s3://%s/%s" % (bucket, key), "size": obj.get("size"), "eTag": obj.get("eTag"),
        "versionId": obj.get("versionId"), "sequencer": obj.get("sequencer"), "eventName": record["eventName"],
        "eventTime": record["eventTime"], "awsRegion": record["awsRegion"], "contentType": None, "metadata": None,
    }
    schema = json.loads(Path(schema_path).read_text())
    documented = schema["properties"]["data"]["required"]
    example = json.loads(Path(example_path).read_text())
    missing = sorted(set(documented) - set(computed))
    unknown = sorted(set(computed) - set(documented))
    if missing or unknown or set(example["data"]) != set(documented) or set(example) != set(schema["required"]):
        raise SystemExit("bench: the expected webhook body no longer matches %s (fields it cannot compute: %s; "
                         "fields the schema does not name: %s; or %s has other fields): update expected_webhook" % (
                             os.path.relpath(schema_path, ROOT), ", ".join(missing) or "none",
                             ", ".join(unknown) or "none", os.path.relpath(example_path, ROOT)))
    material = "audio_file.uploaded\0%s\0%s\0%s\0%s" % (bucket, key, obj.get("versionId") or "", obj.get("sequencer") or "")
    webhook_id = "upl_" + base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()).decode().rstrip("=")
    body = {"type": schema["properties"]["type"]["const"], "timestamp": record["eventTime"],
            "data": {name: computed[name] for name in documented}}
    # The notifier's serialisation: keys sorted, no spaces, UTF-8 as it is (as in docs/webhook.example.json).
    return key, webhook_id, json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify_dump(path, key, webhook_id, body):
    """Checks the receiver's recorded requests: headers, exact body bytes, v1 signature."""
    data = Path(path).read_bytes()
    problems, checked, at = [], 0, 0
    while True:
        start = data.find(b"=== REQUEST ", at)
        if start < 0:
            break
        line_end = data.index(b"\n", start)
        length = int(data[start + 12:line_end])
        request = data[line_end + 1:line_end + 1 + length]
        at = line_end + 1 + length
        head, _, got_body = request.partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode()] = value.strip().decode()
        checked += 1
        if got_body != body:
            problems.append("body differs from the expected bytes")
        for name, want in (("x-webhook-api-key", API_KEY), ("user-agent", USER_AGENT),
                           ("content-type", "application/json"), ("webhook-id", webhook_id)):
            if headers.get(name) != want:
                problems.append("%s is %r" % (name, headers.get(name)))
        if not headers.get("x-amzn-trace-id", "").startswith("Root="):
            problems.append("no X-Amzn-Trace-Id")
        signed = ("%s.%s." % (headers.get("webhook-id"), headers.get("webhook-timestamp"))).encode() + got_body
        mac = base64.b64encode(hmac.new(SECRET_KEY, signed, hashlib.sha256).digest()).decode()
        if "v1," + mac not in headers.get("webhook-signature", "").split(" "):
            problems.append("signature does not verify")
        if abs(int(headers.get("webhook-timestamp", "0")) - time.time()) > 300:
            problems.append("timestamp outside 5 minutes")
    if checked == 0:
        problems.append("no request recorded")
    return {"checked": checked, "ok": not problems, "problems": sorted(set(problems))}


def response_ok(api, expected):
    key, webhook_id, _ = expected
    first = json.loads(api.responses[0][3]) if api.responses else {}
    return (first.get("delivered") == 1 and first.get("skipped") == 0
            and first.get("results") == [{"key": key, "outcome": "delivered", "webhookId": webhook_id}])
