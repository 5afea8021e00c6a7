#!/usr/bin/env bash
# Redrive the notifier's failures, where each route leaves them:
# - routes direct and eventbridge: the failure queue (stack output FailureQueueUrl) holds Lambda
#   on-failure destination records; each record's requestPayload (the original event) is invoked
#   again asynchronously, and the message deleted only after Lambda accepted it (HTTP 202);
# - route sqs: the upload queue's dead-letter queue (UploadDeadLetterQueueUrl) holds the S3
#   notifications themselves; with --to-queue-url (UploadQueueUrl) each is sent back to the upload
#   queue, and deleted from the dead-letter queue only after SQS accepted it.
# Re-sent uploads keep their webhook-id (derived from the object version), so the backend deduplicates.
# See deploy/README.md, "The failure queue".
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: deploy/redrive.sh --queue-url URL [options]

  --queue-url URL        the failure queue (stack output FailureQueueUrl), or on route sqs the
                         dead-letter queue (UploadDeadLetterQueueUrl); or --queue-name NAME
  --to-queue-url URL     route sqs: send each message back to this queue (UploadQueueUrl)
                         instead of invoking the function
  --queue-name NAME      resolved with sqs get-queue-url
  --function-name NAME   function to invoke (default: $NOTIFIER_FUNCTION_NAME or
                         VoiceByAuribus-AudioUploadNotifier)
  --max N                redrive at most N messages (default 100)
  --visibility-timeout S seconds a received message stays hidden while it is handled (default 60);
                         messages that are kept (not redriven) reappear after it
  --region REGION, --endpoint-url URL, --profile NAME   passed to the AWS CLI
  --dry-run              receive and show what would be redriven; invoke and delete nothing
  -h, --help             this text

Exit status: 0 every received message redriven, 1 some kept (invoke failed or not a failure record),
2 usage, 4 AWS call failed.
EOF
}

die() { local code="$1"; shift; printf 'redrive: %s\n' "$*" >&2; exit "$code"; }

queue_url=""
queue_name=""
function_name="${NOTIFIER_FUNCTION_NAME:-VoiceByAuribus-AudioUploadNotifier}"
max=100
visibility=60
region=""
endpoint_url="${AWS_ENDPOINT_URL:-}"
profile=""
to_queue_url=""
dry_run=false

need_value() { [[ $# -ge 2 && -n "$2" ]] || die 2 "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --queue-url) need_value "$@"; queue_url="$2"; shift 2 ;;
        --queue-name) need_value "$@"; queue_name="$2"; shift 2 ;;
        --function-name) need_value "$@"; function_name="$2"; shift 2 ;;
        --max) need_value "$@"; max="$2"; shift 2 ;;
        --visibility-timeout) need_value "$@"; visibility="$2"; shift 2 ;;
        --region) need_value "$@"; region="$2"; shift 2 ;;
        --endpoint-url) need_value "$@"; endpoint_url="$2"; shift 2 ;;
        --profile) need_value "$@"; profile="$2"; shift 2 ;;
        --to-queue-url) need_value "$@"; to_queue_url="$2"; shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die 2 "unknown option: $1" ;;
    esac
done
[[ "$max" =~ ^[1-9][0-9]*$ ]] || die 2 "--max must be a positive whole number"
[[ "$visibility" =~ ^[0-9]+$ ]] || die 2 "--visibility-timeout must be a whole number of seconds"
[[ -n "$queue_url" || -n "$queue_name" ]] || { usage >&2; die 2 "pass --queue-url or --queue-name"; }
command -v aws >/dev/null 2>&1 || die 2 "the AWS CLI (aws) is not on PATH"
command -v python3 >/dev/null 2>&1 || die 2 "python3 is needed to read the records"

export AWS_PAGER=""
aws_global=(--cli-connect-timeout 15 --cli-read-timeout 60)
[[ -n "$region" ]] && aws_global+=(--region "$region")
[[ -n "$endpoint_url" ]] && aws_global+=(--endpoint-url "$endpoint_url")
[[ -n "$profile" ]] && aws_global+=(--profile "$profile")
aws_cli() { aws "${aws_global[@]}" "$@"; }

if [[ -z "$queue_url" ]]; then
    queue_url="$(aws_cli sqs get-queue-url --queue-name "$queue_name" --query QueueUrl --output text)" \
        || die 4 "cannot find queue $queue_name"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

# Splits one receive-message answer into $work/batch/N.{payload,handle,info}; prints the count.
# .payload is absent when the body is not an on-failure record with a JSON object requestPayload.
SPLIT_PY='
import json, os, sys
text = sys.stdin.read().strip()
answer = json.loads(text) if text else {}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
messages = answer.get("Messages") or []
for n, message in enumerate(messages):
    with open(os.path.join(out, f"{n}.handle"), "w") as f:
        f.write(message["ReceiptHandle"])
    info = message.get("MessageId", "?")
    try:
        record = json.loads(message.get("Body") or "")
    except ValueError:
        record = None
    to_queue = len(sys.argv) > 2 and sys.argv[2] == "to-queue"
    # Route sqs: the body is the S3 notification (or SNS envelope) itself, sent back as it is.
    payload = record if to_queue else (record.get("requestPayload") if isinstance(record, dict) else None)
    if isinstance(payload, dict):
        ctx = record.get("requestContext") or {}
        info += " condition=%s attempts=%s request=%s" % (
            ctx.get("condition"), ctx.get("approximateInvokeCount"), ctx.get("requestId"))
        keys = [r.get("s3", {}).get("object", {}).get("key") for r in payload.get("Records") or []
                if isinstance(r, dict)]
        if keys:
            info += " keys=" + ",".join(str(k) for k in keys)
        with open(os.path.join(out, f"{n}.payload"), "w") as f:
            json.dump(payload, f)
    else:
        info += " (not a Lambda on-failure record with a requestPayload)"
    with open(os.path.join(out, f"{n}.info"), "w") as f:
        f.write(info)
print(len(messages))
'

redriven=0
kept=0
seen=0
while (( seen < max )); do
    batch=$(( max - seen < 10 ? max - seen : 10 ))
    answer="$(aws_cli sqs receive-message --queue-url "$queue_url" --max-number-of-messages "$batch" \
        --visibility-timeout "$visibility" --wait-time-seconds 1 --output json)" \
        || die 4 "receive-message failed"
    rm -rf "$work/batch"
    count="$(printf '%s' "$answer" | python3 -c "$SPLIT_PY" "$work/batch" "${to_queue_url:+to-queue}")" || die 4 "cannot parse receive-message output"
    (( count > 0 )) || break
    for (( n = 0; n < count; n++ )); do
        seen=$(( seen + 1 ))
        info="$(cat "$work/batch/$n.info")"
        if [[ ! -f "$work/batch/$n.payload" ]]; then
            echo "KEEP    $info"
            kept=$(( kept + 1 ))
            continue
        fi
        if $dry_run; then
            echo "WOULD   $info"
            continue
        fi
        if [[ -n "$to_queue_url" ]]; then
            status="$(aws_cli sqs send-message --queue-url "$to_queue_url" --message-body "file://$work/batch/$n.payload" \
                --query MessageId --output text 2>"$work/err" >/dev/null && echo 202)" \
                || status="error: $(tr '\n' ' ' <"$work/err")"
        else
            status="$(aws_cli lambda invoke --function-name "$function_name" --invocation-type Event \
                --payload "fileb://$work/batch/$n.payload" --query StatusCode --output text "$work/response" 2>"$work/err")" \
                || status="error: $(tr '\n' ' ' <"$work/err")"
        fi
        if [[ "$status" == "202" ]]; then
            if aws_cli sqs delete-message --queue-url "$queue_url" \
                --receipt-handle "$(cat "$work/batch/$n.handle")" 2>"$work/err"; then
                echo "REDRIVE $info"
                redriven=$(( redriven + 1 ))
            else
                echo "INVOKED $info (but delete-message failed: $(tr '\n' ' ' <"$work/err"); it will be redriven again, deduplicated by webhook-id)"
                kept=$(( kept + 1 ))
            fi
        else
            echo "KEEP    $info (invoke: $status)"
            kept=$(( kept + 1 ))
        fi
    done
done

if $dry_run; then
    echo "dry run: $seen message(s) received, nothing invoked or deleted; they reappear after ${visibility}s"
    exit 0
fi
echo "redriven $redriven, kept $kept (kept messages reappear after ${visibility}s)"
(( kept == 0 )) || exit 1
