"""Static checks of deploy/: cfn-lint on the SAM template, the IAM policy documents, the scripts' syntax."""

import json
import subprocess
from pathlib import Path

import pytest
from cfnlint.decode import decode

from deploy_harness import DEPLOY, REPO, TOOLS_BIN, clean_env

TEMPLATE = DEPLOY / "template.yaml"
POLICIES = sorted((DEPLOY / "iam").glob("*.json"))
BUCKET = "voice-by-auribus-audio-files"


@pytest.fixture(scope="module")
def template():
    data, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return data


def statements(document):
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_cfn_lint_is_clean(tmp_path):
    result = subprocess.run(
        [str(Path(TOOLS_BIN) / "cfn-lint"), str(TEMPLATE)],
        cwd=REPO, env=clean_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"cfn-lint:\n{result.stdout}\n{result.stderr}"


def test_policy_files_exist():
    names = {p.name for p in POLICIES}
    assert {"backend-policy.json", "preprocessing-policy.json", "notifier-execution-policy.json"} <= names


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_policy_documents_are_least_privilege(path):
    document = json.loads(path.read_text())
    assert document["Version"] == "2012-10-17"
    for statement in statements(document):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{path.name}: wildcard action {action}"
            assert action.lower() != "s3:getobjectmetadata", f"{path.name}: s3:GetObjectMetadata is not an IAM action"
        if "Principal" in statement:  # the trust policy
            continue
        for resource in as_list(statement["Resource"]):
            assert resource != "*", f"{path.name}: unscoped resource"
            if resource.startswith("arn:aws:s3:::"):
                assert resource.startswith(f"arn:aws:s3:::{BUCKET}"), resource


def actions_on(document, prefix):
    return {
        (action, resource)
        for statement in statements(document)
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
        if resource.startswith(prefix)
    }


def test_backend_and_preprocessing_split_the_prefixes():
    backend = json.loads((DEPLOY / "iam" / "backend-policy.json").read_text())
    pre = json.loads((DEPLOY / "iam" / "preprocessing-policy.json").read_text())
    objects = f"arn:aws:s3:::{BUCKET}/audio-files/*/"
    assert actions_on(backend, objects + "temp/") == {
        ("s3:PutObject", objects + "temp/*"), ("s3:GetObject", objects + "temp/*")}
    assert {a for a, _ in actions_on(backend, objects + "short/")} == {"s3:GetObject"}
    assert {a for a, _ in actions_on(backend, objects + "inference/")} == {"s3:GetObject"}
    assert actions_on(pre, objects + "temp/") == {("s3:GetObject", objects + "temp/*")}
    assert {a for a, _ in actions_on(pre, objects + "short/")} == {"s3:PutObject"}
    assert {a for a, _ in actions_on(pre, objects + "inference/")} == {"s3:PutObject"}


def test_execution_policy_file_mirrors_the_template_role(template):
    role = template["Resources"]["NotifierExecutionRole"]["Properties"]
    (policy,) = role["Policies"]
    in_template = {
        s["Sid"]: sorted(as_list(s["Action"])) for s in statements(policy["PolicyDocument"])
    }
    document = json.loads((DEPLOY / "iam" / "notifier-execution-policy.json").read_text())
    in_file = {s["Sid"]: sorted(as_list(s["Action"])) for s in statements(document)}
    assert in_template == in_file
    assert in_file["ReadAudioObjects"] == ["s3:GetObject"]
    assert "logs:CreateLogGroup" not in in_file["WriteOwnLogs"]


def test_function_shape(template):
    function = template["Resources"]["NotifierFunction"]
    assert function["Type"] == "AWS::Serverless::Function"
    p = function["Properties"]
    assert p["Handler"] == "bootstrap"
    assert p["CodeUri"] == "../dist/bootstrap.zip"
    assert (DEPLOY / p["CodeUri"]).resolve() == REPO / "dist" / "bootstrap.zip"
    assert p["MemorySize"] == 256 and p["Timeout"] == 30
    assert p["Runtime"] == {"Ref": "Runtime"}
    assert template["Parameters"]["Runtime"]["Default"] == "provided.al2023"
    assert p["Architectures"] == [{"Ref": "Architecture"}]
    assert template["Parameters"]["Architecture"]["AllowedValues"] == ["x86_64", "arm64"]
    variables = p["Environment"]["Variables"]
    assert {"API_BASE_URL", "WEBHOOK_API_KEY", "WEBHOOK_SIGNING_SECRET", "WEBHOOK_PATH", "WEBHOOK_TIMEOUT_MS",
            "WEBHOOK_MAX_ATTEMPTS", "AUDIO_FILES_PREFIX", "ALLOWED_BUCKETS"} == set(variables)
    for secret in ("WebhookApiKey", "WebhookSigningSecret"):
        assert template["Parameters"][secret]["NoEcho"] is True


def test_async_failure_path(template):
    resources = template["Resources"]
    config = resources["NotifierEventInvokeConfig"]["Properties"]
    assert config["MaximumRetryAttempts"] == 2
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["FailureQueue", "Arn"]}
    queue = resources["FailureQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    alarm = resources["FailureQueueAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert resources["FunctionErrorsAlarm"]["Properties"]["MetricName"] == "Errors"


def test_bucket_notification_without_cycle(template):
    resources = template["Resources"]
    permission = resources["S3InvokePermission"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    # Built from the bucket-name parameter, not from the bucket resource.
    assert permission["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}"}
    bucket = resources["AudioBucket"]
    assert bucket["DependsOn"] == "S3InvokePermission"
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": {"Ref": "AudioFilesPrefix"}}]
    props = bucket["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ObjectExpirationDays"}
    assert template["Parameters"]["ObjectExpirationDays"]["Default"] == 90
    policy = resources["AudioBucketPolicy"]["Properties"]["PolicyDocument"]
    (deny,) = statements(policy)
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("script", ["deploy.sh", "redrive.sh"])
def test_scripts_parse_and_have_help(script, tmp_path):
    path = DEPLOY / script
    assert path.read_text().startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in path.read_text()
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)
    result = subprocess.run(["bash", str(path), "--help"], env=clean_env(tmp_path),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "Usage:" in result.stdout
    bad = subprocess.run(["bash", str(path), "--no-such-option"], env=clean_env(tmp_path),
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2

