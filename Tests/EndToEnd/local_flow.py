"""The guide's end-to-end flow on one machine: moto (127.0.0.1, SigV4 and IAM checked), the platform stack
deployed from deploy/platform.yaml, the shipped bootstrap under the real RIE, the reference backend and the
stand-in preprocessing worker (tools/).

    client --pre-signed PUT (backend role)--> moto S3 --ObjectCreated--> moto SQS "S3 events" queue
      --> LambdaStandIn: invokes bootstrap under the RIE with moto's own S3 event (on error: the
          notifier's failure queue, as Lambda's on-failure destination) --webhook--> ReferenceBackend
      --SendMessage (backend role)--> audio-preprocessing-queue --> PreprocessingWorker (preprocessing
          role): short/ + inference/ objects --> S3 events again --> bootstrap skips them
      --> callback --> ReferenceBackend

Where moto falls short, and what is done instead:
- Lambda's S3 trigger needs Docker in moto: the bucket notifies an SQS queue instead (moto sends the S3
  event itself) and LambdaStandIn hands each event to the RIE, as Lambda's asynchronous invoke would.
- moto checks header signatures only: a pre-signed URL has no Authorization header and moto's check
  fails on it (HTTP 500). The URL is made with the backend role's credentials (asserted from the URL),
  and the one PUT runs with the check switched off; every other call runs with it on, so the roles'
  policies decide.
- moto stores a CloudFormation-made inline role policy as a Python dict, which its own IAM check cannot
  read: the same documents are put back as JSON after the stack is created (`json_role_policies`).
"""

from __future__ import annotations

import ast
import json
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import rie_harness as h
from moto_server import ACCOUNT, REGION, MotoServer
from preprocessing_worker import PreprocessingWorker
from reference_backend import ReferenceBackend
from rie_suite import API_KEY, SIGNING_SECRET, notifier_env
from vba_platform import (BACKEND_STEPS, NOTIFIER_STEPS, S3_EVENT_STEPS, UPLOAD_STEPS, WORKER_STEPS,
                          assumed_credentials, client_put, messages_left, presigned_put_url, small_wav, stack_outputs,
                          upload_key, verdict)

REPO = Path(__file__).resolve().parents[2]
PLATFORM_TEMPLATE = REPO / "deploy" / "platform.yaml"
NOTIFIER_POLICY = REPO / "deploy" / "iam" / "notifier-execution-policy.json"
S3_EVENTS_QUEUE = "notifier-s3-events"
FAILURE_QUEUE = "VoiceByAuribus-AudioUploadNotifier-failures"
EXPECTED = UPLOAD_STEPS + S3_EVENT_STEPS + NOTIFIER_STEPS + BACKEND_STEPS + WORKER_STEPS
FLOW_SECONDS = 60
ROUNDS = 60


def as_tuple(credentials: dict) -> tuple[str, str, str]:
    return credentials["aws_access_key_id"], credentials["aws_secret_access_key"], credentials["aws_session_token"]


def json_role_policies(iam) -> None:
    for role in iam.list_roles()["Roles"]:
        for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
            if isinstance(document, str):
                document = ast.literal_eval(document)
            iam.put_role_policy(RoleName=role["RoleName"], PolicyName=name, PolicyDocument=json.dumps(document))


@dataclass
class Platform:
    """moto with the platform stack, the bucket wired to the S3 events queue, and the notifier's identity."""
    moto: MotoServer
    outputs: dict
    queue_urls: dict            # name -> URL on the moto endpoint
    notifier_keys: tuple
    admin_arn: str

    @classmethod
    def deploy(cls, moto: MotoServer) -> "Platform":
        iam, cloudformation, sqs, s3 = (moto.client(s) for s in ("iam", "cloudformation", "sqs", "s3"))
        admin_arn = next(u["Arn"] for u in iam.list_users()["Users"] if u["UserName"].startswith("admin-"))
        cloudformation.create_stack(
            StackName="voice-by-auribus-platform", TemplateBody=PLATFORM_TEMPLATE.read_text(),
            Capabilities=["CAPABILITY_IAM"],
            Parameters=[{"ParameterKey": "BackendTrustedPrincipal", "ParameterValue": admin_arn},
                        {"ParameterKey": "PreprocessingTrustedPrincipal", "ParameterValue": admin_arn}])
        outputs = stack_outputs(cloudformation, "voice-by-auribus-platform")
        json_role_policies(iam)
        bucket = outputs["BucketName"]
        s3.create_bucket(Bucket=bucket)
        for name in (S3_EVENTS_QUEUE, FAILURE_QUEUE):
            sqs.create_queue(QueueName=name)
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
            "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{S3_EVENTS_QUEUE}", "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": outputs["AudioFilesPrefix"]}]}}}]})
        queue_urls = {name: sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in (
            S3_EVENTS_QUEUE, FAILURE_QUEUE, "audio-preprocessing-queue", "audio-preprocessing-dlq")}
        sqs.purge_queue(QueueUrl=queue_urls[S3_EVENTS_QUEUE])  # S3's s3:TestEvent for the configuration
        notifier_keys = moto.create_user("notifier-" + uuid.uuid4().hex[:6], json.loads(NOTIFIER_POLICY.read_text()))
        moto.enable_authentication()
        return cls(moto, outputs, queue_urls, notifier_keys, admin_arn)

    def role_client(self, service: str, role_output: str):
        credentials = assumed_credentials(self.moto.client("sts"), self.outputs[role_output], "e2e")
        return self.moto.client(service, as_tuple(credentials))

    def purge(self) -> None:
        """Empties every queue, so that one run's leftovers are not the next one's."""
        sqs = self.moto.client("sqs")
        for url in self.queue_urls.values():
            sqs.purge_queue(QueueUrl=url)

    def leftovers(self) -> dict[str, int]:
        sqs = self.moto.client("sqs")
        return {name: messages_left(sqs, self.queue_urls[name])
                for name in ("audio-preprocessing-queue", "audio-preprocessing-dlq", FAILURE_QUEUE, S3_EVENTS_QUEUE)}


class RieNotifier:
    """The shipped bootstrap under the RIE, reading object metadata from moto as the notifier's role."""

    def __init__(self, start_rie, bootstrap: Path, platform: Platform, backend_url: str):
        key_id, secret = platform.notifier_keys
        self.rie = start_rie(bootstrap, notifier_env(
            backend_url, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=REGION,
            AWS_ENDPOINT_URL=platform.moto.endpoint, AWS_LAMBDA_FUNCTION_NAME="VoiceByAuribus-AudioUploadNotifier",
            ALLOWED_BUCKETS=platform.outputs["BucketName"]), extra_secrets=(secret,))

    def invoke(self, event: dict) -> tuple[bool, dict | str]:
        result = self.rie.invoke(event, timeout=30)
        body = result.json() if result.body.startswith(b"{") else result.text
        return result.status == 200 and isinstance(body, dict) and "errorType" not in body, body


@dataclass
class Run:
    steps: Counter
    problems: list
    messages: list = field(default_factory=list)
    invalid: list = field(default_factory=list)


def folder_of(key: str) -> str:
    return key.split("/")[-2]


class LambdaStandIn:
    """Lambda's asynchronous S3 trigger: each S3 event to the notifier; a failed invocation's on-failure
    record to the failure queue (without Lambda's two retries, which would only repeat it)."""

    def __init__(self, platform: Platform, notifier, steps: Counter):
        self.platform, self.notifier, self.steps = platform, notifier, steps
        self.sqs = platform.moto.client("sqs")

    def pump(self) -> bool:
        url = self.platform.queue_urls[S3_EVENTS_QUEUE]
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in messages:
            event = json.loads(message["Body"])
            for record in event["Records"]:
                self.steps[f"s3_event_{folder_of(urllib.parse.unquote_plus(record['s3']['object']['key']))}"] += 1
            ok, body = self.notifier.invoke(event)
            if ok:
                for result in body["results"]:
                    self.steps[f"notifier_{result['outcome']}_{folder_of(result['key'])}"] += 1
            else:
                self.steps["notifier_invocation_failed"] += 1
                self.sqs.send_message(QueueUrl=self.platform.queue_urls[FAILURE_QUEUE], MessageBody=json.dumps({
                    "requestContext": {"condition": "RetriesExhausted"}, "requestPayload": event,
                    "responsePayload": body}))
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return bool(messages)


def run_flow(platform: Platform, notifier_factory, backend_factory=ReferenceBackend,
             api_key: str = API_KEY) -> Run:
    """One upload through the whole flow; returns every step counted and the check's verdict.
    `notifier_factory(backend_url)` -> an object with invoke(event) -> (ok, body)."""
    platform.purge()
    steps: Counter = Counter()
    outputs = platform.outputs
    backend_sqs = platform.role_client("sqs", "BackendRoleArn")
    queue_url = platform.queue_urls["audio-preprocessing-queue"]
    send = lambda body: backend_sqs.send_message(QueueUrl=queue_url, MessageBody=body)  # noqa: E731
    with backend_factory(api_key, SIGNING_SECRET, send, outputs["AudioFilesPrefix"]) as backend:
        lambda_stand_in = LambdaStandIn(platform, notifier_factory(backend.url), steps)
        worker = PreprocessingWorker(platform.role_client("sqs", "PreprocessingRoleArn"),
                                     platform.role_client("s3", "PreprocessingRoleArn"), queue_url)

        key = upload_key(outputs["AudioFilesPrefix"], "user-" + uuid.uuid4().hex[:8], str(uuid.uuid4()))
        signer = assumed_credentials(platform.moto.client("sts"), outputs["BackendRoleArn"], "e2e")
        url = presigned_put_url(signer, REGION, outputs["BucketName"], key, endpoint_url=platform.moto.endpoint)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["X-Amz-Credential"][0].startswith(signer["aws_access_key_id"] + "/")
        assert query["X-Amz-Security-Token"] == [signer["aws_session_token"]]
        platform.moto.disable_authentication()  # moto cannot check a pre-signed URL (see the module doc)
        try:
            if client_put(url, small_wav()) == 200:
                steps["upload_put"] += 1
        finally:
            platform.moto.enable_authentication()

        deadline = time.monotonic() + FLOW_SECONDS
        idle = 0
        for _ in range(ROUNDS):  # until nothing moved twice in a row
            moved = lambda_stand_in.pump()
            moved = worker.poll(wait_seconds=0) or moved
            idle = 0 if moved else idle + 1
            if idle >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        steps += backend.steps + worker.steps
        problems = verdict(steps, EXPECTED, platform.leftovers())
        return Run(steps, problems, list(backend.messages), list(worker.invalid))
