"""HTTPS delivery by the bootstrap under test (the debug build by default) under the real RIE, on this
machine: the lazy CA bundle lookup against a full bundle, a private CA, and refusals. Needs no root; the
same cases in an empty Amazon Linux-like root, with the shipped zip, are in test_lambda_root.py."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from lambda_root import SYSTEM_BUNDLE
from rie_harness import s3_event, s3_record
from rie_suite import notifier_env
from test_pki import CertificateAuthority


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.create("AudioUploadNotifier HTTPS test CA")


@pytest.fixture
def bundle(tmp_path, ca):
    """The machine's ~140 CAs with the test CA last: the lookup must find it without decoding the rest."""
    path = tmp_path / "bundle.pem"
    path.write_bytes(SYSTEM_BUNDLE.read_bytes().rstrip(b"\n") + b"\n" + ca.pem)
    return path


def test_delivers_through_the_lazy_bundle_and_reuses_the_connection(ca, bundle, https_receiver, start_rie,
                                                                     bootstrap_binary):
    receiver = https_receiver(ca.issue("localhost"))
    rie = start_rie(bootstrap_binary, notifier_env(receiver.url, SSL_CERT_FILE=str(bundle)))
    for i in range(3):
        result = rie.invoke(s3_event(s3_record(f"audio-files/u-https/temp/{i}.wav")))
        assert result.status == 200 and result.json()["delivered"] == 1, (result, rie.log_tail())
    webhooks = receiver.wait_for(3)
    assert len(webhooks) == 3 and all(w.signature_ok and w.api_key_ok for w in webhooks)
    assert receiver.tls_failures == 0


def test_a_bundle_without_the_issuer_refuses_and_nothing_is_sent(ca, tmp_path, https_receiver, start_rie,
                                                                  bootstrap_binary):
    receiver = https_receiver(ca.issue("localhost"))
    rie = start_rie(bootstrap_binary, notifier_env(receiver.url, SSL_CERT_FILE=str(SYSTEM_BUNDLE),
                                                   WEBHOOK_MAX_ATTEMPTS="1"))
    result = rie.invoke(s3_event(s3_record("audio-files/u-https/temp/refused.wav")))
    assert result.json().get("errorType") == "WebhookDeliveryFailed", result
    assert "certificate" in result.text, result
    assert receiver.requests == []


def test_an_unreadable_ssl_cert_file_is_an_init_error(start_rie, bootstrap_binary, tmp_path):
    missing = tmp_path / "no-such-ca.pem"
    rie = start_rie(bootstrap_binary, notifier_env("https://localhost:9", SSL_CERT_FILE=str(missing)))
    result = rie.invoke(s3_event(s3_record("audio-files/u-https/temp/never.wav")))
    assert result.status != 200 or "errorType" in result.text, result
    assert f"SSL_CERT_FILE names {missing}" in rie.log_text(), rie.log_tail()


def test_two_cas_with_one_name_the_right_key_is_found(tmp_path, https_receiver, start_rie, bootstrap_binary):
    """Re-keyed and cross-signed roots share a subject: every certificate with the issuer's name must be
    offered to chain building, not only the first one in the bundle."""
    old = CertificateAuthority.create("AudioUploadNotifier re-keyed CA")
    new = CertificateAuthority.create("AudioUploadNotifier re-keyed CA")
    bundle = tmp_path / "rekeyed.pem"
    bundle.write_bytes(old.pem + SYSTEM_BUNDLE.read_bytes() + new.pem)
    receiver = https_receiver(new.issue("localhost"))
    rie = start_rie(bootstrap_binary, notifier_env(receiver.url, SSL_CERT_FILE=str(bundle)))
    result = rie.invoke(s3_event(s3_record("audio-files/u-https/temp/rekeyed.wav")))
    assert result.status == 200 and result.json()["delivered"] == 1, (result, rie.log_tail())


def test_an_issuer_name_encoded_differently_still_matches(tmp_path, https_receiver, start_rie, bootstrap_binary):
    """OpenSSL compares names in canonical form (string type and case folded): the CA's subject is a
    PrintableString, the leaf's issuer a UTF8String in other case. The lookup's byte comparison misses,
    its canonical fallback must not."""
    printable = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Canonical Test CA", _type=x509.name._ASN1Type.PrintableString)])
    utf8_lower = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "canonical test ca", _type=x509.name._ASN1Type.UTF8String)])
    ca = CertificateAuthority.create("Canonical Test CA", subject=printable)
    bundle = tmp_path / "canonical.pem"
    bundle.write_bytes(SYSTEM_BUNDLE.read_bytes() + ca.pem)
    receiver = https_receiver(ca.issue("localhost", issuer=utf8_lower))
    rie = start_rie(bootstrap_binary, notifier_env(receiver.url, SSL_CERT_FILE=str(bundle)))
    result = rie.invoke(s3_event(s3_record("audio-files/u-https/temp/canonical.wav")))
    assert result.status == 200 and result.json()["delivered"] == 1, (result, rie.log_tail())
