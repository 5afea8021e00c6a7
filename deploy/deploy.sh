#!/usr/bin/env bash
# Create or update the AudioUploadNotifier Lambda function from dist/bootstrap.zip + dist/manifest.json
# with the AWS CLI (v1 or v2). Refuses an artifact that the packager marked incompatible with the runtime.
# See deploy/README.md. Secrets are passed to the CLI through a private temporary file, never echoed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

usage() {
    cat <<'EOF'
Usage: deploy/deploy.sh [options]

Creates the function if it does not exist, otherwise updates its code and configuration, waits until
the update is active and checks that Lambda's CodeSha256 equals the manifest's codeSha256.

Artifact
  --manifest PATH           packaging manifest (default: dist/manifest.json)
  --zip PATH                the zip (default: the manifest's "zip", looked up next to the manifest first)
  --runtime RUNTIME         deploy on this runtime (provided.al2023 | provided.al2), which the manifest must list
                            among its compatible runtimes; default: the manifest's "runtime"
Target
  --function-name NAME      default: $NOTIFIER_FUNCTION_NAME or VoiceByAuribus-AudioUploadNotifier
  --role-arn ARN            execution role; required to create (default: $NOTIFIER_ROLE_ARN)
  --region REGION           default: the AWS CLI's (AWS_REGION / AWS_DEFAULT_REGION / profile)
  --endpoint-url URL        default: $AWS_ENDPOINT_URL (e.g. a local emulator)
  --profile NAME            AWS CLI profile
Configuration
  --env-file PATH           KEY=VALUE lines (# comments, blank lines, optional quotes) for the function's
                            environment; default: $NOTIFIER_ENV_FILE. Keep it outside the repository.
  --env KEY=VALUE           one variable (repeatable; overrides the file). Avoid for secrets (shell history).
                            Without --env-file/--env an existing function keeps its environment;
                            with either, the environment is REPLACED by exactly what is given.
                            It needs API_BASE_URL, and WEBHOOK_API_KEY or WEBHOOK_API_KEY_SECRET_ID (a
                            Secrets Manager secret read by the function; the role must allow
                            secretsmanager:GetSecretValue on it). A value and its *_SECRET_ID together
                            are refused, as the function refuses them (WEBHOOK_SIGNING_SECRET likewise).
  --log-format JSON|Text    Lambda logging format (sets AWS_LAMBDA_LOG_FORMAT for the runtime)
  --log-level LEVEL         TRACE|DEBUG|INFO|WARN|ERROR|FATAL (needs --log-format JSON)
  --memory-size MB          default 256
  --timeout SECONDS         default 30
  --failure-destination-arn ARN
                            SQS queue ARN for failed asynchronous invocations; also sets 2 retries
  --max-event-age SECONDS   with --failure-destination-arn (60..21600, default 3600)
Other
  --dry-run                 check the artifact and print the plan; change nothing
  -h, --help                this text

Exit status: 0 deployed (or planned), 2 usage, 3 artifact refused, 4 AWS call failed or CodeSha256 mismatch.
EOF
}

die() { local code="$1"; shift; printf 'deploy: %s\n' "$*" >&2; exit "$code"; }
note() { printf 'deploy: %s\n' "$*" >&2; }

# lines_to_array NAME TEXT: split TEXT on newlines into the array NAME (bash 3.2 has no mapfile).
lines_to_array() {
    local __line
    eval "$1=()"
    while IFS= read -r __line; do eval "$1+=(\"\$__line\")"; done <<<"$2"
}

# Reads --env-file (argv[1], may be empty) and NUL-separated KEY=VALUE pairs on stdin, writes
# {"Variables": {...}} to argv[2] and prints the variable names (never the values).
ENV_PY='
import json, re, sys
env_file, out = sys.argv[1], sys.argv[2]
variables = {}
name_ok = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
def put(key, value, where):
    if not name_ok.match(key):
        sys.exit(f"deploy: {where}: invalid variable name {key!r}")
    variables[key] = value
if env_file:
    with open(env_file, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):].lstrip()
            key, sep, value = line.partition("=")
            if not sep:
                sys.exit(f"deploy: {env_file}:{number}: expected KEY=VALUE")
            key, value = key.strip(), value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\x27\x22":
                value = value[1:-1]
            put(key, value, f"{env_file}:{number}")
for pair in sys.stdin.buffer.read().split(b"\0"):
    if not pair:
        continue
    key, sep, value = pair.decode("utf-8").partition("=")
    if not sep:
        sys.exit("deploy: --env expects KEY=VALUE")
    put(key.strip(), value, "--env")
if not variables.get("API_BASE_URL"):
    sys.exit("deploy: the environment has no API_BASE_URL (required by the notifier)")
# Each secret from one source: the value itself or a Secrets Manager secret id (name or ARN) that the
# function reads at run time. The function refuses both at init; here an empty line counts as set too,
# so the outcome does not depend on how the function treats an empty value.
for value, secret_id in (("WEBHOOK_API_KEY", "WEBHOOK_API_KEY_SECRET_ID"),
                         ("WEBHOOK_SIGNING_SECRET", "WEBHOOK_SIGNING_SECRET_ID")):
    if value in variables and secret_id in variables:
        sys.exit(f"deploy: set only one of {value} and {secret_id} (remove the other line)")
if not variables.get("WEBHOOK_API_KEY") and not variables.get("WEBHOOK_API_KEY_SECRET_ID"):
    sys.exit("deploy: the environment has no WEBHOOK_API_KEY or WEBHOOK_API_KEY_SECRET_ID (required by the notifier)")
with open(out, "w", encoding="utf-8") as f:
    json.dump({"Variables": variables}, f)
print("\n".join(sorted(variables)))
'

manifest="$REPO_ROOT/dist/manifest.json"
zip_path=""
want_runtime=""
function_name="${NOTIFIER_FUNCTION_NAME:-VoiceByAuribus-AudioUploadNotifier}"
role_arn="${NOTIFIER_ROLE_ARN:-}"
region=""
endpoint_url="${AWS_ENDPOINT_URL:-}"
profile=""
env_file="${NOTIFIER_ENV_FILE:-}"
env_pairs=()
log_format=""
log_level=""
memory_size=256
timeout_s=30
failure_arn=""
max_event_age=3600
dry_run=false

need_value() { [[ $# -ge 2 && -n "$2" ]] || die 2 "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --manifest) need_value "$@"; manifest="$2"; shift 2 ;;
        --zip) need_value "$@"; zip_path="$2"; shift 2 ;;
        --runtime) need_value "$@"; want_runtime="$2"; shift 2 ;;
        --function-name) need_value "$@"; function_name="$2"; shift 2 ;;
        --role-arn) need_value "$@"; role_arn="$2"; shift 2 ;;
        --region) need_value "$@"; region="$2"; shift 2 ;;
        --endpoint-url) need_value "$@"; endpoint_url="$2"; shift 2 ;;
        --profile) need_value "$@"; profile="$2"; shift 2 ;;
        --env-file) need_value "$@"; env_file="$2"; shift 2 ;;
        --env) need_value "$@"; env_pairs+=("$2"); shift 2 ;;
        --log-format) need_value "$@"; log_format="$2"; shift 2 ;;
        --log-level) need_value "$@"; log_level="$2"; shift 2 ;;
        --memory-size) need_value "$@"; memory_size="$2"; shift 2 ;;
        --timeout) need_value "$@"; timeout_s="$2"; shift 2 ;;
        --failure-destination-arn) need_value "$@"; failure_arn="$2"; shift 2 ;;
        --max-event-age) need_value "$@"; max_event_age="$2"; shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die 2 "unknown option: $1" ;;
    esac
done

[[ "$function_name" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die 2 "--function-name must be 1-64 letters, digits, - or _"
[[ "$memory_size" =~ ^[0-9]+$ ]] || die 2 "--memory-size must be a whole number of MB"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die 2 "--timeout must be a whole number of seconds"
# shellcheck disable=SC2015  # die when either test fails
[[ "$max_event_age" =~ ^[0-9]+$ ]] && (( max_event_age >= 60 && max_event_age <= 21600 )) \
    || die 2 "--max-event-age must be 60..21600 seconds"
case "$log_format" in ""|JSON|Text) ;; *) die 2 "--log-format must be JSON or Text" ;; esac
case "$log_level" in ""|TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ;; *) die 2 "--log-level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL" ;; esac
[[ -z "$log_level" || "$log_format" == "JSON" ]] || die 2 "--log-level needs --log-format JSON (Lambda filters levels only for JSON logs)"
[[ -z "$role_arn" || "$role_arn" =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$ ]] || die 2 "--role-arn is not an IAM role ARN"
[[ -z "$failure_arn" || "$failure_arn" =~ ^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:.+$ ]] || die 2 "--failure-destination-arn is not an SQS queue ARN"

command -v python3 >/dev/null 2>&1 || die 2 "python3 is needed to read the manifest"

# ---------------------------------------------------------------- the artifact
[[ -f "$manifest" ]] || die 3 "no manifest at $manifest: build the artifact first (make package, see deploy/README.md)"

# One field per line; problems last, one per line.
manifest_fields="$(python3 - "$manifest" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        m = json.load(f)
except (OSError, ValueError) as e:
    print(f"unreadable manifest: {e}", file=sys.stderr)
    sys.exit(1)
if not isinstance(m, dict):
    print("manifest is not a JSON object", file=sys.stderr)
    sys.exit(1)
def one_line(v):
    return str(v).replace("\n", " ").replace("\r", " ")
c = m.get("compatible")
print("true" if c is True else "false")
for key in ("runtime", "architecture", "codeSha256", "zip"):
    print(one_line(m.get(key) or ""))
# Runtimes the binary starts on (a static bootstrap: both); older manifests name only "runtime".
runtimes = m.get("compatibleRuntimes")
if not isinstance(runtimes, list):
    runtimes = [m.get("runtime")] if c is True else []
print(" ".join(one_line(r) for r in runtimes if r))
for p in m.get("problems") or []:
    print(one_line(p))
PY
)" || die 3 "cannot read $manifest"

fields=()
lines_to_array fields "$manifest_fields"
compatible="${fields[0]}"
runtime="${fields[1]}"
architecture="${fields[2]}"
manifest_sha="${fields[3]}"
manifest_zip="${fields[4]}"
compatible_runtimes=" ${fields[5]} "
problems=(${fields[@]+"${fields[@]:6}"})

case "$runtime" in
    provided.al2|provided.al2023) ;;
    *) die 3 "manifest runtime \"$runtime\" is not provided.al2 or provided.al2023" ;;
esac

if [[ "$compatible" != "true" ]]; then
    {
        echo "deploy: REFUSED: $manifest says the zip is not compatible with $runtime:"
        for p in ${problems[@]+"${problems[@]}"}; do [[ -n "$p" ]] && echo "  - $p"; done
        echo "The binary needs a newer glibc or libraries that the $runtime image does not have."
        echo "Build the fully static artifact, which starts on provided.al2023 and provided.al2 alike:"
        echo "  make package"
        echo "then run this script again. See deploy/README.md, \"Building the zip\"."
    } >&2
    exit 3
fi

if [[ -n "$want_runtime" && "$want_runtime" != "$runtime" ]]; then
    [[ "$compatible_runtimes" == *" $want_runtime "* ]] ||
        die 3 "the artifact is not known to start on $want_runtime (it was checked against:${compatible_runtimes% }): rebuild it with make package, which checks both runtimes"
    runtime="$want_runtime"
fi
case "$architecture" in x86_64|arm64) ;; *) die 3 "manifest architecture \"$architecture\" is not x86_64 or arm64" ;; esac
[[ -n "$manifest_sha" ]] || die 3 "manifest has no codeSha256"

if [[ -z "$zip_path" ]]; then
    [[ -n "$manifest_zip" ]] || die 3 "manifest has no zip path; pass --zip"
    if [[ "$manifest_zip" == /* ]]; then
        zip_path="$manifest_zip"
    elif [[ -f "$(dirname "$manifest")/$(basename "$manifest_zip")" ]]; then
        zip_path="$(dirname "$manifest")/$(basename "$manifest_zip")"
    else
        zip_path="$REPO_ROOT/$manifest_zip"
    fi
fi
[[ -f "$zip_path" ]] || die 3 "zip not found: $zip_path"

read -r local_sha zip_bytes < <(python3 - "$zip_path" <<'PY'
import base64, hashlib, os, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(base64.b64encode(h.digest()).decode(), os.path.getsize(sys.argv[1]))
PY
)
[[ "$local_sha" == "$manifest_sha" ]] || die 3 "$zip_path has sha256 $local_sha but the manifest says $manifest_sha: the zip changed after packaging, package again"
(( zip_bytes <= 50 * 1024 * 1024 )) || die 3 "$zip_path is $zip_bytes bytes; direct uploads are limited to 50 MB"

if [[ "$runtime" == "provided.al2" ]]; then
    note "note: AWS deprecated provided.al2 on 2026-06-30 (Amazon Linux 2 end of support) and schedules blocking"
    note "      creation from 2026-07-31 and updates from 2026-08-31; if AWS refuses it, deploy with --runtime provided.al2023."
fi

# ---------------------------------------------------------------- the environment
env_json=""
secret_names='^(WEBHOOK_API_KEY|WEBHOOK_SIGNING_SECRET)$'
env_keys=()
if [[ -n "$env_file" || ${#env_pairs[@]} -gt 0 ]]; then
    [[ -z "$env_file" || -f "$env_file" ]] || die 2 "--env-file $env_file does not exist"
    tmpdir="$(mktemp -d)"
    trap 'rm -rf "$tmpdir"' EXIT
    chmod 700 "$tmpdir"
    env_json="$tmpdir/environment.json"
    # The pairs travel on stdin, NUL-separated, so values never appear in a process listing.
    keys_out="$(
        { for p in ${env_pairs[@]+"${env_pairs[@]}"}; do printf '%s\0' "$p"; done; } |
        ( umask 077; python3 -c "$ENV_PY" "$env_file" "$env_json" )
    )" || die 2 "invalid environment (see above)"
    lines_to_array env_keys "$keys_out"
    for k in ${env_keys[@]+"${env_keys[@]}"}; do
        if [[ "$k" == *_SECRET_ID ]]; then
            note "note: $k is read at run time: the role needs secretsmanager:GetSecretValue on that secret (deploy/iam/notifier-execution-policy.json)"
        fi
    done
fi

describe_env() {
    local k shown=()
    for k in ${env_keys[@]+"${env_keys[@]}"}; do
        if [[ "$k" =~ $secret_names ]]; then shown+=("$k=(secret)"); else shown+=("$k"); fi
    done
    echo "${shown[*]}"
}

# ---------------------------------------------------------------- the AWS CLI
export AWS_PAGER=""
aws_global=(--cli-connect-timeout 15 --cli-read-timeout 120)
[[ -n "$region" ]] && aws_global+=(--region "$region")
[[ -n "$endpoint_url" ]] && aws_global+=(--endpoint-url "$endpoint_url")
[[ -n "$profile" ]] && aws_global+=(--profile "$profile")
aws_cli() { aws "${aws_global[@]}" "$@"; }

logging_args=()
if [[ -n "$log_format" ]]; then
    logging="LogFormat=$log_format"
    [[ -n "$log_level" ]] && logging+=",ApplicationLogLevel=$log_level"
    logging_args=(--logging-config "$logging")
fi
env_args=()
[[ -n "$env_json" ]] && env_args=(--environment "file://$env_json")

# exists | absent | unknown:<message>
function_state() {
    local err
    if err="$(aws_cli lambda get-function --function-name "$function_name" --query 'Configuration.FunctionName' --output text 2>&1 >/dev/null)"; then
        echo exists
    elif [[ "$err" == *ResourceNotFoundException* ]]; then
        echo absent
    else
        echo "unknown:${err//$'\n'/ }"
    fi
}

# Waits with the *-v2 waiter (GetFunction based), falling back to the older one on CLIs without it.
wait_for() {
    local waiter="$1" err
    if err="$(aws_cli lambda wait "$waiter-v2" --function-name "$function_name" 2>&1)"; then
        return 0
    fi
    if [[ "$err" == *"Invalid choice"* || "$err" == *"invalid choice"* ]]; then
        aws_cli lambda wait "$waiter" --function-name "$function_name" && return 0
    else
        printf '%s\n' "$err" >&2
    fi
    die 4 "the function did not become ready ($waiter); see the Lambda console or: aws lambda get-function --function-name $function_name"
}

target_desc="function $function_name"
[[ -n "$region" ]] && target_desc+=" in $region"
[[ -n "$endpoint_url" ]] && target_desc+=" at $endpoint_url"

if $dry_run; then
    if command -v aws >/dev/null 2>&1; then state="$(function_state)"; else state="unknown:no aws CLI"; fi
    echo "Plan (dry run, nothing changed) for $target_desc:"
    echo "  artifact:      $zip_path ($zip_bytes bytes, sha256 $manifest_sha)"
    echo "  runtime:       $runtime, architecture $architecture, handler bootstrap, ${memory_size} MB, ${timeout_s} s"
    case "$state" in
        exists) echo "  action:        update-function-code, then update-function-configuration" ;;
        absent) echo "  action:        create-function (role ${role_arn:-MISSING: pass --role-arn})" ;;
        *) echo "  action:        create if absent, else update (could not check: ${state#unknown:})" ;;
    esac
    if [[ -n "$env_json" ]]; then echo "  environment:   replaced by: $(describe_env)"
    else echo "  environment:   unchanged (none given)"; fi
    [[ ${#logging_args[@]} -gt 0 ]] && echo "  logging:       ${logging_args[1]}"
    [[ -n "$role_arn" ]] && echo "  role:          $role_arn"
    [[ -n "$failure_arn" ]] && echo "  async invoke:  2 retries, max age ${max_event_age}s, on failure -> $failure_arn"
    exit 0
fi

command -v aws >/dev/null 2>&1 || die 2 "the AWS CLI (aws) is not on PATH"

state="$(function_state)"
case "$state" in
    exists) action=update ;;
    absent) action=create ;;
    *) die 4 "cannot tell whether $function_name exists: ${state#unknown:}" ;;
esac

if [[ "$action" == create ]]; then
    [[ -n "$role_arn" ]] || die 2 "$function_name does not exist: pass --role-arn (or NOTIFIER_ROLE_ARN) to create it"
    [[ -n "$env_json" ]] || die 2 "$function_name does not exist: pass --env-file (API_BASE_URL, WEBHOOK_API_KEY, ...) to create it"
    note "creating $target_desc ($runtime, $architecture)"
    returned_sha="$(aws_cli lambda create-function --function-name "$function_name" \
        --runtime "$runtime" --handler bootstrap --architectures "$architecture" \
        --role "$role_arn" --memory-size "$memory_size" --timeout "$timeout_s" \
        --zip-file "fileb://$zip_path" "${env_args[@]+"${env_args[@]}"}" "${logging_args[@]+"${logging_args[@]}"}" \
        --query CodeSha256 --output text)" || die 4 "create-function failed"
    wait_for function-active
else
    note "updating the code of $target_desc ($architecture)"
    returned_sha="$(aws_cli lambda update-function-code --function-name "$function_name" \
        --zip-file "fileb://$zip_path" --architectures "$architecture" \
        --query CodeSha256 --output text)" || die 4 "update-function-code failed"
    wait_for function-updated
    note "updating the configuration"
    config_args=(--runtime "$runtime" --handler bootstrap --memory-size "$memory_size" --timeout "$timeout_s")
    [[ -n "$role_arn" ]] && config_args+=(--role "$role_arn")
    aws_cli lambda update-function-configuration --function-name "$function_name" "${config_args[@]}" \
        "${env_args[@]+"${env_args[@]}"}" "${logging_args[@]+"${logging_args[@]}"}" \
        --query LastUpdateStatus --output text >/dev/null || die 4 "update-function-configuration failed"
    wait_for function-updated
fi

if [[ -n "$failure_arn" ]]; then
    note "configuring asynchronous invocation: 2 retries, max age ${max_event_age}s, on failure -> $failure_arn"
    aws_cli lambda put-function-event-invoke-config --function-name "$function_name" \
        --maximum-retry-attempts 2 --maximum-event-age-in-seconds "$max_event_age" \
        --destination-config "{\"OnFailure\":{\"Destination\":\"$failure_arn\"}}" \
        --query FunctionArn --output text >/dev/null || die 4 "put-function-event-invoke-config failed"
fi

read -r final_sha final_state final_update final_runtime final_arch < <(
    aws_cli lambda get-function-configuration --function-name "$function_name" \
        --query '[CodeSha256, State, LastUpdateStatus, Runtime, Architectures[0]]' --output text
) || die 4 "get-function-configuration failed"

if [[ "$returned_sha" != "$manifest_sha" || "$final_sha" != "$manifest_sha" ]]; then
    die 4 "CodeSha256 mismatch: manifest $manifest_sha, Lambda returned $returned_sha (now $final_sha)"
fi

echo "Deployed $target_desc: ${action}d"
echo "  CodeSha256: $final_sha (matches the manifest)"
echo "  runtime:    $final_runtime, $final_arch; state $final_state, last update $final_update"
if [[ -n "$env_json" ]]; then echo "  environment: $(describe_env)"; else echo "  environment: unchanged"; fi
