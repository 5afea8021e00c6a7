"""deploy/deploy.sh and deploy/redrive.sh against a moto server on 127.0.0.1 (never AWS)."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from deploy_harness import (
    ACCOUNT, DEPLOY, REGION, SECRET_API_KEY, SECRET_SIGNING, make_artifact, run_script, zip_sha,
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def write_env(path: Path, **extra) -> Path:
    lines = [
        "# notifier environment (test)",
        "API_BASE_URL=https://api.example.com",
        f'WEBHOOK_API_KEY="{SECRET_API_KEY}"',
        f"export WEBHOOK_SIGNING_SECRET={SECRET_SIGNING}",
        "",
    ] + [f"{k}={v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def assert_no_secrets(result):
    for text in (result.stdout, result.stderr):
        assert SECRET_API_KEY not in text
        assert SECRET_SIGNING not in text


def function_absent(lam, name: str) -> bool:
    try:
        lam.get_function(FunctionName=name)
    except ClientError as e:
        return e.response["Error"]["Code"] == "ResourceNotFoundException"
    return False


def test_create_then_update(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    sqs = moto_server.client("sqs")
    name = unique("notifier")
    role = moto_server.create_role()
    queue = unique("failures")
    sqs.create_queue(QueueName=queue)
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"
    env_file = write_env(tmp_path / "notifier.env", WEBHOOK_PATH="/hooks/v1")
    first = make_artifact(tmp_path / "v1", b"echo v1\n")

    # 1. absent -> create-function; --endpoint-url wins over AWS_ENDPOINT_URL (here a closed loopback port)
    created = run_script("deploy.sh", [
        "--manifest", first, "--endpoint-url", moto_server.endpoint, "--region", REGION,
        "--function-name", name, "--role-arn", role, "--env-file", env_file,
        "--log-format", "JSON", "--log-level", "DEBUG",
        "--failure-destination-arn", queue_arn, "--max-event-age", "1800",
    ], {**moto_server.env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert created.returncode == 0, created.stderr
    assert_no_secrets(created)
    assert "created" in created.stdout and zip_sha(first) in created.stdout

    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["CodeSha256"] == zip_sha(first)
    assert config["Runtime"] == "provided.al2"
    assert config["Handler"] == "bootstrap"
    assert config["Architectures"] == ["x86_64"]
    assert config["MemorySize"] == 256 and config["Timeout"] == 30
    assert config["Role"] == role
    assert config["Environment"]["Variables"] == {
        "API_BASE_URL": "https://api.example.com", "WEBHOOK_API_KEY": SECRET_API_KEY,
        "WEBHOOK_SIGNING_SECRET": SECRET_SIGNING, "WEBHOOK_PATH": "/hooks/v1",
    }
    invoke_config = lam.get_function_event_invoke_config(FunctionName=name)
    assert invoke_config["MaximumRetryAttempts"] == 2
    assert invoke_config["MaximumEventAgeInSeconds"] == 1800
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn

    # Drift made outside the script, which the next deploy must put right.
    lam.update_function_configuration(FunctionName=name, MemorySize=128, Timeout=3)

    # 2. exists -> update-function-code + update-function-configuration, endpoint from AWS_ENDPOINT_URL
    second = make_artifact(tmp_path / "v2", b"echo v2\n")
    assert zip_sha(second) != zip_sha(first)
    env_file_2 = write_env(tmp_path / "notifier2.env", WEBHOOK_PATH="/hooks/v2", WEBHOOK_MAX_ATTEMPTS="3")
    updated = run_script("deploy.sh", [
        "--manifest", second, "--function-name", name, "--env-file", env_file_2,
    ], moto_server.env)
    assert updated.returncode == 0, updated.stderr
    assert_no_secrets(updated)
    assert "updated" in updated.stdout

    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["CodeSha256"] == zip_sha(second)
    assert config["MemorySize"] == 256 and config["Timeout"] == 30
    assert config["LastUpdateStatus"] == "Successful"
    variables = config["Environment"]["Variables"]
    assert variables["WEBHOOK_PATH"] == "/hooks/v2" and variables["WEBHOOK_MAX_ATTEMPTS"] == "3"

    # 3. code-only update: without --env-file the environment is kept as it is
    third = make_artifact(tmp_path / "v3", b"echo v3\n")
    code_only = run_script("deploy.sh", [
        "--manifest", third, "--function-name", name, "--endpoint-url", moto_server.endpoint,
    ], moto_server.env)
    assert code_only.returncode == 0, code_only.stderr
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["CodeSha256"] == zip_sha(third)
    assert config["Environment"]["Variables"] == variables


def test_incompatible_artifact_is_refused(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(
        tmp_path / "dist", b"echo x\n", compatible=False,
        problems=["needs GLIBC_2.34 (libc.so.6: __libc_start_main) but provided.al2 has glibc 2.26",
                  "needs libcurl.so.4, which provided.al2 does not ship"])
    result = run_script("deploy.sh", [
        "--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", name,
        "--role-arn", moto_server.create_role(), "--env-file", write_env(tmp_path / "e.env"),
    ], moto_server.env)
    assert result.returncode == 3
    assert "REFUSED" in result.stderr and "make package" in result.stderr
    assert "GLIBC_2.34" in result.stderr and "libcurl.so.4" in result.stderr
    assert function_absent(lam, name)

    # --dry-run refuses it too
    dry = run_script("deploy.sh", ["--manifest", manifest, "--dry-run"], moto_server.env)
    assert dry.returncode == 3 and "REFUSED" in dry.stderr


def test_a_static_artifact_deploys_on_either_runtime(moto_server, tmp_path):
    """The static bootstrap is checked against both runtimes; --runtime picks one of them, nothing else."""
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "static", b"echo static\n", runtime="provided.al2023",
                             compatible_runtimes=["provided.al2", "provided.al2023"])
    common = ["--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", name,
              "--role-arn", moto_server.create_role(), "--env-file", write_env(tmp_path / "e.env")]
    result = run_script("deploy.sh", [*common, "--runtime", "provided.al2"], moto_server.env)
    assert result.returncode == 0, result.stderr
    assert lam.get_function(FunctionName=name)["Configuration"]["Runtime"] == "provided.al2"

    only_2023 = make_artifact(tmp_path / "one", b"echo one\n", runtime="provided.al2023",
                              compatible_runtimes=["provided.al2023"])
    refused = run_script("deploy.sh", ["--manifest", only_2023, *common[2:], "--runtime", "provided.al2"],
                         moto_server.env)
    assert refused.returncode == 3 and "not known to start on provided.al2" in refused.stderr


def test_tampered_zip_and_bad_input_are_refused(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    name = unique("notifier")
    common = ["--endpoint-url", moto_server.endpoint, "--function-name", name,
              "--role-arn", moto_server.create_role()]

    tampered = make_artifact(tmp_path / "a", b"echo a\n", sha_override="A" * 43 + "=")
    result = run_script("deploy.sh", ["--manifest", tampered, *common,
                                      "--env-file", write_env(tmp_path / "e.env")], moto_server.env)
    assert result.returncode == 3 and "changed after packaging" in result.stderr

    good = make_artifact(tmp_path / "b", b"echo b\n")
    no_key = tmp_path / "no-key.env"
    no_key.write_text("API_BASE_URL=https://api.example.com\n")
    result = run_script("deploy.sh", ["--manifest", good, *common, "--env-file", no_key], moto_server.env)
    assert result.returncode == 2
    assert "no WEBHOOK_API_KEY or WEBHOOK_API_KEY_SECRET_ID" in result.stderr

    result = run_script("deploy.sh", ["--manifest", good, *common], moto_server.env)
    assert result.returncode == 2 and "--env-file" in result.stderr

    result = run_script("deploy.sh", ["--manifest", good, *common, "--runtime", "provided.al2023",
                                      "--env-file", write_env(tmp_path / "e2.env")], moto_server.env)
    assert result.returncode == 3 and "not known to start on provided.al2023" in result.stderr

    result = run_script("deploy.sh", ["--manifest", tmp_path / "missing.json", *common], moto_server.env)
    assert result.returncode == 3 and "make package" in result.stderr

    assert function_absent(lam, name)


def test_dry_run_changes_nothing_and_hides_secrets(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "dist", b"echo dry\n", architecture="arm64")
    result = run_script("deploy.sh", [
        "--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", name,
        "--role-arn", moto_server.create_role(), "--env-file", write_env(tmp_path / "e.env"), "--dry-run",
    ], moto_server.env)
    assert result.returncode == 0, result.stderr
    assert_no_secrets(result)
    assert "create-function" in result.stdout and "arm64" in result.stdout
    assert "WEBHOOK_API_KEY=(secret)" in result.stdout
    assert function_absent(lam, name)


SIGNING_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:voice-by-auribus/signing-secrets-AbC123"


def test_secret_ids_instead_of_values(moto_server, tmp_path):
    """The function reads the secrets itself: only their ids go into the environment."""
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "dist", b"echo ids\n")
    env_file = tmp_path / "ids.env"
    env_file.write_text(
        "API_BASE_URL=https://api.example.com\n"
        "WEBHOOK_API_KEY_SECRET_ID=voice-by-auribus/audio-upload-notifier/api-key\n"
        f"WEBHOOK_SIGNING_SECRET_ID={SIGNING_SECRET_ARN}\n"
        "FETCH_OBJECT_METADATA=false\n"
        "METRICS_NAMESPACE=\n")
    result = run_script("deploy.sh", [
        "--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", name,
        "--role-arn", moto_server.create_role(), "--env-file", env_file,
    ], moto_server.env)
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    assert "WEBHOOK_API_KEY_SECRET_ID is read at run time" in result.stderr
    assert "secretsmanager:GetSecretValue" in result.stderr
    assert lam.get_function(FunctionName=name)["Configuration"]["Environment"]["Variables"] == {
        "API_BASE_URL": "https://api.example.com",
        "WEBHOOK_API_KEY_SECRET_ID": "voice-by-auribus/audio-upload-notifier/api-key",
        "WEBHOOK_SIGNING_SECRET_ID": SIGNING_SECRET_ARN,
        "FETCH_OBJECT_METADATA": "false",
        "METRICS_NAMESPACE": "",
    }


@pytest.mark.parametrize("extra, message", [
    ({"WEBHOOK_API_KEY_SECRET_ID": "voice-by-auribus/audio-upload-notifier/api-key"},
     "set only one of WEBHOOK_API_KEY and WEBHOOK_API_KEY_SECRET_ID"),
    ({"WEBHOOK_SIGNING_SECRET_ID": SIGNING_SECRET_ARN},
     "set only one of WEBHOOK_SIGNING_SECRET and WEBHOOK_SIGNING_SECRET_ID"),
], ids=["api-key", "signing-secret"])
def test_a_value_and_its_secret_id_together_are_refused(moto_server, tmp_path, extra, message):
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "dist", b"echo both\n")
    result = run_script("deploy.sh", [
        "--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", name,
        "--role-arn", moto_server.create_role(), "--env-file", write_env(tmp_path / "both.env", **extra),
    ], moto_server.env)
    assert result.returncode == 2
    assert message in result.stderr
    assert_no_secrets(result)
    assert function_absent(lam, name)


def test_the_example_environment_file_is_accepted(moto_server, tmp_path):
    manifest = make_artifact(tmp_path / "dist", b"echo example\n")
    result = run_script("deploy.sh", [
        "--manifest", manifest, "--endpoint-url", moto_server.endpoint, "--function-name", unique("notifier"),
        "--env-file", DEPLOY / "notifier.env.example", "--dry-run",
    ], moto_server.env)
    assert result.returncode == 0, result.stderr
    assert "WEBHOOK_API_KEY=(secret)" in result.stdout
    for name in ("FETCH_OBJECT_METADATA", "METRICS_NAMESPACE", "WEBHOOK_SIGNING_SECRET=(secret)"):
        assert name in result.stdout
    assert "SECRET_ID" not in result.stdout  # commented out: one source per secret


def failure_record(key: str) -> str:
    event = {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "voice-by-auribus-audio-files"},
               "object": {"key": key, "size": 10, "eTag": "e", "sequencer": "00"}},
    }]}
    return json.dumps({
        "version": "1.0", "timestamp": "2026-01-01T00:05:00.000Z",
        "requestContext": {"requestId": str(uuid.uuid4()),
                           "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:x:$LATEST",
                           "condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorType": "WebhookDeliveryFailed", "errorMessage": "503"},
    })


def queue_depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_redrive_invokes_then_deletes(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    sqs = moto_server.client("sqs")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "dist", b"echo r\n")
    lam.create_function(
        FunctionName=name, Runtime="provided.al2", Handler="bootstrap", Role=moto_server.create_role(),
        Code={"ZipFile": (manifest.parent / "bootstrap.zip").read_bytes()},
    )
    url = sqs.create_queue(QueueName=unique("failures"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=failure_record("audio-files/u1/temp/f1.wav"))
    sqs.send_message(QueueUrl=url, MessageBody=failure_record("audio-files/u2/temp/f2.mp3"))
    sqs.send_message(QueueUrl=url, MessageBody="not a failure record")

    dry = run_script("redrive.sh", ["--queue-url", url, "--function-name", name, "--dry-run",
                                    "--visibility-timeout", "0", "--max", "3"], moto_server.env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("WOULD") == 2 and "audio-files/u1/temp/f1.wav" in dry.stdout
    assert queue_depth(sqs, url) == 3

    result = run_script("redrive.sh", ["--queue-url", url, "--function-name", name,
                                       "--endpoint-url", moto_server.endpoint], moto_server.env)
    assert result.returncode == 1, result.stderr  # the junk message is kept
    assert result.stdout.count("REDRIVE") == 2 and result.stdout.count("KEEP") == 1
    assert "redriven 2, kept 1" in result.stdout
    assert queue_depth(sqs, url) == 1


def test_redrive_keeps_messages_when_invoke_fails(moto_server, tmp_path):
    sqs = moto_server.client("sqs")
    queue = unique("failures")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=failure_record("audio-files/u1/temp/f1.wav"))

    # An `aws` that fails every `lambda invoke` and passes everything else to the real CLI.
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    real_aws = None
    for directory in moto_server.env["PATH"].split(os.pathsep):
        candidate = Path(directory) / "aws"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            real_aws = candidate
            break
    assert real_aws is not None
    shim = shim_dir / "aws"
    shim.write_text(
        "#!/usr/bin/env bash\n"
        'if [[ " $* " == *" lambda invoke "* ]]; then\n'
        '  echo "An error occurred (ServiceException) when calling the Invoke operation: simulated" >&2; exit 254\n'
        "fi\n"
        f'exec "{real_aws}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {**moto_server.env, "PATH": f"{shim_dir}{os.pathsep}{moto_server.env['PATH']}"}

    result = run_script("redrive.sh", ["--queue-name", queue, "--function-name", "whatever"], env)
    assert result.returncode == 1
    assert "KEEP" in result.stdout and "simulated" in result.stdout
    assert "redriven 0, kept 1" in result.stdout
    assert queue_depth(sqs, url) == 1


def test_redrive_sqs_route_sends_the_dead_letters_back_to_the_upload_queue(moto_server):
    sqs = moto_server.client("sqs")
    dead_letters = sqs.create_queue(QueueName=unique("uploads-dlq"))["QueueUrl"]
    uploads = sqs.create_queue(QueueName=unique("uploads"))["QueueUrl"]
    # What S3 put on the upload queue, as the dead-letter queue keeps it after 3 receives.
    notification = json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                            "s3": {"bucket": {"name": "b"}, "object": {"key": "audio-files/u1/temp/f1.wav"}}}]})
    sqs.send_message(QueueUrl=dead_letters, MessageBody=notification)

    result = run_script("redrive.sh", ["--queue-url", dead_letters, "--to-queue-url", uploads,
                                       "--endpoint-url", moto_server.endpoint], moto_server.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "REDRIVE" in result.stdout and "audio-files/u1/temp/f1.wav" in result.stdout
    assert queue_depth(sqs, dead_letters) == 0
    (moved,) = sqs.receive_message(QueueUrl=uploads, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(moved["Body"]) == json.loads(notification)  # the notification itself, not a record around it
