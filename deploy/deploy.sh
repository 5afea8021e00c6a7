#!/usr/bin/env bash
# Update the code of an existing AudioUploadNotifier function from dist/bootstrap.zip + dist/manifest.json
# with the AWS CLI (v1 or v2). The template (deploy/template.yaml) creates the function and owns its
# configuration; this script changes nothing but the code. See deploy/README.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
    cat <<'EOF'
Usage: deploy/deploy.sh [options]

Updates the code of an existing function: checks the artifact (tools/artifact_check.py), checks that the
function's runtime and architecture fit it, runs update-function-code, waits until the update is done
and checks that Lambda's CodeSha256 equals the manifest's codeSha256. The function, its configuration
and its environment come from deploy/template.yaml (sam deploy; deploy/README.md section 2a).

  --manifest PATH        packaging manifest (default: dist/manifest.json)
  --zip PATH             the zip (default: the manifest's "zip", looked up next to the manifest first)
  --function-name NAME   default: $NOTIFIER_FUNCTION_NAME or VoiceByAuribus-AudioUploadNotifier
  --region REGION        default: the AWS CLI's (AWS_REGION / AWS_DEFAULT_REGION / profile)
  --endpoint-url URL     default: $AWS_ENDPOINT_URL (e.g. a local emulator)
  --profile NAME         AWS CLI profile
  --dry-run              check the artifact and the function, print the plan; change nothing
  -h, --help             this text

Exit status: 0 updated (or planned), 2 usage, 3 artifact refused or not fitting the function,
4 AWS call failed or CodeSha256 mismatch, 5 no such function (create it with the template).
EOF
}

die() { local code="$1"; shift; printf 'deploy: %s\n' "$*" >&2; exit "$code"; }
note() { printf 'deploy: %s\n' "$*" >&2; }

manifest="$REPO_ROOT/dist/manifest.json"
zip_args=()
function_name="${NOTIFIER_FUNCTION_NAME:-VoiceByAuribus-AudioUploadNotifier}"
aws_global=(--cli-connect-timeout 15 --cli-read-timeout 120)
dry_run=false

need_value() { [[ $# -ge 2 && -n "$2" ]] || die 2 "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --manifest) need_value "$@"; manifest="$2"; shift 2 ;;
        --zip) need_value "$@"; zip_args=(--zip "$2"); shift 2 ;;
        --function-name) need_value "$@"; function_name="$2"; shift 2 ;;
        --region|--endpoint-url|--profile) need_value "$@"; aws_global+=("$1" "$2"); shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die 2 "unknown option: $1" ;;
    esac
done
[[ "$function_name" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die 2 "--function-name must be 1-64 letters, digits, - or _"
command -v python3 >/dev/null 2>&1 || die 2 "python3 is needed to check the artifact"
command -v aws >/dev/null 2>&1 || die 2 "the AWS CLI (aws) is not on PATH"

# ---------------------------------------------------------------- the artifact
# "name value" lines; the tool prints the reasons and exits 3 when it refuses the artifact.
checked="$(python3 "$REPO_ROOT/tools/artifact_check.py" --manifest "$manifest" ${zip_args[@]+"${zip_args[@]}"})" ||
    exit $?
while read -r name value; do
    case "$name" in
        zip) zip_path="$value" ;;
        codeSha256) manifest_sha="$value" ;;
        zipBytes) zip_bytes="$value" ;;
        architecture) architecture="$value" ;;
        compatibleRuntimes) compatible_runtimes="$value" ;;
    esac
done <<<"$checked"

# ---------------------------------------------------------------- the function
export AWS_PAGER=""
aws_cli() { aws "${aws_global[@]}" "$@"; }

if ! current="$(aws_cli lambda get-function-configuration --function-name "$function_name" \
        --query '[Runtime, Architectures[0], CodeSha256]' --output text 2>&1)"; then
    if [[ "$current" == *ResourceNotFoundException* ]]; then
        die 5 "there is no function $function_name: this script only updates code. Create the function" \
            "with the template: sam deploy --guided --template-file deploy/template.yaml (deploy/README.md, section 2a)"
    fi
    die 4 "cannot read the function $function_name: ${current//$'\n'/ }"
fi
read -r function_runtime function_architecture function_sha <<<"$current"

# The template owns the runtime and the architecture: a code update must fit them, not change them.
[[ " $compatible_runtimes " == *" $function_runtime "* ]] ||
    die 3 "$function_name runs on $function_runtime, but the artifact is known to start only on" \
        "$compatible_runtimes: rebuild it with make package (checks both runtimes), or change the stack's Runtime parameter"
[[ "$function_architecture" == "$architecture" ]] ||
    die 3 "$function_name is $function_architecture, but the artifact was built for $architecture:" \
        "build on a $function_architecture machine, or change the stack's Architecture parameter"
if [[ "$function_runtime" == provided.al2 ]]; then
    note "note: AWS deprecated provided.al2 on 2026-06-30 and schedules blocking updates from 2026-08-31;"
    note "      move the function to provided.al2023 with the stack's Runtime parameter (same zip)."
fi

if $dry_run; then
    echo "Plan (dry run, nothing changed) for function $function_name:"
    echo "  artifact:  $zip_path ($zip_bytes bytes, sha256 $manifest_sha)"
    echo "  function:  $function_runtime, $function_architecture, code sha256 $function_sha"
    echo "  action:    update-function-code only (configuration and environment stay the template's)"
    exit 0
fi

# ---------------------------------------------------------------- the update
note "updating the code of $function_name ($function_runtime, $architecture)"
returned_sha="$(aws_cli lambda update-function-code --function-name "$function_name" \
    --zip-file "fileb://$zip_path" --architectures "$architecture" \
    --query CodeSha256 --output text)" || die 4 "update-function-code failed"

# The *-v2 waiter polls GetFunction; CLIs without it have only the older one.
if ! err="$(aws_cli lambda wait function-updated-v2 --function-name "$function_name" 2>&1)"; then
    if [[ "$err" != *"nvalid choice"* ]] || ! aws_cli lambda wait function-updated --function-name "$function_name"; then
        printf '%s\n' "$err" >&2
        die 4 "the update did not finish; see: aws lambda get-function --function-name $function_name"
    fi
fi

final_sha="$(aws_cli lambda get-function-configuration --function-name "$function_name" \
    --query CodeSha256 --output text)" || die 4 "get-function-configuration failed"
[[ "$returned_sha" == "$manifest_sha" && "$final_sha" == "$manifest_sha" ]] ||
    die 4 "CodeSha256 mismatch: manifest $manifest_sha, Lambda returned $returned_sha (now $final_sha)"

echo "Updated the code of function $function_name"
echo "  CodeSha256: $final_sha (matches the manifest)"
echo "  runtime:    $function_runtime, $architecture"
