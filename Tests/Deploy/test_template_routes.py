"""Every NotificationRoute of deploy/template.yaml deployed on the moto server (127.0.0.1, never AWS),
with the bucket created by the stack, and read back: the queue, its dead-letter queue and the event
source mapping (sqs), the rule and its target (eventbridge), and the role's permissions, which differ
only by what each route needs. moto's CloudFormation does not apply a bucket's NotificationConfiguration
nor create alarms: those are evaluated from the template per route.
"""

from __future__ import annotations

import json
import uuid

import pytest

from deploy_harness import SECRET_API_KEY
from test_template import condition, template  # noqa: F401 (fixture)
from test_template_stack import create_stack, moto_stacks, policy_document, stack_template, without_novalue  # noqa: F401 (fixtures)

PREFIX = "voice/"


def deploy_route(moto_server, template_body: str, route: str, **parameters):
    name = "notifier-" + uuid.uuid4().hex[:8]
    bucket = "uploads-" + uuid.uuid4().hex[:8]
    given = {"ApiBaseUrl": "https://api.example.com", "CorsAllowedOrigins": "https://app.example.com",
             "CreateBucket": "true", "BucketName": bucket, "AudioFilesPrefix": PREFIX, "FunctionName": name,
             "WebhookApiKey": SECRET_API_KEY, "FetchObjectMetadata": "false", "NotificationRoute": route,
             **parameters}
    stack, resources = create_stack(moto_server, template_body, name, given)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    iam = moto_server.client("iam")
    role = resources["NotifierExecutionRole"]
    statements = {}
    for policy_name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = without_novalue(policy_document(iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]))
        statements.update({s["Sid"]: s for s in document["Statement"]})
    return name, bucket, resources, outputs, statements


def actions(statements):
    return {a for s in statements.values() for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


ROUTE_RESOURCES = {"UploadQueue", "UploadDeadLetterQueue", "UploadQueuePolicy", "UploadQueueConsumerPolicy",
                   "UploadQueueMapping", "UploadCreatedRule", "EventBridgeInvokePermission"}


def test_direct_route_is_todays(moto_server, stack_template, moto_stacks):
    name, bucket, resources, outputs, statements = deploy_route(moto_server, stack_template, "direct")
    assert not ROUTE_RESOURCES & set(resources)
    assert not [a for a in actions(statements) if a.startswith("sqs:") and a != "sqs:SendMessage"]


def test_sqs_route(moto_server, stack_template, moto_stacks):
    name, bucket, resources, outputs, statements = deploy_route(
        moto_server, stack_template, "sqs", QueueBatchSize="50", QueueBatchingWindowSeconds="5")
    # moto neither lists nor applies the QueuePolicy: test_sqs_queue_takes_only_this_buckets_notifications.
    assert {"UploadQueue", "UploadDeadLetterQueue", "UploadQueueConsumerPolicy", "UploadQueueMapping"} <= set(resources)
    assert not {"UploadCreatedRule", "EventBridgeInvokePermission"} & set(resources)
    sqs = moto_server.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=outputs["UploadQueueUrl"], AttributeNames=["All"])["Attributes"]
    assert int(attributes["VisibilityTimeout"]) >= 6 * 30  # 6 x the function's timeout
    redrive = json.loads(attributes["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 3
    dlq_arn = sqs.get_queue_attributes(QueueUrl=outputs["UploadDeadLetterQueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert redrive["deadLetterTargetArn"] == dlq_arn

    (mapping,) = moto_server.client("lambda").list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert mapping["EventSourceArn"] == attributes["QueueArn"]
    assert mapping["BatchSize"] == 50
    assert mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    consume = statements["ConsumeUploadQueue"]
    assert sorted(consume["Action"]) == ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                         "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert consume["Resource"] == attributes["QueueArn"]  # this queue, not its dead-letter queue nor any other


def test_eventbridge_route(moto_server, stack_template, moto_stacks):
    name, bucket, resources, outputs, statements = deploy_route(moto_server, stack_template, "eventbridge")
    assert {"UploadCreatedRule", "EventBridgeInvokePermission"} <= set(resources)
    assert not {"UploadQueue", "UploadQueueMapping", "UploadQueueConsumerPolicy"} & set(resources)
    assert not [a for a in actions(statements) if a.startswith("sqs:") and a != "sqs:SendMessage"]
    events = moto_server.client("events")
    rule_name = resources["UploadCreatedRule"].split("/")[-1].split("|")[0]
    rule = events.describe_rule(Name=rule_name)
    pattern = json.loads(rule["EventPattern"])
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"] == {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": PREFIX}]}}
    (target,) = events.list_targets_by_rule(Rule=rule_name)["Targets"]
    assert target["Arn"].endswith(":function:" + name)
    assert target["DeadLetterConfig"]["Arn"].endswith(":" + name + "-failures")  # same failure queue as direct


@pytest.mark.parametrize("route", ["direct", "sqs", "eventbridge"])
def test_async_failure_path_is_kept_on_every_route(moto_server, stack_template, moto_stacks, route):
    name, _, resources, outputs, statements = deploy_route(moto_server, stack_template, route)
    assert "FailureQueue" in resources  # moto does not create the EventInvokeConfig; test_template.py checks it
    assert statements["SendFailureRecords"]["Action"] in ("sqs:SendMessage", ["sqs:SendMessage"])


def chosen(node, template, route):
    """`!If [Cond, a, b]` resolved for the route; anything else as it is."""
    if isinstance(node, dict) and "Fn::If" in node:
        name, yes, no = node["Fn::If"]
        return yes if condition(template, name, NotificationRoute=route) else no
    return node


@pytest.mark.parametrize("route,kind", [("direct", "LambdaConfigurations"), ("sqs", "QueueConfigurations"),
                                        ("eventbridge", "EventBridgeConfiguration")])
def test_the_bucket_notifies_exactly_the_routes_target(template, route, kind):
    configuration = template["Resources"]["AudioBucket"]["Properties"]["NotificationConfiguration"]
    present = {name for name, node in configuration.items() if chosen(node, template, route) != {"Ref": "AWS::NoValue"}}
    assert present == {kind}
    if route != "eventbridge":
        (target,) = chosen(configuration[kind], template, route)
        assert target["Event"] == "s3:ObjectCreated:*"
        assert target["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": {"Ref": "AudioFilesPrefix"}}]


def test_sqs_alarms_watch_the_dead_letter_queue_and_the_oldest_message(template):
    resources = template["Resources"]
    depth = resources["UploadDeadLetterQueueAlarm"]
    age = resources["UploadQueueAgeAlarm"]
    assert depth["Condition"] == age["Condition"] == "RouteSqs"
    assert depth["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert depth["Properties"]["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["UploadDeadLetterQueue", "QueueName"]}
    assert age["Properties"]["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert age["Properties"]["Threshold"] == {"Ref": "QueueOldestMessageAlarmSeconds"}


def test_sqs_queue_takes_only_this_buckets_notifications(template):
    policy = template["Resources"]["UploadQueuePolicy"]
    assert policy["Condition"] == "RouteSqs"
    allow, deny = policy["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}"}},
                                  "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
