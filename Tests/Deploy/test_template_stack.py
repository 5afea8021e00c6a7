"""deploy/template.yaml deployed as a stack on the moto server (127.0.0.1, never AWS).

The SAM transform runs locally (aws-sam-translator, which cfn-lint brings along); moto's CloudFormation then
resolves the parameters, conditions and intrinsic functions and creates the role and the function, whose
inline policy and environment are read back. moto does not create CloudWatch alarms and ignores Rules:
test_template.py evaluates those.
"""

from __future__ import annotations

import ast
import io
import json
import urllib.request
import uuid
import zipfile

import boto3
import pytest
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from deploy_harness import ACCOUNT, DEPLOY, REGION, SECRET_API_KEY, SECRET_SIGNING

CODE_BUCKET = "notifier-template-code"
BUCKET = "uploads-under-test"
PREFIX = "voice/"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SIGNING_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:shared/notifier-signing-AbC123"


@pytest.fixture(scope="module")
def stack_template():
    data, matches = decode(str(DEPLOY / "template.yaml"))
    assert not matches, matches
    data = json.loads(json.dumps(data))  # plain dicts and strings
    data["Resources"]["NotifierFunction"]["Properties"]["CodeUri"] = f"s3://{CODE_BUCKET}/bootstrap.zip"
    # Region and partition only; the session makes no request (no managed policy names to look up).
    session = boto3.session.Session(region_name=REGION, aws_access_key_id="testing",
                                    aws_secret_access_key="testing")
    transformed = Translator({}, Parser(), boto_session=session).translate(data, parameter_values={})
    assert transformed["Resources"]["NotifierFunction"]["Type"] == "AWS::Lambda::Function"
    return json.dumps(transformed)


def set_moto_lambda_config(moto_server, use_docker: bool):
    request = urllib.request.Request(
        moto_server.endpoint + "/moto-api/config", method="POST",
        data=json.dumps({"lambda": {"use_docker": use_docker}}).encode(),
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


@pytest.fixture(scope="module")
def moto_stacks(moto_server):
    # moto's CloudFormation creates functions in its Docker-backed Lambda backend, while the harness
    # switched the Lambda API to the Docker-less one. Reading a configuration needs no Docker, so this
    # module reads that backend and gives the harness's setting back afterwards. Nothing is invoked.
    set_moto_lambda_config(moto_server, use_docker=True)
    s3 = moto_server.client("s3")
    s3.create_bucket(Bucket=CODE_BUCKET)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    s3.put_object(Bucket=CODE_BUCKET, Key="bootstrap.zip", Body=archive.getvalue())
    try:
        yield CODE_BUCKET
    finally:
        set_moto_lambda_config(moto_server, use_docker=False)


def policy_document(raw):
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return ast.literal_eval(raw)  # moto stores a CloudFormation-made inline policy as a Python repr


def without_novalue(value):
    """moto keeps `!Ref AWS::NoValue` list items as null; CloudFormation drops them."""
    if isinstance(value, list):
        return [without_novalue(v) for v in value if v is not None]
    if isinstance(value, dict):
        return {k: without_novalue(v) for k, v in value.items()}
    return value


def create_stack(moto_server, template_body: str, name: str, parameters: dict):
    """Creates the stack; returns it as described and its resources' physical ids by logical id."""
    cloudformation = moto_server.client("cloudformation")
    cloudformation.create_stack(
        StackName=name, TemplateBody=template_body, Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    return stack, resources


def deploy_stack(moto_server, template_body: str, **parameters):
    """Creates a stack; returns the role's statements by Sid and the function's environment."""
    name = "notifier-" + uuid.uuid4().hex[:8]
    given = {"ApiBaseUrl": "https://api.example.com", "CorsAllowedOrigins": "https://app.example.com",
             "CreateBucket": "false", "BucketName": BUCKET, "AudioFilesPrefix": PREFIX, "FunctionName": name,
             **parameters}
    _, resources = create_stack(moto_server, template_body, name, given)
    iam = moto_server.client("iam")
    role = resources["NotifierExecutionRole"]
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = without_novalue(policy_document(
        iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]))
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert len(by_sid) == len(document["Statement"])
    function = moto_server.client("lambda").get_function_configuration(FunctionName=name)
    assert function["Role"].endswith("/" + role)
    return by_sid, function["Environment"]["Variables"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_plain_values_and_object_metadata(moto_server, stack_template, moto_stacks):
    statements, env = deploy_stack(
        moto_server, stack_template, WebhookApiKey=SECRET_API_KEY, WebhookSigningSecret=SECRET_SIGNING,
        SecretsKmsKeyArn=KMS_KEY)  # a key without secrets to read grants nothing
    assert set(statements) == {"WriteOwnLogs", "SendFailureRecords", "ReadAudioObjects", "ListAudioPrefix"}
    read = statements["ReadAudioObjects"]
    assert sorted(as_list(read["Action"])) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert as_list(read["Resource"]) == [f"arn:aws:s3:::{BUCKET}/{PREFIX}*"]
    listing = statements["ListAudioPrefix"]
    assert as_list(listing["Action"]) == ["s3:ListBucket"]
    assert as_list(listing["Resource"]) == [f"arn:aws:s3:::{BUCKET}"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": f"{PREFIX}*"}}

    assert env["WEBHOOK_API_KEY"] == SECRET_API_KEY
    assert env["WEBHOOK_SIGNING_SECRET"] == SECRET_SIGNING
    assert "WEBHOOK_API_KEY_SECRET_ID" not in env and "WEBHOOK_SIGNING_SECRET_ID" not in env
    assert env["FETCH_OBJECT_METADATA"] == "true"
    assert env["METRICS_NAMESPACE"] == "VoiceByAuribus/AudioUploadNotifier"
    assert env["AUDIO_FILES_PREFIX"] == PREFIX and env["ALLOWED_BUCKETS"] == BUCKET


def test_secret_names_are_granted_with_the_suffix_wildcard(moto_server, stack_template, moto_stacks):
    statements, env = deploy_stack(
        moto_server, stack_template, WebhookApiKeySecretId="vba/notifier/api-key",
        WebhookSigningSecretId="vba/notifier/signing-secrets")
    secrets = statements["ReadWebhookSecrets"]
    assert as_list(secrets["Action"]) == ["secretsmanager:GetSecretValue"]
    assert as_list(secrets["Resource"]) == [
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:vba/notifier/api-key-??????",
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:vba/notifier/signing-secrets-??????",
    ]
    assert "DecryptWebhookSecrets" not in statements
    assert {"ReadAudioObjects", "ListAudioPrefix"} <= set(statements)

    assert env["WEBHOOK_API_KEY_SECRET_ID"] == "vba/notifier/api-key"
    assert env["WEBHOOK_SIGNING_SECRET_ID"] == "vba/notifier/signing-secrets"
    # The function refuses a value together with its secret id: the plain variables are not set at all.
    assert "WEBHOOK_API_KEY" not in env and "WEBHOOK_SIGNING_SECRET" not in env


def test_secret_arn_kms_key_and_features_off(moto_server, stack_template, moto_stacks):
    statements, env = deploy_stack(
        moto_server, stack_template, WebhookApiKey=SECRET_API_KEY, WebhookSigningSecretId=SIGNING_ARN,
        SecretsKmsKeyArn=KMS_KEY, FetchObjectMetadata="false", MetricsNamespace="")
    assert set(statements) == {"WriteOwnLogs", "SendFailureRecords", "ReadWebhookSecrets", "DecryptWebhookSecrets"}
    # An ARN is granted as it is, and only the secret that is configured.
    assert as_list(statements["ReadWebhookSecrets"]["Resource"]) == [SIGNING_ARN]
    decrypt = statements["DecryptWebhookSecrets"]
    assert as_list(decrypt["Action"]) == ["kms:Decrypt"]
    assert as_list(decrypt["Resource"]) == [KMS_KEY]
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}
    # No object metadata: no S3 permission at all.
    assert not [a for s in statements.values() for a in as_list(s["Action"]) if a.startswith("s3:")]

    assert env["WEBHOOK_API_KEY"] == SECRET_API_KEY
    assert env["WEBHOOK_SIGNING_SECRET_ID"] == SIGNING_ARN
    assert "WEBHOOK_SIGNING_SECRET" not in env and "WEBHOOK_API_KEY_SECRET_ID" not in env
    assert env["FETCH_OBJECT_METADATA"] == "false"
    assert env["METRICS_NAMESPACE"] == ""  # set and empty: metrics off (unset would mean the default)
