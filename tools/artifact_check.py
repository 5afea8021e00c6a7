#!/usr/bin/env python3
"""Checks dist/bootstrap.zip against dist/manifest.json before it is uploaded to Lambda.

    python3 tools/artifact_check.py [--manifest dist/manifest.json] [--zip PATH]

Refuses (exit 3, the reasons on stderr) a manifest that marks the zip incompatible, names an unknown
runtime or architecture, or has no codeSha256; a zip whose SHA-256 differs from the manifest's (it
changed after packaging); and a zip above Lambda's 50 MB limit for direct uploads. Otherwise prints
what deploy/deploy.sh needs, one "name value" line each:

    zip /abs/path/dist/bootstrap.zip
    codeSha256 <base64 SHA-256, as Lambda reports CodeSha256>
    zipBytes 4935539
    architecture x86_64
    compatibleRuntimes provided.al2 provided.al2023

The zip is the manifest's "zip" looked up next to the manifest first, then from the repository root.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIMES = ("provided.al2", "provided.al2023")
ARCHITECTURES = ("x86_64", "arm64")
# Lambda's limit for a zip passed with --zip-file (update-function-code); larger ones go through S3.
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
REFUSED = 3


class Refused(Exception):
    """The artifact must not be deployed; the message says why and what to do."""


@dataclass(frozen=True)
class Artifact:
    zip: Path
    code_sha256: str
    zip_bytes: int
    architecture: str
    compatible_runtimes: tuple[str, ...]

    def lines(self) -> str:
        return "\n".join([
            f"zip {self.zip}",
            f"codeSha256 {self.code_sha256}",
            f"zipBytes {self.zip_bytes}",
            f"architecture {self.architecture}",
            f"compatibleRuntimes {' '.join(self.compatible_runtimes)}",
        ])


def read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise Refused(f"no manifest at {path}: build the artifact first (make package, see deploy/README.md)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise Refused(f"cannot read the manifest {path}: {e}") from e
    if not isinstance(manifest, dict):
        raise Refused(f"{path} is not a JSON object")
    return manifest


def compatible_runtimes(manifest: dict) -> tuple[str, ...]:
    """The runtimes the packager checked the binary against. Manifests before the static artifact name
    only "runtime", which counts when the manifest says compatible."""
    if manifest.get("compatible") is not True:
        problems = "".join(f"\n  - {p}" for p in manifest.get("problems") or [])
        raise Refused(
            f"REFUSED: the manifest says the zip is not compatible with {manifest.get('runtime')}:{problems}\n"
            "The binary needs a newer glibc or libraries that the runtime image does not have.\n"
            "Build the fully static artifact, which starts on provided.al2023 and provided.al2 alike:\n"
            "  make package\n"
            'then run this again. See deploy/README.md, "Building the zip".')
    listed = manifest.get("compatibleRuntimes")
    runtimes = tuple(listed) if isinstance(listed, list) else (manifest.get("runtime"),)
    unknown = [r for r in runtimes if r not in RUNTIMES]
    if unknown or not runtimes:
        raise Refused(f"the manifest's runtimes {list(runtimes)} are not among {', '.join(RUNTIMES)}")
    return runtimes


def locate_zip(manifest_path: Path, manifest: dict, override: Path | None) -> Path:
    if override is not None:
        return override
    named = manifest.get("zip")
    if not named:
        raise Refused("the manifest has no zip path; pass --zip")
    named = Path(named)
    if named.is_absolute():
        return named
    beside = manifest_path.parent / named.name
    return beside if beside.is_file() else REPO / named


def sha256_base64(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def check(manifest: dict, zip_path: Path, zip_sha256: str, zip_bytes: int) -> Artifact:
    """Pure: the manifest's promises against what the zip is."""
    runtimes = compatible_runtimes(manifest)
    architecture = manifest.get("architecture")
    if architecture not in ARCHITECTURES:
        raise Refused(f"the manifest's architecture {architecture!r} is not x86_64 or arm64")
    expected = manifest.get("codeSha256")
    if not expected:
        raise Refused("the manifest has no codeSha256")
    if zip_sha256 != expected:
        raise Refused(f"{zip_path} has sha256 {zip_sha256} but the manifest says {expected}: "
                      "the zip changed after packaging, package again")
    if zip_bytes > DIRECT_UPLOAD_LIMIT:
        raise Refused(f"{zip_path} is {zip_bytes} bytes; direct uploads are limited to 50 MB")
    return Artifact(zip_path, expected, zip_bytes, architecture, runtimes)


def inspect(manifest_path: Path, zip_override: Path | None = None) -> Artifact:
    manifest = read_manifest(manifest_path)
    zip_path = locate_zip(manifest_path, manifest, zip_override).resolve()
    if not zip_path.is_file():
        raise Refused(f"zip not found: {zip_path}")
    return check(manifest, zip_path, sha256_base64(zip_path), zip_path.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO / "dist" / "manifest.json")
    parser.add_argument("--zip", type=Path, help="the zip (default: the manifest's)")
    args = parser.parse_args(argv)
    try:
        print(inspect(args.manifest, args.zip).lines())
    except Refused as e:
        print(f"deploy: {e}", file=sys.stderr)
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
