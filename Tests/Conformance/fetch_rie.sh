#!/usr/bin/env bash
# Fetch the AWS Lambda Runtime Interface Emulator (RIE) from the aws-sam-cli wheel on PyPI.
# Only the one binary for this machine's architecture is extracted. Idempotent.
#   RIE_CACHE   cache directory (default: <repo>/.build/rie)
#   PYTHON      python interpreter with pip (default: python3)
# Prints the path of the executable on stdout.
set -euo pipefail

SAM_CLI_VERSION="1.170.0"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${RIE_CACHE:-$REPO/.build/rie}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
TARGET="$CACHE/aws-lambda-rie"

if [ -x "$TARGET" ]; then
    echo "$TARGET"
    exit 0
fi

# sha256 of each member of the aws-sam-cli 1.170.0 wheel, checked after extraction.
case "$(uname -m)" in
    x86_64|amd64) ARCH=x86_64; SHA256=6b1e686e62ab2baf5759c412c4864276ef2a88b094fca53ec070637ccba9b9a5 ;;
    aarch64|arm64) ARCH=arm64; SHA256=ec2e5d09633d853834c008b1ef264bf834b258a94d551d2b2074966494b39a21 ;;
    *) echo "fetch_rie.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
MEMBER="samcli/local/rapid/aws-lambda-rie-$ARCH"

WHEEL="$(ls "$CACHE"/aws_sam_cli-"$SAM_CLI_VERSION"-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$WHEEL" ]; then
    echo "fetch_rie.sh: downloading aws-sam-cli==$SAM_CLI_VERSION (wheel only, no dependencies)" >&2
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --dest "$CACHE" "aws-sam-cli==$SAM_CLI_VERSION" >&2
    WHEEL="$(ls "$CACHE"/aws_sam_cli-"$SAM_CLI_VERSION"-*.whl 2>/dev/null | head -n 1 || true)"
fi
if [ -z "$WHEEL" ]; then
    echo "fetch_rie.sh: no aws_sam_cli-$SAM_CLI_VERSION wheel in $CACHE after pip download" >&2
    exit 1
fi

# Extract with python's zipfile (always present where pip is), to a temp name, then rename atomically.
"$PYTHON" - "$WHEEL" "$MEMBER" "$TARGET.tmp" "$SHA256" <<'PY'
import hashlib, os, shutil, sys, zipfile
wheel, member, dest, expected = sys.argv[1:5]
with zipfile.ZipFile(wheel) as z:
    try:
        info = z.getinfo(member)
    except KeyError:
        sys.exit(f"fetch_rie.sh: {member} not found in {wheel}")
    with z.open(info) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
with open(dest, "rb") as f:
    got = hashlib.sha256(f.read()).hexdigest()
if got != expected:
    os.unlink(dest)
    sys.exit(f"fetch_rie.sh: sha256 of {member} is {got}, expected {expected}")
PY
chmod +x "$TARGET.tmp"
mv -f "$TARGET.tmp" "$TARGET"
echo "$TARGET"
