"""The shipped bootstrap under the real RIE against a loopback moto server with SigV4 checking on:
object metadata in the webhook, a deleted object, a 403, secrets read at init and after a rotation,
an unknown secret id, and the EMF metrics lines."""

from __future__ import annotations

import json
import secrets
import uuid

import pytest

import rie_harness as h
from moto_server import REGION, MotoServer
from rie_suite import API_KEY, SIGNING_SECRET, notifier_env

BUCKET = h.BUCKET
API_KEY_SECRET = "notifier/api-key-" + uuid.uuid4().hex[:6]
SIGNING_SECRET_ID = "notifier/signing-" + uuid.uuid4().hex[:6]
ROTATED_KEY = "rotated-api-key-" + secrets.token_hex(16)
FUNCTION_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "secretsmanager:GetSecretValue"],
     "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::{BUCKET}/audio-files/locked/*"},
]}

# The EMF specification's structure, as a JSON Schema (CloudWatch_Embedded_Metric_Format_Specification).
EMF_SCHEMA = {
    "type": "object",
    "required": ["_aws"],
    "properties": {"_aws": {
        "type": "object", "required": ["Timestamp", "CloudWatchMetrics"],
        "properties": {
            "Timestamp": {"type": "integer", "minimum": 0},
            "CloudWatchMetrics": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["Namespace", "Dimensions", "Metrics"], "additionalProperties": False,
                "properties": {
                    "Namespace": {"type": "string", "minLength": 1, "maxLength": 255},
                    "Dimensions": {"type": "array", "items": {"type": "array", "maxItems": 30, "items": {"type": "string", "minLength": 1}}},
                    "Metrics": {"type": "array", "maxItems": 100, "items": {
                        "type": "object", "required": ["Name"], "additionalProperties": False,
                        "properties": {"Name": {"type": "string", "minLength": 1, "maxLength": 1024},
                                       "Unit": {"enum": ["Count", "Milliseconds"]},
                                       "StorageResolution": {"enum": [1, 60]}}}},
                }}},
        }}},
}


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    """moto with a versioned bucket, objects with metadata, the two secrets, and the function's keys."""
    with MotoServer(tmp_path_factory.mktemp("moto") / "moto.log") as moto:
        s3 = moto.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket=BUCKET, Key="audio-files/u-1/temp/f-1.wav", Body=b"RIFF", ContentType="audio/wav",
                      Metadata={"Original-Filename": "take 2.wav", "app": "ios"})
        first = s3.put_object(Bucket=BUCKET, Key="audio-files/u-2/temp/v.ogg", Body=b"1", ContentType="audio/ogg")
        s3.put_object(Bucket=BUCKET, Key="audio-files/u-2/temp/v.ogg", Body=b"2", ContentType="audio/mpeg")
        s3.put_object(Bucket=BUCKET, Key="audio-files/locked/temp/x.wav", Body=b"x", ContentType="audio/wav")
        manager = moto.client("secretsmanager")
        manager.create_secret(Name=API_KEY_SECRET, SecretString=API_KEY)
        signing_arn = manager.create_secret(Name=SIGNING_SECRET_ID, SecretString=SIGNING_SECRET)["ARN"]
        key_id, secret_key = moto.create_user("notifier-" + uuid.uuid4().hex[:6], FUNCTION_POLICY)
        moto.enable_authentication()
        yield {"moto": moto, "key_id": key_id, "secret_key": secret_key, "v1": first["VersionId"],
               "signing_arn": signing_arn}
        moto.disable_authentication()


def env_for(aws, receiver, **overrides):
    return notifier_env(receiver.url, AWS_ACCESS_KEY_ID=aws["key_id"], AWS_SECRET_ACCESS_KEY=aws["secret_key"],
                        AWS_REGION=REGION, AWS_ENDPOINT_URL=aws["moto"].endpoint, AWS_LAMBDA_FUNCTION_NAME="notifier-test",
                        **overrides)


def start(start_rie, bootstrap_binary, aws, receiver, **overrides):
    return start_rie(bootstrap_binary, env_for(aws, receiver, **overrides),
                     extra_secrets=(aws["secret_key"], ROTATED_KEY))


def emf_lines(log: str) -> list[dict]:
    return [json.loads(line[line.index("{"):]) for line in log.splitlines() if '{"_aws":' in line]


def test_webhook_carries_the_objects_content_type_and_metadata(start_rie, bootstrap_binary, aws, receiver):
    rie = start(start_rie, bootstrap_binary, aws, receiver)
    result = rie.invoke(h.s3_event(
        h.s3_record("audio-files/u-1/temp/f-1.wav"),
        h.s3_record("audio-files/u-2/temp/v.ogg", version_id=aws["v1"])))
    assert result.status == 200, result.text
    webhooks = receiver.wait_for(2)
    assert len(webhooks) == 2 and all(w.api_key_ok and w.signature_ok for w in webhooks)
    # The two uploads are delivered side by side (WEBHOOK_PARALLELISM): in either order.
    data = {w.json["data"]["key"]: w.json["data"] for w in webhooks}
    wav, ogg = data["audio-files/u-1/temp/f-1.wav"], data["audio-files/u-2/temp/v.ogg"]
    assert wav["contentType"] == "audio/wav"
    assert wav["metadata"] == {"app": "ios", "original-filename": "take 2.wav"}
    assert ogg["contentType"] == "audio/ogg", "the event's versionId must select the first version"
    assert ogg["metadata"] == {}


def test_an_object_deleted_before_the_event_is_skipped(start_rie, bootstrap_binary, aws, receiver):
    rie = start(start_rie, bootstrap_binary, aws, receiver)
    result = rie.invoke(h.s3_event(h.s3_record("audio-files/u-9/temp/gone.wav")))
    assert result.status == 200, result.text
    body = result.json()
    assert body["delivered"] == 0 and body["skipped"] == 1
    assert body["results"][0]["reason"].startswith("object no longer exists")
    assert receiver.wait_for(1, timeout=1) == []


def test_a_403_still_notifies_with_null_fields_and_a_warning(start_rie, bootstrap_binary, aws, receiver):
    rie = start(start_rie, bootstrap_binary, aws, receiver)
    result = rie.invoke(h.s3_event(h.s3_record("audio-files/locked/temp/x.wav")))
    assert result.status == 200, result.text
    (webhook,) = receiver.wait_for(1)
    assert webhook.json["data"]["contentType"] is None and webhook.json["data"]["metadata"] is None
    assert "s3:GetObject" in rie.log_text() and "403" in rie.log_text()


def test_secrets_are_read_at_init(start_rie, bootstrap_binary, aws, receiver):
    rie = start(start_rie, bootstrap_binary, aws, receiver, WEBHOOK_API_KEY=None, WEBHOOK_SIGNING_SECRET=None,
                WEBHOOK_API_KEY_SECRET_ID=API_KEY_SECRET, WEBHOOK_SIGNING_SECRET_ID=aws["signing_arn"],
                FETCH_OBJECT_METADATA="false")
    assert rie.invoke(h.s3_event(h.s3_record("audio-files/u-1/temp/f-1.wav"))).status == 200
    (webhook,) = receiver.wait_for(1)
    assert webhook.api_key_ok and webhook.signature_ok
    assert webhook.json["data"]["contentType"] is None  # FETCH_OBJECT_METADATA=false


def test_an_unknown_secret_id_is_an_init_error_naming_it(start_rie, bootstrap_binary, aws, receiver):
    rie = start(start_rie, bootstrap_binary, aws, receiver, WEBHOOK_API_KEY=None, WEBHOOK_API_KEY_SECRET_ID="notifier/missing")
    result = rie.invoke(h.s3_event(h.s3_record("audio-files/u-1/temp/f-1.wav")))
    assert result.status != 200 or "errorType" in result.text
    assert "ConfigurationError" in result.text + rie.log_text()
    assert "notifier/missing" in rie.log_text()
    assert receiver.wait_for(1, timeout=1) == []


def test_a_rotated_api_key_is_picked_up_without_a_restart(start_rie, bootstrap_binary, aws, receiver):
    manager = aws["moto"].client("secretsmanager")
    manager.put_secret_value(SecretId=API_KEY_SECRET, SecretString=API_KEY)
    rie = start(start_rie, bootstrap_binary, aws, receiver, WEBHOOK_API_KEY=None,
                WEBHOOK_API_KEY_SECRET_ID=API_KEY_SECRET, FETCH_OBJECT_METADATA="false")
    assert rie.invoke(h.s3_event(h.s3_record("audio-files/u-1/temp/f-1.wav"))).status == 200
    manager.put_secret_value(SecretId=API_KEY_SECRET, SecretString=ROTATED_KEY)
    receiver.script(h.Reply(status=401))  # the backend now refuses the old key
    try:
        result = rie.invoke(h.s3_event(h.s3_record("audio-files/u-1/temp/f-1.wav")))
        assert result.status == 200, result.text
        requests = receiver.wait_for(3)
        assert [r.headers["x-webhook-api-key"] == ROTATED_KEY for r in requests] == [False, False, True]
        assert result.json()["delivered"] == 1
    finally:
        manager.put_secret_value(SecretId=API_KEY_SECRET, SecretString=API_KEY)


def test_every_invocation_writes_one_valid_emf_line(start_rie, bootstrap_binary, aws, receiver):
    import jsonschema
    for log_format in ("Text", "JSON"):
        receiver.requests.clear()
        rie = start(start_rie, bootstrap_binary, aws, receiver, AWS_LAMBDA_LOG_FORMAT=log_format)
        assert rie.invoke(h.s3_event(h.s3_record("audio-files/u-1/temp/f-1.wav"),
                                     h.s3_record("audio-files/u-1/short/p.wav"))).status == 200
        rie.stop()
        lines = emf_lines(rie.log_text())
        assert len(lines) == 1, rie.log_text()
        (emf,) = lines
        jsonschema.validate(emf, EMF_SCHEMA)
        directive = emf["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "VoiceByAuribus/AudioUploadNotifier"
        assert directive["Dimensions"] == [["FunctionName"]]
        for metric in directive["Metrics"]:
            assert metric["Name"] in emf, "each metric must be a member of the root"
        assert emf["FunctionName"] == "notifier-test"
        assert (emf["Delivered"], emf["Skipped"], emf["Failed"], emf["Attempts"]) == (1, 1, 0, 1)
        assert len(emf["WebhookLatency"]) == 1 and emf["WebhookLatency"][0] > 0
