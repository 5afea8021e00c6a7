"""The packaged artifact: `make package`'s dist/bootstrap.zip, extracted as Lambda would, runs under the RIE."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

import rie_harness as h
from rie_harness import s3_event, s3_record
from rie_suite import notifier_env

ZIP = Path(os.environ.get("PACKAGE_ZIP", h.REPO / "dist" / "bootstrap.zip"))


@pytest.fixture(scope="module")
def packaged_bootstrap(tmp_path_factory) -> Path:
    if not ZIP.is_file():
        pytest.fail(f"{ZIP} is missing: run `make package` first (make test does)")
    with zipfile.ZipFile(ZIP) as archive:
        entries = archive.infolist()
        assert [e.filename for e in entries] == ["bootstrap"], [e.filename for e in entries]
        entry = entries[0]
        assert entry.create_system == 3, "made-by must be Unix so Lambda honours the mode"
        assert stat.S_IMODE(entry.external_attr >> 16) == 0o755, oct(entry.external_attr >> 16)
        assert stat.S_ISREG(entry.external_attr >> 16)
        target = tmp_path_factory.mktemp("lambda-task") / "bootstrap"
        target.write_bytes(archive.read(entry))
    target.chmod(stat.S_IMODE(entries[0].external_attr >> 16))
    manifest = json.loads((ZIP.parent / "manifest.json").read_text())
    assert manifest["zipBytes"] == ZIP.stat().st_size
    assert manifest["binaryBytes"] == target.stat().st_size
    return target


def test_packaged_bootstrap_serves_uploads_under_the_rie(packaged_bootstrap, start_rie, receiver):
    rie = start_rie(packaged_bootstrap, notifier_env(receiver.url))
    key = "audio-files/u-pkg/temp/from-the-zip.wav"
    result = rie.invoke(s3_event(s3_record(key)))
    assert result.status == 200, result
    assert result.json()["delivered"] == 1, result
    [webhook] = receiver.wait_for(1)
    assert webhook.api_key_ok and webhook.signature_ok
    assert webhook.json["data"]["key"] == key
    assert rie.init_report_durations(), rie.log_tail()


def test_packaged_bootstrap_links_static_runtimes_and_reads_its_arguments(packaged_bootstrap):
    """The release link: Swift and C++ runtimes static, and argv from CheapCommandLine (the
    runtime's /proc/self/maps scan left out) still reaching CommandLine.arguments."""
    import subprocess

    needed = subprocess.run(["readelf", "-d", str(packaged_bootstrap)], capture_output=True, text=True, check=True).stdout
    for library in ("libstdc++", "libgcc_s", "libswiftCore", "libFoundation"):
        assert library not in needed, f"{library} is linked dynamically:\n{needed}"
    version = subprocess.run([str(packaged_bootstrap), "--version"], capture_output=True, text=True, timeout=10)
    assert version.returncode == 0, version
    assert version.stdout.startswith("AudioUploadNotifier 1.0.0"), version.stdout


def test_packaged_bootstrap_links_no_module_it_does_not_use(packaged_bootstrap):
    """What a stray call pulls into the static binary unseen: String's substring search links the regex
    engine (_RegexParser, _StringProcessing: +1.3 MB, a 5.5 MB zip); a JSONDecoder, Foundation. Their
    module names stay in the stripped binary's type metadata, so their absence is checkable here."""
    binary = packaged_bootstrap.read_bytes()
    for module in (b"_RegexParser", b"_StringProcessing", b"FoundationEssentials", b"NIOCore", b"ZIPFoundation"):
        assert module not in binary, f"bootstrap links {module.decode()}"
    assert len(binary) > 1_000_000  # the check reads the real executable, not a stub
