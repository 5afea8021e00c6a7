"""deploy/deploy.sh and deploy/redrive.sh against a moto server on 127.0.0.1 (never AWS)."""

from __future__ import annotations

import json
import uuid

from botocore.exceptions import ClientError

from deploy_harness import (
    ACCOUNT, REGION, SECRET_API_KEY, SECRET_SIGNING, aws_shim, make_artifact, run_script, zip_sha,
)

STATIC = ["provided.al2", "provided.al2023"]  # make package's static bootstrap starts on both


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# What the template's stack holds: its configuration, secrets in the environment included, which
# deploy.sh must neither change nor print.
ENVIRONMENT = {"API_BASE_URL": "https://api.example.com", "WEBHOOK_API_KEY": SECRET_API_KEY,
               "WEBHOOK_SIGNING_SECRET": SECRET_SIGNING}


def create_function(moto_server, manifest, *, runtime="provided.al2023", architecture="x86_64") -> str:
    name = unique("notifier")
    moto_server.client("lambda").create_function(
        FunctionName=name, Runtime=runtime, Handler="bootstrap", Architectures=[architecture],
        Role=moto_server.create_role(), MemorySize=256, Timeout=30,
        Code={"ZipFile": (manifest.parent / "bootstrap.zip").read_bytes()},
        Environment={"Variables": ENVIRONMENT},
    )
    return name


def configuration(moto_server, name: str) -> dict:
    return moto_server.client("lambda").get_function_configuration(FunctionName=name)


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


def test_updates_only_the_code_and_checks_its_hash(moto_server, tmp_path):
    first = make_artifact(tmp_path / "v1", b"echo v1\n", runtime="provided.al2023", compatible_runtimes=STATIC)
    name = create_function(moto_server, first)
    before = configuration(moto_server, name)
    second = make_artifact(tmp_path / "v2", b"echo v2\n", runtime="provided.al2023", compatible_runtimes=STATIC)
    assert zip_sha(second) != zip_sha(first)

    # --endpoint-url wins over AWS_ENDPOINT_URL (here a closed loopback port)
    result = run_script("deploy.sh", ["--manifest", second, "--function-name", name,
                                      "--endpoint-url", moto_server.endpoint, "--region", REGION],
                        {**moto_server.env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    assert_no_secrets(result)
    assert f"CodeSha256: {zip_sha(second)} (matches the manifest)" in result.stdout

    after = configuration(moto_server, name)
    assert after["CodeSha256"] == zip_sha(second)
    assert after["LastUpdateStatus"] == "Successful"
    for key in ("Runtime", "Architectures", "Handler", "Role", "MemorySize", "Timeout", "Environment"):
        assert after[key] == before[key], key

    # The endpoint from AWS_ENDPOINT_URL, the function name from NOTIFIER_FUNCTION_NAME.
    third = make_artifact(tmp_path / "v3", b"echo v3\n", runtime="provided.al2023", compatible_runtimes=STATIC)
    result = run_script("deploy.sh", ["--manifest", third], {**moto_server.env, "NOTIFIER_FUNCTION_NAME": name})
    assert result.returncode == 0, result.stderr
    assert configuration(moto_server, name)["CodeSha256"] == zip_sha(third)


def test_a_missing_function_is_refused_and_not_created(moto_server, tmp_path):
    lam = moto_server.client("lambda")
    name = unique("notifier")
    manifest = make_artifact(tmp_path / "dist", b"echo x\n", compatible_runtimes=STATIC)
    for extra in ([], ["--dry-run"]):
        result = run_script("deploy.sh", ["--manifest", manifest, "--function-name", name, *extra],
                            moto_server.env)
        assert result.returncode == 5, result.stderr
        assert f"there is no function {name}" in result.stderr
        assert "sam deploy" in result.stderr and "deploy/template.yaml" in result.stderr
    assert function_absent(lam, name)


def test_incompatible_artifact_is_refused(moto_server, tmp_path):
    good = make_artifact(tmp_path / "good", b"echo good\n", compatible_runtimes=STATIC)
    name = create_function(moto_server, good)
    manifest = make_artifact(
        tmp_path / "dist", b"echo x\n", compatible=False,
        problems=["needs GLIBC_2.34 (libc.so.6: __libc_start_main) but provided.al2 has glibc 2.26",
                  "needs libcurl.so.4, which provided.al2 does not ship"])
    for extra in ([], ["--dry-run"]):
        result = run_script("deploy.sh", ["--manifest", manifest, "--function-name", name, *extra],
                            moto_server.env)
        assert result.returncode == 3
        assert "REFUSED" in result.stderr and "make package" in result.stderr
        assert "GLIBC_2.34" in result.stderr and "libcurl.so.4" in result.stderr
    assert configuration(moto_server, name)["CodeSha256"] == zip_sha(good)


def test_the_artifact_must_fit_the_functions_runtime_and_architecture(moto_server, tmp_path):
    good = make_artifact(tmp_path / "good", b"echo good\n", compatible_runtimes=STATIC)
    on_al2 = create_function(moto_server, good, runtime="provided.al2")

    only_2023 = make_artifact(tmp_path / "one", b"echo one\n", runtime="provided.al2023",
                              compatible_runtimes=["provided.al2023"])
    result = run_script("deploy.sh", ["--manifest", only_2023, "--function-name", on_al2], moto_server.env)
    assert result.returncode == 3
    assert "runs on provided.al2, but the artifact is known to start only on provided.al2023" in result.stderr

    arm = make_artifact(tmp_path / "arm", b"echo arm\n", architecture="arm64", compatible_runtimes=STATIC)
    result = run_script("deploy.sh", ["--manifest", arm, "--function-name", on_al2], moto_server.env)
    assert result.returncode == 3 and "built for arm64" in result.stderr and "Architecture" in result.stderr
    assert configuration(moto_server, on_al2)["CodeSha256"] == zip_sha(good)

    # A manifest from before the static artifact names only "runtime"; the deprecation is noted.
    older = make_artifact(tmp_path / "older", b"echo older\n", runtime="provided.al2")
    result = run_script("deploy.sh", ["--manifest", older, "--function-name", on_al2], moto_server.env)
    assert result.returncode == 0, result.stderr
    assert "deprecated provided.al2" in result.stderr
    assert configuration(moto_server, on_al2)["CodeSha256"] == zip_sha(older)


def test_altered_or_missing_artifacts_are_refused(moto_server, tmp_path):
    good = make_artifact(tmp_path / "good", b"echo good\n", compatible_runtimes=STATIC)
    name = create_function(moto_server, good)

    tampered = make_artifact(tmp_path / "a", b"echo a\n", sha_override="A" * 43 + "=", compatible_runtimes=STATIC)
    result = run_script("deploy.sh", ["--manifest", tampered, "--function-name", name], moto_server.env)
    assert result.returncode == 3 and "changed after packaging" in result.stderr

    result = run_script("deploy.sh", ["--manifest", tmp_path / "missing.json", "--function-name", name],
                        moto_server.env)
    assert result.returncode == 3 and "make package" in result.stderr

    result = run_script("deploy.sh", ["--manifest", good, "--zip", tmp_path / "none.zip", "--function-name", name],
                        moto_server.env)
    assert result.returncode == 3 and "zip not found" in result.stderr
    assert configuration(moto_server, name)["CodeSha256"] == zip_sha(good)


def test_a_hash_that_lambda_reports_differently_fails(moto_server, tmp_path):
    """The zip uploaded is not the one checked (here an `aws` that swaps it): exit 4, never "Updated"."""
    good = make_artifact(tmp_path / "good", b"echo good\n", compatible_runtimes=STATIC)
    name = create_function(moto_server, good)
    checked = make_artifact(tmp_path / "checked", b"echo checked\n", compatible_runtimes=STATIC)
    other = make_artifact(tmp_path / "other", b"echo other\n", compatible_runtimes=STATIC)
    env = aws_shim(tmp_path / "bin", moto_server.env,
                   f'set -- "${{@/#fileb:\\/\\/*/fileb://{other.parent / "bootstrap.zip"}}}"')
    result = run_script("deploy.sh", ["--manifest", checked, "--function-name", name], env)
    assert result.returncode == 4, result.stderr
    assert f"CodeSha256 mismatch: manifest {zip_sha(checked)}" in result.stderr
    assert "Updated" not in result.stdout


def test_dry_run_changes_nothing_and_prints_no_secret(moto_server, tmp_path):
    good = make_artifact(tmp_path / "good", b"echo good\n", compatible_runtimes=STATIC)
    name = create_function(moto_server, good, architecture="arm64")
    manifest = make_artifact(tmp_path / "dist", b"echo dry\n", architecture="arm64", compatible_runtimes=STATIC)
    result = run_script("deploy.sh", ["--manifest", manifest, "--function-name", name, "--dry-run"],
                        moto_server.env)
    assert result.returncode == 0, result.stderr
    assert_no_secrets(result)
    assert "update-function-code only" in result.stdout and "arm64" in result.stdout
    assert zip_sha(manifest) in result.stdout and zip_sha(good) in result.stdout
    assert configuration(moto_server, name)["CodeSha256"] == zip_sha(good)


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
    env = aws_shim(tmp_path / "bin", moto_server.env,
                   'if [[ " $* " == *" lambda invoke "* ]]; then\n'
                   '  echo "An error occurred (ServiceException) when calling the Invoke operation: simulated" >&2\n'
                   '  exit 254\n'
                   'fi')

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
