#!/usr/bin/env python3
"""The VoiceByAuribus platform from its deployed stacks: the backend's settings, and the end-to-end check.

    python3 tools/vba_platform.py appsettings --stack STACK [--region R] [--profile P] [--endpoint-url URL]
        The backend's appsettings.json fragment from the platform stack's outputs (deploy/platform.yaml):
        region, bucket, queue URL and, when the stack has Cognito, the user pool. Webhooks:ApiKey is never
        printed: stderr names the Secrets Manager secret that holds it.

    python3 tools/vba_platform.py e2e --stack STACK --notifier-stack NOTIFIER [--region R] [--profile P]
        The guide's last checklist line against a real account (deploy/README.md "End-to-end check"):
        upload -> notification -> preprocessing, each step checked to have happened exactly once.

`make e2e` runs the same check locally against moto (Tests/EndToEnd), with the reference backend
(tools/reference_backend.py) and the stand-in worker (tools/preprocessing_worker.py). Only boto3 is
needed (and jsonschema for the worker).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

AUDIENCE = "voice-by-auribus-api"   # the resource server's identifier; M2M tokens carry it in `scope`

# Every step of the flow and how often it must happen: exactly once, and no other step at all.
UPLOAD_STEPS = ("upload_put",)
NOTIFIER_STEPS = ("notifier_delivered_temp", "notifier_skipped_short", "notifier_skipped_inference")
BACKEND_STEPS = ("webhook_verified", "preprocessing_message_sent", "callback_received")
WORKER_STEPS = ("message_received", "message_valid", "short_written", "inference_written", "message_deleted",
                "callback_answered_204")
S3_EVENT_STEPS = ("s3_event_temp", "s3_event_short", "s3_event_inference")


def verdict(steps: Counter, expected: tuple[str, ...], leftovers: dict[str, int]) -> list[str]:
    """The check: an empty list when every expected step happened exactly once, nothing else happened
    and every queue in `leftovers` (name -> messages left) is empty; else one line per problem."""
    problems = [f"{step}: {steps.get(step, 0)} times, expected once" for step in expected if steps.get(step, 0) != 1]
    problems += [f"{step}: {count} times, expected never" for step, count in sorted(steps.items())
                 if step not in expected and count]
    problems += [f"{queue}: {count} messages left" for queue, count in sorted(leftovers.items()) if count]
    return problems


# Stacks -------------------------------------------------------------------------------------------


def session(region: str | None, profile: str | None):
    import boto3
    return boto3.session.Session(region_name=region, profile_name=profile)


def stack_outputs(cloudformation, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def appsettings_fragment(outputs: dict[str, str]) -> dict:
    """The guide's "Backend appsettings.json" values that the platform stack knows."""
    fragment = {"AWS": {
        "Region": outputs["Region"],
        "S3": {"AudioFilesBucket": outputs["BucketName"]},
        "SQS": {"AudioPreprocessingQueueUrl": outputs["PreprocessingQueueUrl"]},
    }}
    if "CognitoUserPoolId" in outputs:
        fragment["Authentication"] = {"Cognito": {
            "Region": outputs["Region"], "UserPoolId": outputs["CognitoUserPoolId"], "Audience": AUDIENCE}}
    return fragment


def api_key_pointer(outputs: dict[str, str]) -> str:
    secret = outputs["WebhookApiKeySecretId"]
    return (f"Webhooks:ApiKey is not printed. It is the SecretString of the Secrets Manager secret {secret!r} "
            f"(the notifier reads the same secret): load it from there at start, or read it once with "
            f"`aws secretsmanager get-secret-value --secret-id {secret} --query SecretString --output text`.")


# Pieces of the flow, shared with the local check ---------------------------------------------------


def assumed_credentials(sts, role_arn: str, session_name: str) -> dict:
    """Temporary credentials of `role_arn`, as boto3 client keyword arguments."""
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=900)["Credentials"]
    return {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}


def small_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A silent mono 8-bit WAV file: a real audio upload of a few kB."""
    frames = int(seconds * rate)
    header = (b"RIFF" + (36 + frames).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
              + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
              + rate.to_bytes(4, "little") + (1).to_bytes(2, "little") + (8).to_bytes(2, "little")
              + b"data" + frames.to_bytes(4, "little"))
    return header + b"\x80" * frames


def presigned_put_url(credentials: dict, region: str, bucket: str, key: str, content_type: str = "audio/wav",
                      endpoint_url: str | None = None) -> str:
    """What the backend hands the client: a PUT URL signed (SigV4; boto3 would otherwise pick SigV2 for S3
    URLs) with the backend role's `credentials`, valid 30 minutes (the guide's UploadUrlExpirationMinutes)
    and bound to the Content-Type the client must send."""
    import boto3
    from botocore.config import Config

    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url, config=Config(signature_version="s3v4"),
                      **credentials)
    return s3.generate_presigned_url("put_object", ExpiresIn=1800, HttpMethod="PUT",
                                     Params={"Bucket": bucket, "Key": key, "ContentType": content_type})


def client_put(url: str, body: bytes, content_type: str = "audio/wav") -> int:
    """What the client does with it: one PUT of the file. Returns the HTTP status."""
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def upload_key(prefix: str, user: str, file_id: str, folder: str = "temp") -> str:
    return f"{prefix}{user}/{folder}/{file_id}.wav"


def messages_left(sqs, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in attributes.values())


# The check against a real account -------------------------------------------------------------------

REAL_EXPECTED = UPLOAD_STEPS + NOTIFIER_STEPS + WORKER_STEPS


def notifier_log_steps(logs, log_group: str, keys: dict[str, str], since_ms: int) -> Counter:
    """The notifier's log lines for our three keys (`keys`: folder -> key) as steps. Lambda's JSON and
    Text formats both carry the message and the key on one line."""
    steps: Counter = Counter()
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=log_group, startTime=since_ms, filterPattern=f'"{keys["temp"].rsplit("/", 2)[0]}/"',
        PaginationConfig={"MaxItems": 500})
    for page in pages:
        for event in page["events"]:
            line = event["message"]
            for folder, key in keys.items():
                if key not in line:
                    continue
                if "webhook delivered" in line:
                    steps[f"notifier_delivered_{folder}"] += 1
                elif "webhook not delivered" in line:
                    steps[f"notifier_failed_{folder}"] += 1
                elif "skipped" in line:
                    steps[f"notifier_skipped_{folder}"] += 1
    return steps


def wait_until(predicate, timeout: float, interval: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 1):
        if predicate():
            return True
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    return predicate()


def run_against_account(args) -> int:
    from preprocessing_worker import PreprocessingWorker

    aws = session(args.region, args.profile)
    platform = stack_outputs(aws.client("cloudformation"), args.stack)
    notifier = stack_outputs(aws.client("cloudformation"), args.notifier_stack)
    sts = aws.client("sts")
    backend = assumed_credentials(sts, platform["BackendRoleArn"], "vba-e2e-backend")
    worker_credentials = assumed_credentials(sts, platform["PreprocessingRoleArn"], "vba-e2e-preprocessing")
    bucket, prefix = platform["BucketName"], platform["AudioFilesPrefix"]
    user, file_id = "e2e-" + uuid.uuid4().hex[:12], str(uuid.uuid4())
    keys = {folder: upload_key(prefix, user, file_id, folder) for folder in ("temp", "short", "inference")}
    since = int(time.time() * 1000) - 60_000
    steps: Counter = Counter()
    print(f"uploading s3://{bucket}/{keys['temp']} under the backend's role", file=sys.stderr)
    if client_put(presigned_put_url(backend, platform["Region"], bucket, keys["temp"]), small_wav()) == 200:
        steps["upload_put"] += 1

    logs = aws.client("logs")
    log_group = f"/aws/lambda/{notifier['FunctionName']}"
    wait_until(lambda: notifier_log_steps(logs, log_group, keys, since)["notifier_delivered_temp"], args.timeout)

    # The backend got the webhook and sent its request; act as the preprocessing service for ours only.
    worker = PreprocessingWorker(aws.client("sqs", **worker_credentials), aws.client("s3", **worker_credentials),
                                 platform["PreprocessingQueueUrl"], only_temp_uri=f"s3://{bucket}/{keys['temp']}")
    for _ in range(max(1, int(args.timeout / 10))):  # 10 s long polls
        worker.poll(wait_seconds=10)
        if worker.steps["message_deleted"] or worker.steps["message_rejected_invalid"] >= 3:
            break
    wait_until(lambda: len(notifier_log_steps(logs, log_group, keys, since)) >= 3, args.timeout)

    steps += notifier_log_steps(logs, log_group, keys, since)
    steps += Counter({k: v for k, v in worker.steps.items() if k != "message_foreign"})
    sqs = aws.client("sqs")
    leftovers = {"preprocessing DLQ": messages_left(sqs, platform["PreprocessingDeadLetterQueueUrl"]),
                 "notifier failure queue": messages_left(sqs, notifier["FailureQueueUrl"])}
    problems = verdict(steps, REAL_EXPECTED, leftovers)
    print(json.dumps({"keys": keys, "steps": dict(steps), "problems": problems}, indent=2))
    return 1 if problems else 0


# Command line ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("appsettings", "e2e"):
        command = commands.add_parser(name)
        command.add_argument("--stack", required=True, help="the platform stack (deploy/platform.yaml)")
        command.add_argument("--region")
        command.add_argument("--profile")
    commands.choices["appsettings"].add_argument("--endpoint-url", help="e.g. a local moto server")
    commands.choices["e2e"].add_argument("--notifier-stack", required=True, help="the notifier stack (deploy/template.yaml)")
    commands.choices["e2e"].add_argument("--timeout", type=float, default=120, help="seconds per wait (default 120)")
    args = parser.parse_args(argv)

    if args.command == "e2e":
        return run_against_account(args)
    aws = session(args.region, args.profile)
    outputs = stack_outputs(aws.client("cloudformation", endpoint_url=args.endpoint_url), args.stack)
    print(json.dumps(appsettings_fragment(outputs), indent=2))
    print(api_key_pointer(outputs), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
