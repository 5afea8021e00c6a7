"""The shipped artifact as Lambda runs it: `dist/bootstrap.zip` extracted into an otherwise empty root laid
out like provided.al2023, and separately like provided.al2, started by the real RIE inside that root, and
delivering over HTTPS to a loopback receiver whose certificate comes from a test CA.

Needs root (unshare, mknod): skipped with the reason otherwise. CI runs as root.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

import rie_harness as h
from lambda_root import BOOTSTRAP_IN_ROOT, RUNTIMES, LambdaRoot
from rie_harness import s3_event, s3_record
from rie_suite import notifier_env
from test_pki import CertificateAuthority

ZIP = Path(os.environ.get("PACKAGE_ZIP", h.REPO / "dist" / "bootstrap.zip"))

pytestmark = pytest.mark.skipif(LambdaRoot.unavailable() is not None, reason=LambdaRoot.unavailable() or "")


@pytest.fixture(scope="module")
def trusted_ca() -> CertificateAuthority:
    return CertificateAuthority.create("AudioUploadNotifier test root CA")


@pytest.fixture(scope="module")
def stranger_ca() -> CertificateAuthority:
    return CertificateAuthority.create("A CA nobody trusts")


@pytest.fixture
def make_root(tmp_path, rie_binary):
    if not ZIP.is_file():
        pytest.fail(f"{ZIP} is missing: run `make package` first (make test does)")
    made = []

    def make(runtime: str, trusted=(), system_bundle: bool = True) -> LambdaRoot:
        root = LambdaRoot(tmp_path / f"root-{len(made)}", runtime, ZIP, rie_binary, trusted, system_bundle)
        made.append(root)
        return root.build()
    return make


@pytest.fixture
def run_in_root(start_rie):
    """Factory: run_in_root(root, env) -> an RIE running /var/task/bootstrap inside `root`."""
    return lambda root, env: start_rie(BOOTSTRAP_IN_ROOT, env, root=root)


def upload(key: str = "audio-files/u-root/temp/over-https.wav") -> dict:
    return s3_event(s3_record(key))


def test_the_zip_holds_a_static_executable():
    """No PT_INTERP and no DT_NEEDED: nothing is loaded from the image."""
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(ZIP) as archive:
        binary = Path(archive.extract("bootstrap", folder))
        program_headers = subprocess.run(["readelf", "-lW", str(binary)], capture_output=True, text=True, check=True).stdout
        dynamic = subprocess.run(["readelf", "-dW", str(binary)], capture_output=True, text=True, check=True).stdout
    assert "INTERP" not in program_headers, program_headers
    assert "NEEDED" not in dynamic, dynamic


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_it_runs_in_the_empty_root_and_names_what_it_carries(runtime, make_root):
    """Nothing of this machine is in the root; `--version` names the libraries linked in."""
    root = make_root(runtime)
    result = subprocess.run(root.wrap([BOOTSTRAP_IN_ROOT, "--version"]), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result
    assert result.stdout.startswith("AudioUploadNotifier "), result.stdout
    linked = result.stdout.splitlines()[1]
    for component in ("libcurl/7.", "OpenSSL/3.", "c-ares/", "glibc 2."):
        assert component in linked, linked
    for left_out in ("nghttp2", "libssh2", "OpenLDAP", "zlib", "libidn2"):  # configured out of libcurl
        assert left_out not in linked, linked


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_delivers_over_https_trusting_the_images_bundle(runtime, trusted_ca, make_root, https_receiver, run_in_root):
    """The test CA sits last in the image's ~140-certificate bundle; the signature is checked by the
    independent standardwebhooks library."""
    root = make_root(runtime, trusted=[trusted_ca.pem])
    receiver = https_receiver(trusted_ca.issue("localhost"))
    rie = run_in_root(root, notifier_env(receiver.url))
    result = rie.invoke(upload())
    assert result.status == 200, (result, rie.log_tail())
    assert result.json()["delivered"] == 1, result
    [webhook] = receiver.wait_for(1)
    assert webhook.api_key_ok and webhook.signature_ok, webhook.verified
    assert webhook.json["data"]["key"] == "audio-files/u-root/temp/over-https.wav"
    # A second upload rides the same TLS connection: no new handshake to fail or pay for.
    second = rie.invoke(upload("audio-files/u-root/temp/second.wav"))
    assert second.json()["delivered"] == 1, second
    assert "INIT REPORT" in rie.log_text()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_certificate_from_an_untrusted_ca_is_refused(runtime, trusted_ca, stranger_ca, make_root,
                                                        https_receiver, run_in_root):
    root = make_root(runtime, trusted=[trusted_ca.pem])
    receiver = https_receiver(stranger_ca.issue("localhost"))
    rie = run_in_root(root, notifier_env(receiver.url, WEBHOOK_MAX_ATTEMPTS="2"))
    result = rie.invoke(upload())
    assert result.json().get("errorType") == "WebhookDeliveryFailed", result
    assert "certificate" in result.text.lower(), result
    assert receiver.requests == [], "a request reached a receiver the function must not trust"
    assert receiver.tls_failures >= 1


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_host_name_mismatch_is_refused(runtime, trusted_ca, make_root, https_receiver, run_in_root):
    root = make_root(runtime, trusted=[trusted_ca.pem])
    receiver = https_receiver(trusted_ca.issue("backend.example.com"))
    rie = run_in_root(root, notifier_env(receiver.url, WEBHOOK_MAX_ATTEMPTS="2"))
    result = rie.invoke(upload())
    assert result.json().get("errorType") == "WebhookDeliveryFailed", result
    assert "localhost" in result.text, result
    assert receiver.requests == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_ssl_cert_file_names_a_private_ca_in_var_task(runtime, trusted_ca, make_root, https_receiver, run_in_root):
    """The image's bundle does not know the private CA; SSL_CERT_FILE points at the one the zip carries."""
    root = make_root(runtime)
    private_ca = root.add_task_file("private-ca.pem", trusted_ca.pem)
    receiver = https_receiver(trusted_ca.issue("localhost"))
    rie = run_in_root(root, notifier_env(receiver.url, SSL_CERT_FILE=private_ca))
    result = rie.invoke(upload())
    assert result.status == 200 and result.json()["delivered"] == 1, (result, rie.log_tail())
    [webhook] = receiver.wait_for(1)
    assert webhook.signature_ok


def test_without_any_ca_store_https_is_an_init_error_naming_the_paths(trusted_ca, make_root, run_in_root):
    root = make_root("provided.al2023", system_bundle=False)
    rie = run_in_root(root, notifier_env("https://localhost:9"))
    result = rie.invoke(upload())
    log = rie.log_text()
    assert "ConfigurationError" in result.text or "ConfigurationError" in log, (result, rie.log_tail())
    for path in ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt", "SSL_CERT_FILE"):
        assert path in log, f"{path} is not named in:\n{rie.log_tail()}"
