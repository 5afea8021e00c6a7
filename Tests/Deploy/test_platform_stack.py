"""deploy/platform.yaml: cfn-lint, the stack on moto (127.0.0.1), the roles against the guide, and
tools/vba_platform.py appsettings on a deployed stack.

moto's CloudFormation creates the queues, roles and instance profiles. It skips (with a warning) the
types it does not implement: AWS::SQS::QueuePolicy, AWS::CloudWatch::Alarm and every AWS::Cognito::*
type. Those are checked here another way: the queue policy and the alarms statically, the resource
server and the M2M client by creating them from the template's own properties with moto's cognito-idp
API (the CloudFormation property names are the API's parameter names).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cfnlint.decode import decode

from deploy_harness import ACCOUNT, DEPLOY, REGION, REPO, SECRET_API_KEY, TOOLS_BIN, clean_env

TEMPLATE = DEPLOY / "platform.yaml"
BUCKET = "voice-by-auribus-audio-files"
PREFIX = "audio-files/"

# The guide's actions per role ("IAM Roles and Policies"; s3:GetObjectMetadata is not an IAM action:
# HEAD is authorised by s3:GetObject). Each on the guide's resources: objects of the bucket, the queue.
GUIDE_ACTIONS = {
    "BackendRole": {"s3": {"s3:PutObject", "s3:GetObject"}, "sqs": {"sqs:SendMessage", "sqs:GetQueueUrl"}},
    "PreprocessingRole": {"s3": {"s3:GetObject", "s3:PutObject"}, "sqs": {
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"}},
}
POLICY_FILES = {"BackendRole": "backend-policy.json", "PreprocessingRole": "preprocessing-policy.json"}


@pytest.fixture(scope="module")
def template():
    data, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return json.loads(json.dumps(data))


def as_list(value):
    return value if isinstance(value, list) else [value]


def role_statements(template, role):
    (policy,) = template["Resources"][role]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def test_cfn_lint_is_clean(tmp_path):
    result = subprocess.run([str(Path(TOOLS_BIN) / "cfn-lint"), str(TEMPLATE)], cwd=REPO, env=clean_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"cfn-lint:\n{result.stdout}\n{result.stderr}"


# The roles grant the guide's actions on the guide's resources, and nothing else -----------------------

OBJECT_ARN = "arn:${AWS::Partition}:s3:::${BucketName}/${AudioFilesPrefix}*/"
QUEUE_ARN = {"Fn::GetAtt": ["PreprocessingQueue", "Arn"]}


@pytest.mark.parametrize("role", sorted(GUIDE_ACTIONS))
def test_role_grants_exactly_the_guides_actions_on_the_guides_resources(template, role):
    granted = {"s3": set(), "sqs": set()}
    for statement in role_statements(template, role):
        assert statement["Effect"] == "Allow" and "Condition" not in statement and "NotAction" not in statement
        actions = as_list(statement["Action"])
        services = {action.split(":")[0] for action in actions}
        assert len(services) == 1, f"{statement['Sid']} mixes services"
        (service,) = services
        assert service in granted, f"{role} grants {actions}: the guide has no {service} action for it"
        granted[service] |= set(actions)
        for resource in as_list(statement["Resource"]):
            if service == "s3":  # objects under {prefix}{userId}/temp|short|inference/ of the one bucket
                assert set(resource) == {"Fn::Sub"}, resource
                assert resource["Fn::Sub"].startswith(OBJECT_ARN), resource
                assert resource["Fn::Sub"][len(OBJECT_ARN):] in ("temp/*", "short/*", "inference/*"), resource
            else:
                assert resource == QUEUE_ARN, resource
    assert granted == GUIDE_ACTIONS[role]


def test_roles_split_the_prefixes(template):
    def grants(role):
        return {(action, resource["Fn::Sub"][len(OBJECT_ARN):])
                for statement in role_statements(template, role) if statement["Action"][0].startswith("s3:")
                for action in as_list(statement["Action"]) for resource in as_list(statement["Resource"])}
    assert grants("BackendRole") == {("s3:PutObject", "temp/*"), ("s3:GetObject", "temp/*"),
                                     ("s3:GetObject", "short/*"), ("s3:GetObject", "inference/*")}
    assert grants("PreprocessingRole") == {("s3:GetObject", "temp/*"), ("s3:PutObject", "short/*"),
                                           ("s3:PutObject", "inference/*")}


@pytest.mark.parametrize("role", sorted(POLICY_FILES))
def test_policy_documents_mirror_the_roles(template, role):
    """deploy/iam/*.json are the roles for the default bucket, prefix and queue name."""
    def concrete(resource):
        if resource == QUEUE_ARN:
            return "arn:aws:sqs:*:*:audio-preprocessing-queue"
        return resource["Fn::Sub"].replace("${AWS::Partition}", "aws").replace("${BucketName}", BUCKET) \
            .replace("${AudioFilesPrefix}", PREFIX)

    in_template = {s["Sid"]: (sorted(as_list(s["Action"])), sorted(map(concrete, as_list(s["Resource"]))))
                   for s in role_statements(template, role)}
    document = json.loads((DEPLOY / "iam" / POLICY_FILES[role]).read_text())
    in_file = {s["Sid"]: (sorted(as_list(s["Action"])), sorted(as_list(s["Resource"]))) for s in document["Statement"]}
    assert in_file == in_template


def test_queues_deny_requests_without_tls(template):
    resources = template["Resources"]
    policy = resources["PreprocessingQueuesPolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": "PreprocessingQueue"}, {"Ref": "PreprocessingDeadLetterQueue"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "sqs:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_alarms_watch_the_oldest_message_and_the_dlq(template):
    resources = template["Resources"]
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    watched = {(a["Namespace"], a["MetricName"], a["Dimensions"][0]["Value"]["Fn::GetAtt"][0]) for a in alarms.values()}
    assert watched == {("AWS/SQS", "ApproximateAgeOfOldestMessage", "PreprocessingQueue"),
                       ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "PreprocessingDeadLetterQueue")}
    for alarm in alarms.values():
        assert alarm["Dimensions"][0]["Name"] == "QueueName"
        assert alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][1] == "QueueName"
        assert alarm["TreatMissingData"] == "notBreaching"


# Cognito, created from the template's properties with moto's cognito-idp ------------------------------


def cognito_properties(template, name):
    properties = dict(template["Resources"][name]["Properties"])
    del properties["UserPoolId"]
    return properties


def test_resource_server_and_m2m_client_as_the_template_defines_them(moto_server, template):
    cognito = moto_server.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="pool-" + uuid.uuid4().hex[:6])["UserPool"]["Id"]
    server = cognito.create_resource_server(UserPoolId=pool, **cognito_properties(template, "ApiResourceServer"))
    assert server["ResourceServer"]["Identifier"] == "voice-by-auribus-api"
    scopes = {f"voice-by-auribus-api/{s['ScopeName']}" for s in server["ResourceServer"]["Scopes"]}
    assert scopes == {"voice-by-auribus-api/base", "voice-by-auribus-api/admin"}

    client = cognito_properties(template, "M2MAppClient")
    client["ClientName"] = "m2m"  # a !Sub of the stack name in the template
    created = cognito.create_user_pool_client(UserPoolId=pool, **client)["UserPoolClient"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=created["ClientId"])["UserPoolClient"]
    assert described["AllowedOAuthFlows"] == ["client_credentials"]
    assert set(described["AllowedOAuthScopes"]) == scopes
    assert described["AllowedOAuthFlowsUserPoolClient"] is True
    assert described["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert described["ClientSecret"]
    assert template["Resources"]["M2MAppClient"]["DependsOn"] == "ApiResourceServer"


def test_cognito_resources_follow_the_parameter(template):
    conditions = {name: r.get("Condition") for name, r in template["Resources"].items() if "Cognito" in r["Type"]}
    assert conditions == {"UserPool": "CreateUserPool", "UserPoolDomain": "CreateUserPoolDomain",
                          "ApiResourceServer": "UsesCognito", "M2MAppClient": "UsesCognito"}
    assert template["Resources"]["ApiResourceServer"]["Properties"]["UserPoolId"] == {
        "Fn::If": ["CreateUserPool", {"Ref": "UserPool"}, {"Ref": "CognitoUserPool"}]}
    # Client ids are fine as outputs; the client secret never is.
    assert "ClientSecret" not in json.dumps(template["Outputs"])


# The stack on moto ----------------------------------------------------------------------------------


def deploy(moto_server, **parameters):
    name = "platform-" + uuid.uuid4().hex[:8]
    given = {"QueueNamePrefix": name, **parameters}
    cloudformation = moto_server.client("cloudformation")
    cloudformation.create_stack(StackName=name, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
                                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()])
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    return name, {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}, resources


def queue_attributes(moto_server, name):
    sqs = moto_server.client("sqs")
    return sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
                                    AttributeNames=["All"])["Attributes"]


def role(moto_server, name):
    iam = moto_server.client("iam")
    (policy_name,) = iam.list_role_policies(RoleName=name)["PolicyNames"]
    document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
    document = document if isinstance(document, dict) else ast.literal_eval(document)  # moto: a Python repr
    return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"], document


def test_queues_as_the_guide_configures_them(moto_server):
    stack, outputs, _ = deploy(moto_server)
    queue = queue_attributes(moto_server, f"{stack}-queue")
    dlq = queue_attributes(moto_server, f"{stack}-dlq")
    assert (queue["VisibilityTimeout"], queue["MessageRetentionPeriod"], queue["MaximumMessageSize"],
            queue["ReceiveMessageWaitTimeSeconds"]) == ("300", "345600", "262144", "20")
    assert json.loads(queue["RedrivePolicy"]) == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 3}
    assert queue["SqsManagedSseEnabled"] == dlq["SqsManagedSseEnabled"] == "true"
    assert int(dlq["MessageRetentionPeriod"]) > int(queue["MessageRetentionPeriod"])
    assert outputs["PreprocessingQueueUrl"].endswith(f"/{ACCOUNT}/{stack}-queue")
    assert outputs["Region"] == REGION and outputs["BucketName"] == BUCKET


def test_roles_on_moto_trust_the_parameter_and_grant_on_the_deployed_names(moto_server):
    principal = f"arn:aws:iam::{ACCOUNT}:role/existing-backend-host"
    stack, outputs, resources = deploy(moto_server, BackendTrustedPrincipal=principal,
                                       PreprocessingTrustedPrincipal="ec2.amazonaws.com",
                                       BucketName="other-audio-bucket", AudioFilesPrefix="uploads/")
    trust, backend = role(moto_server, resources["BackendRole"])
    assert trust["Statement"][0]["Principal"] == {"AWS": principal}
    trust, preprocessing = role(moto_server, resources["PreprocessingRole"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert "PreprocessingInstanceProfile" in resources and "BackendInstanceProfile" not in resources
    for document in (backend, preprocessing):
        for statement in document["Statement"]:
            for resource in as_list(statement["Resource"]):
                assert resource == outputs["PreprocessingQueueArn"] or resource.startswith(
                    "arn:aws:s3:::other-audio-bucket/uploads/*/"), resource


def test_default_trust_is_the_ecs_tasks_service(moto_server):
    _, _, resources = deploy(moto_server)
    for name in ("BackendRole", "PreprocessingRole"):
        trust, _ = role(moto_server, resources[name])
        assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert not {"BackendInstanceProfile", "PreprocessingInstanceProfile"} & set(resources)


# tools/vba_platform.py appsettings --------------------------------------------------------------------


def test_appsettings_fragment_from_a_deployed_stack_never_prints_the_api_key(moto_server, tmp_path):
    secret_id = "vba/api-key-" + uuid.uuid4().hex[:6]
    moto_server.client("secretsmanager").create_secret(Name=secret_id, SecretString=SECRET_API_KEY)
    stack, outputs, _ = deploy(moto_server, CognitoUserPool="us-east-1_AbCdEf123", WebhookApiKeySecretId=secret_id)
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "vba_platform.py"), "appsettings", "--stack", stack,
         "--endpoint-url", moto_server.endpoint], env=clean_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "AWS": {"Region": REGION, "S3": {"AudioFilesBucket": BUCKET},
                "SQS": {"AudioPreprocessingQueueUrl": outputs["PreprocessingQueueUrl"]}},
        "Authentication": {"Cognito": {"Region": REGION, "UserPoolId": "us-east-1_AbCdEf123",
                                       "Audience": "voice-by-auribus-api"}},
    }
    assert SECRET_API_KEY not in result.stdout + result.stderr
    assert secret_id in result.stderr and "Webhooks:ApiKey is not printed" in result.stderr


def test_appsettings_without_cognito_has_no_authentication_section(moto_server, tmp_path):
    stack, _, _ = deploy(moto_server)
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "vba_platform.py"), "appsettings", "--stack", stack,
         "--endpoint-url", moto_server.endpoint], env=clean_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == {"AWS"}
