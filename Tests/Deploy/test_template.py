"""Static checks of deploy/: cfn-lint on the SAM template, the IAM policy documents, the scripts' syntax."""

import json
import re
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


def role_statements(template):
    """The role's statements with every optional one (`!If [Cond, statement, !Ref AWS::NoValue]`) included."""
    (policy,) = template["Resources"]["NotifierExecutionRole"]["Properties"]["Policies"]
    found = {}
    for statement in statements(policy["PolicyDocument"]):
        if "Fn::If" in statement:
            condition, statement, otherwise = statement["Fn::If"]
            assert otherwise == {"Ref": "AWS::NoValue"}, condition
            statement = {**statement, "OnlyIf": condition}
        found[statement["Sid"]] = statement
    return found


# Only in the template: needs the ARN of a customer managed key, which a standalone document cannot guess.
TEMPLATE_ONLY_STATEMENTS = {"DecryptWebhookSecrets"}


def test_execution_policy_file_mirrors_the_template_role(template):
    in_template = {sid: sorted(as_list(s["Action"])) for sid, s in role_statements(template).items()}
    document = json.loads((DEPLOY / "iam" / "notifier-execution-policy.json").read_text())
    in_file = {s["Sid"]: sorted(as_list(s["Action"])) for s in statements(document)}
    assert {sid: a for sid, a in in_template.items() if sid not in TEMPLATE_ONLY_STATEMENTS} == in_file
    # HEAD needs s3:GetObject, or s3:GetObjectVersion with a versionId; s3:ListBucket turns 403 into 404.
    assert in_file["ReadAudioObjects"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert in_file["ListAudioPrefix"] == ["s3:ListBucket"]
    assert in_file["ReadWebhookSecrets"] == ["secretsmanager:GetSecretValue"]
    assert "logs:CreateLogGroup" not in in_file["WriteOwnLogs"]


def test_execution_policy_file_scopes_like_the_template():
    by_sid = {s["Sid"]: s for s in statements(json.loads(
        (DEPLOY / "iam" / "notifier-execution-policy.json").read_text()))}
    listing = by_sid["ListAudioPrefix"]
    assert as_list(listing["Resource"]) == [f"arn:aws:s3:::{BUCKET}"]  # the bucket, not its objects
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "audio-files/*"}}
    assert as_list(by_sid["ReadAudioObjects"]["Resource"]) == [f"arn:aws:s3:::{BUCKET}/audio-files/*"]
    # Secret names as deploy/README.md creates them, with Secrets Manager's 6-character suffix.
    assert sorted(as_list(by_sid["ReadWebhookSecrets"]["Resource"])) == [
        "arn:aws:secretsmanager:*:*:secret:voice-by-auribus/audio-upload-notifier/api-key-??????",
        "arn:aws:secretsmanager:*:*:secret:voice-by-auribus/audio-upload-notifier/signing-secrets-??????",
    ]


def test_optional_statements_follow_their_parameters(template):
    found = role_statements(template)
    assert {sid: s.get("OnlyIf") for sid, s in found.items()} == {
        "WriteOwnLogs": None, "SendFailureRecords": None,
        "ReadAudioObjects": "FetchesObjectMetadata", "ListAudioPrefix": "FetchesObjectMetadata",
        "ReadWebhookSecrets": "ReadsSecrets", "DecryptWebhookSecrets": "DecryptsSecrets",
    }
    assert found["ListAudioPrefix"]["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}"}
    assert found["ListAudioPrefix"]["Condition"] == {"StringLike": {"s3:prefix": {"Fn::Sub": "${AudioFilesPrefix}*"}}}
    assert found["DecryptWebhookSecrets"]["Condition"] == {
        "StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}


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
    assert {"API_BASE_URL", "WEBHOOK_API_KEY", "WEBHOOK_API_KEY_SECRET_ID", "WEBHOOK_SIGNING_SECRET",
            "WEBHOOK_SIGNING_SECRET_ID", "WEBHOOK_PATH", "WEBHOOK_TIMEOUT_MS", "WEBHOOK_MAX_ATTEMPTS",
            "AUDIO_FILES_PREFIX", "ALLOWED_BUCKETS", "FETCH_OBJECT_METADATA", "METRICS_NAMESPACE"} == set(variables)
    for secret in ("WebhookApiKey", "WebhookSigningSecret"):
        assert template["Parameters"][secret]["NoEcho"] is True
    # The old deploy-time dynamic reference is gone: secrets are read at run time (rotation without redeploy).
    assert "WebhookSecretId" not in template["Parameters"]
    assert "resolve:secretsmanager" not in json.dumps(template)
    parameters = template["Parameters"]
    assert parameters["FetchObjectMetadata"]["Default"] == "true"
    assert parameters["FetchObjectMetadata"]["AllowedValues"] == ["true", "false"]
    assert parameters["MetricsNamespace"]["Default"] == "VoiceByAuribus/AudioUploadNotifier"


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
    # Route direct (the default): the bucket invokes the function (test_template_routes.py: the others).
    route, direct, otherwise = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]["Fn::If"]
    assert route == "RouteDirect" and otherwise == {"Ref": "AWS::NoValue"}
    (notification,) = direct
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


# A small evaluator of the condition functions, for what moto's CloudFormation does not do: it ignores
# Rules and does not create CloudWatch alarms.
def evaluate(node, values, conditions):
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        ev = lambda n: evaluate(n, values, conditions)  # noqa: E731
        if function == "Ref":
            return values[argument]
        if function == "Condition":
            return ev(conditions[argument])
        if function == "Fn::Equals":
            return str(ev(argument[0])) == str(ev(argument[1]))
        if function == "Fn::Not":
            return not ev(argument[0])
        if function == "Fn::And":
            return all(ev(n) for n in argument)
        if function == "Fn::Or":
            return any(ev(n) for n in argument)
        if function == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(values[m.group(1)]), argument)
        if function == "Fn::Split":
            return ev(argument[1]).split(argument[0])
        if function == "Fn::Select":
            return ev(argument[1])[int(argument[0])]
        raise NotImplementedError(function)
    return node


def parameter_values(template, **given):
    values = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
    values.update({"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"})
    unknown = set(given) - set(values)
    assert not unknown, unknown
    values.update(given)
    return values


def failed_rules(template, **given):
    values = parameter_values(template, ApiBaseUrl="https://api.example.com", **given)
    return sorted(
        assertion["AssertDescription"]
        for rule in template["Rules"].values()
        if evaluate(rule.get("RuleCondition", True), values, template["Conditions"])
        for assertion in rule["Assertions"]
        if not evaluate(assertion["Assert"], values, template["Conditions"])
    )


def condition(template, name, **given):
    return evaluate({"Condition": name}, parameter_values(template, **given), template["Conditions"])


def test_each_secret_comes_from_exactly_one_source(template):
    assert failed_rules(template, WebhookApiKey="k") == []
    assert failed_rules(template, WebhookApiKeySecretId="a/key", WebhookSigningSecretId="a/sign") == []
    assert failed_rules(template, WebhookApiKey="k", WebhookSigningSecretId="a/sign") == []
    assert failed_rules(template, WebhookApiKeySecretId="a/key", WebhookSigningSecret="whsec_AAAA") == []
    assert failed_rules(template) == [
        "Set WebhookApiKeySecretId (Secrets Manager) or WebhookApiKey (NoEcho)."]
    assert failed_rules(template, WebhookApiKey="k", WebhookApiKeySecretId="a/key") == [
        "Set only one of WebhookApiKey and WebhookApiKeySecretId."]
    assert failed_rules(template, WebhookApiKey="k", WebhookSigningSecret="whsec_AAAA",
                        WebhookSigningSecretId="a/sign") == [
        "Set only one of WebhookSigningSecret and WebhookSigningSecretId."]


def test_api_base_url_is_required_and_https(template):
    """CloudFormation refuses a stack without it: no default, and the pattern refuses empty and http."""
    parameter = template["Parameters"]["ApiBaseUrl"]
    assert "Default" not in parameter
    assert template["Resources"]["NotifierFunction"]["Properties"]["Environment"]["Variables"][
        "API_BASE_URL"] == {"Ref": "ApiBaseUrl"}
    assert re.fullmatch(parameter["AllowedPattern"], "https://api.example.com")
    for refused in ("", "http://api.example.com", "api.example.com"):
        assert not re.fullmatch(parameter["AllowedPattern"], refused)


@pytest.mark.parametrize("value, is_arn", [
    ("voice-by-auribus/audio-upload-notifier/api-key", False),
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:notifier/api-key-AbC123", True),
    ("", False),
])
def test_secret_id_name_or_arn(template, value, is_arn):
    for parameter, name in (("WebhookApiKeySecretId", "ApiKeySecretIsArn"),
                            ("WebhookSigningSecretId", "SigningSecretIsArn")):
        assert condition(template, name, **{parameter: value}) is is_arn
        pattern = template["Parameters"][parameter]["AllowedPattern"]
        assert re.fullmatch(pattern, value)
        # A partial ARN (no 6-character suffix) would not match the IAM resource: refused up front.
        assert not re.fullmatch(pattern, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api")


def test_failed_alarm_watches_the_notifier_metric(template):
    alarm = template["Resources"]["WebhookFailedAlarm"]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    assert alarm["Condition"] == "MetricsOn"
    p = alarm["Properties"]
    assert p["Namespace"] == {"Ref": "MetricsNamespace"}
    assert p["MetricName"] == "Failed"
    # The notifier's EMF dimension FunctionName is the function's name, which Ref of the function returns.
    assert p["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "NotifierFunction"}}]
    assert template["Resources"]["NotifierFunction"]["Properties"]["FunctionName"] == {"Ref": "FunctionName"}
    assert (p["Statistic"], p["Threshold"], p["ComparisonOperator"]) == ("Sum", 1, "GreaterThanOrEqualToThreshold")
    assert p["Period"] * p["EvaluationPeriods"] == 300
    assert p["TreatMissingData"] == "notBreaching"
    # Notifies like the other alarms.
    errors = template["Resources"]["FunctionErrorsAlarm"]["Properties"]
    assert (p["AlarmActions"], p["OKActions"]) == (errors["AlarmActions"], errors["OKActions"])
    assert condition(template, "MetricsOn") is True
    assert condition(template, "MetricsOn", MetricsNamespace="Team/Notifier") is True
    assert condition(template, "MetricsOn", MetricsNamespace="") is False


def test_permission_conditions(template):
    assert condition(template, "FetchesObjectMetadata") is True
    assert condition(template, "FetchesObjectMetadata", FetchObjectMetadata="false") is False
    assert condition(template, "ReadsSecrets") is False
    assert condition(template, "ReadsSecrets", WebhookSigningSecretId="a/sign") is True
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert condition(template, "DecryptsSecrets", SecretsKmsKeyArn=key) is False  # no secret to decrypt
    assert condition(template, "DecryptsSecrets", SecretsKmsKeyArn=key, WebhookApiKeySecretId="a/key") is True


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

