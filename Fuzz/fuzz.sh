#!/usr/bin/env bash
# Runs the libFuzzer targets built by Makefile.fuzz and prints one summary per target.
#
#   Fuzz/fuzz.sh run [target…]        fuzz each target for $FUZZ_SECONDS; exit 1 if any crashed
#   Fuzz/fuzz.sh minimize [target…]   merge the working corpus into Fuzz/corpus/<target>, minimized
#
# Inputs, per target: the working corpus .build/fuzz/corpus/<target> (new inputs go there, first
# directory), then the committed Fuzz/corpus/<target>, Fuzz/seeds/<target> and Fuzz/crashes/<target>
# (fixed crashes: regression inputs), all read-only. Crash artifacts go to .build/fuzz/artifacts/<target>/,
# the full libFuzzer log to .build/fuzz/logs/<target>.log.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
FUZZ_DIR=${FUZZ_DIR:-.build/fuzz}
FUZZ_BIN=${FUZZ_BIN:-$FUZZ_DIR/build/release}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# A fixed seed and a fixed number of inputs make a run the same run on every fresh checkout (the
# smoke in `make test`); unset, libFuzzer picks a seed and runs until FUZZ_SECONDS.
FUZZ_SEED=${FUZZ_SEED:-}
FUZZ_RUNS=${FUZZ_RUNS:-}
# With a seed, Swift's hashing is seeded too (Set and Dictionary order feed coverage).
[ -n "$FUZZ_SEED" ] && export SWIFT_DETERMINISTIC_HASHING=1
# Where new inputs go (per target); the smoke uses a fresh one, so the working corpus of earlier
# `make fuzz` runs does not change what it tries.
FUZZ_WORK=${FUZZ_WORK:-$FUZZ_DIR/corpus}
# Beyond -max_total_time: loading the corpus, merging, the final report. Then `timeout` kills it.
FUZZ_GRACE=${FUZZ_GRACE:-120}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_INPUT_TIMEOUT=${FUZZ_INPUT_TIMEOUT:-10}
ALL_TARGETS="FuzzS3Event FuzzS3Route FuzzObjectKey FuzzInvocation FuzzWebhook FuzzRetryAfter FuzzELF FuzzLogLine"

# The longest input worth trying, and the dictionary, per target.
max_len() {
    case $1 in
        FuzzS3Event) echo 16384 ;;   # events are 0.5–3 KB; every input also goes through JSONSerialization
        FuzzS3Route) echo 16384 ;;   # SQS batches of a few messages, each body an escaped notification
        FuzzObjectKey) echo 1024 ;;  # S3 keys are at most 1024 bytes
        FuzzInvocation) echo 4096 ;;
        FuzzWebhook) echo 2048 ;;
        FuzzRetryAfter) echo 256 ;;
        FuzzELF) echo 16384 ;;       # the seeds are real binaries of 0.1–5 KB
        FuzzLogLine) echo 2048 ;;
        *) echo 4096 ;;
    esac
}
dictionary() {
    case $1 in
        FuzzS3Event) echo Fuzz/dictionaries/json.dict ;;
        FuzzS3Route) echo Fuzz/dictionaries/json.dict ;;
        FuzzObjectKey) echo Fuzz/dictionaries/object-key.dict ;;
        FuzzInvocation) echo Fuzz/dictionaries/http-headers.dict ;;
        FuzzWebhook) echo Fuzz/dictionaries/webhook.dict ;;
        FuzzRetryAfter) echo Fuzz/dictionaries/http-date.dict ;;
        FuzzLogLine) echo Fuzz/dictionaries/log-line.dict ;;
    esac
}

# The Swift runtime's backtracer would race libFuzzer's own crash report (and outlive it).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}

mode=${1:-run}
shift || true
targets=${*:-$ALL_TARGETS}
mkdir -p "$FUZZ_DIR/logs"

common_flags() {
    local target=$1 flags
    flags="-max_len=$(max_len "$target") -timeout=$FUZZ_INPUT_TIMEOUT -rss_limit_mb=$FUZZ_RSS_MB"
    [ -n "$(dictionary "$target")" ] && flags="$flags -dict=$(dictionary "$target")"
    echo "$flags"
}

read_only_corpora() {
    local target=$1 dir
    for dir in Fuzz/corpus/$target Fuzz/seeds/$target Fuzz/crashes/$target; do
        [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && echo "$dir"
    done
}

run() {
    local failed=0 passed=0 crashed=0 target
    printf '%-15s %11s %6s %6s %12s  %s\n' target executions cov ft corpus result
    for target in $targets; do
        local binary=$FUZZ_BIN/$target log=$FUZZ_DIR/logs/$target.log
        local work=${FUZZ_WORK:-$FUZZ_DIR/corpus}/$target artifacts=$FUZZ_DIR/artifacts/$target
        if [ ! -x "$binary" ]; then
            echo "$target: no $binary (build first: make fuzz-build)"; failed=1; continue
        fi
        mkdir -p "$work" "$artifacts"
        # shellcheck disable=SC2046
        timeout --kill-after=10 $((FUZZ_SECONDS + FUZZ_GRACE)) "$binary" $(common_flags "$target") \
            -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -artifact_prefix="$artifacts/" \
            ${FUZZ_SEED:+-seed=$FUZZ_SEED} ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
            "$work" $(read_only_corpora "$target") >"$log" 2>&1
        local status=$?
        local executions cov ft corpus result
        executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        local last
        last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | grep ' cov: ' | tail -1)
        [ -z "$executions" ] && executions=$(echo "$last" | sed -E 's/^#([0-9]+).*/\1/')
        cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
        ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
        corpus=$(echo "$last" | sed -nE 's/.* corp: ([0-9]+)\/([0-9]+[a-zA-Z]*).*/\1\/\2/p')
        local artifact
        artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        if [ $status -eq 0 ]; then
            result=ok
        elif [ $status -eq 124 ] || [ $status -eq 137 ]; then
            result="HUNG: killed by timeout after $((FUZZ_SECONDS + FUZZ_GRACE)) s (log: $log)"
            failed=1
        else
            result="CRASH (exit $status): ${artifact:-no artifact} (log: $log)"
            failed=1
        fi
        printf '%-15s %11s %6s %6s %12s  %s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$result"
        if [ $status -eq 0 ]; then passed=$((passed + 1)); else crashed=$((crashed + 1)); fi
        if [ $status -ne 0 ]; then
            grep -m1 -E 'Fatal error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY:' "$log" | sed 's/^/                  /'
        fi
    done
    echo "fuzz: $passed passed, $crashed failed"
    return $failed
}

minimize() {
    local failed=0 target
    for target in $targets; do
        local binary=$FUZZ_BIN/$target committed=Fuzz/corpus/$target work=$FUZZ_DIR/corpus/$target
        local fresh=$FUZZ_DIR/minimized/$target log=$FUZZ_DIR/logs/$target.merge.log
        rm -rf "$fresh"
        mkdir -p "$fresh" "$committed" "$work"
        local sources=("$committed" "Fuzz/seeds/$target" "$work")
        # shellcheck disable=SC2046
        if ! timeout --kill-after=10 1800 "$binary" $(common_flags "$target") -merge=1 \
            -artifact_prefix="$FUZZ_DIR/artifacts/$target/" "$fresh" "${sources[@]}" >"$log" 2>&1; then
            echo "$target: merge failed (log: $log)"; failed=1; continue
        fi
        local before after
        before="$(find "$committed" -type f | wc -l) files, $(du -s --apparent-size --block-size=1024 "$committed" | cut -f1) KB"
        find "$committed" -type f -delete
        cp "$fresh"/* "$committed"/ 2>/dev/null
        after="$(find "$committed" -type f | wc -l) files, $(du -s --apparent-size --block-size=1024 "$committed" | cut -f1) KB"
        printf '%-15s %s -> %s  (%s)\n' "$target" "$before" "$after" "$(grep -m1 -o 'MERGE-OUTER: [0-9]* new files.*' "$log")"
    done
    return $failed
}

case $mode in
    run) run ;;
    minimize) minimize ;;
    *) echo "usage: $0 run|minimize [target…]" >&2; exit 2 ;;
esac
