"""tools/artifact_check.py: the manifest and zip checks deploy/deploy.sh runs before any AWS call."""

import subprocess
import sys
from pathlib import Path

import pytest

from deploy_harness import REPO, make_artifact, zip_sha

sys.path.insert(0, str(REPO / "tools"))
import artifact_check  # noqa: E402
from artifact_check import DIRECT_UPLOAD_LIMIT, Refused, check  # noqa: E402

STATIC = {"compatible": True, "runtime": "provided.al2023", "architecture": "x86_64", "codeSha256": "abc=",
          "compatibleRuntimes": ["provided.al2", "provided.al2023"], "problems": []}
ZIP = Path("/dist/bootstrap.zip")


def test_a_static_artifact_passes_with_both_runtimes():
    artifact = check(STATIC, ZIP, "abc=", 1000)
    assert artifact.compatible_runtimes == ("provided.al2", "provided.al2023")
    assert (artifact.architecture, artifact.code_sha256, artifact.zip_bytes) == ("x86_64", "abc=", 1000)


def test_an_older_manifest_counts_its_one_runtime():
    older = {k: v for k, v in STATIC.items() if k != "compatibleRuntimes"}
    assert check(older, ZIP, "abc=", 1000).compatible_runtimes == ("provided.al2023",)


@pytest.mark.parametrize("change, size, message", [
    ({"compatible": False, "problems": ["needs GLIBC_2.34"]}, 1000, "REFUSED"),
    ({"compatibleRuntimes": ["provided.al2", "nodejs20.x"]}, 1000, "not among"),
    ({"architecture": "mips"}, 1000, "is not x86_64 or arm64"),
    ({"codeSha256": ""}, 1000, "no codeSha256"),
    ({"codeSha256": "other="}, 1000, "changed after packaging"),
    ({}, DIRECT_UPLOAD_LIMIT + 1, "limited to 50 MB"),
], ids=["incompatible", "unknown-runtime", "architecture", "no-sha", "altered", "too-big"])
def test_refusals(change, size, message):
    with pytest.raises(Refused, match=message):
        check({**STATIC, **change}, ZIP, "abc=", size)


def test_the_refusal_lists_the_packagers_problems():
    with pytest.raises(Refused) as refused:
        check({**STATIC, "compatible": False, "problems": ["needs GLIBC_2.34", "needs libcurl.so.4"]},
              ZIP, "abc=", 1000)
    assert "  - needs GLIBC_2.34\n  - needs libcurl.so.4\n" in str(refused.value)
    assert "make package" in str(refused.value)


def test_the_zip_is_found_beside_the_manifest_and_printed_for_the_script(tmp_path):
    manifest = make_artifact(tmp_path / "elsewhere", b"echo x\n", compatible_runtimes=["provided.al2023"])
    result = subprocess.run([sys.executable, artifact_check.__file__, "--manifest", str(manifest)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"zip {manifest.parent / 'bootstrap.zip'}",
        f"codeSha256 {zip_sha(manifest)}",
        f"zipBytes {(manifest.parent / 'bootstrap.zip').stat().st_size}",
        "architecture x86_64",
        "compatibleRuntimes provided.al2023",
    ]

