"""Fixtures for the conformance suite under the real AWS Lambda Runtime Interface Emulator.

Binaries: BOOTSTRAP / ECHO_LAMBDA (default .build/debug/…); the emulator: RIE (default .build/rie/aws-lambda-rie,
fetched by fetch_rie.sh). A missing one fails the tests that need it with a message saying how to get it:
nothing is skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rie_harness as h  # noqa: E402

from rie_suite import API_KEY, SIGNING_SECRET, assert_no_secrets, notifier_env  # noqa: E402


def _require(fn):
    try:
        return fn()
    except h.MissingArtifact as e:
        message = str(e)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def rie_binary() -> Path:
    return _require(h.require_rie)


@pytest.fixture(scope="session")
def echo_binary() -> Path:
    return _require(h.require_echo_lambda)


@pytest.fixture(scope="session")
def bootstrap_binary() -> Path:
    return _require(h.require_bootstrap)


@pytest.fixture
def start_rie(request, tmp_path, rie_binary):
    """Factory: start_rie(binary, env) -> running RIEProcess; stopped (and its log checked for secrets) at
    teardown. The logs of a failed test are attached to its report."""
    started: list[h.RIEProcess] = []
    request.node._rie_processes = started

    def start(binary, env=None, extra_secrets: tuple = (), root=None):
        """`root`: a lambda_root.LambdaRoot to run in; `binary` is then a path inside it."""
        log = tmp_path / f"rie-{len(started)}.log"
        rie = h.RIEProcess(binary, env=env, log_path=log, rie=rie_binary, root=root)
        rie.extra_secrets = extra_secrets
        started.append(rie)
        return rie.start()

    yield start
    for rie in started:
        rie.stop()
    for rie in started:
        assert_no_secrets(rie.log_text(), getattr(rie, "extra_secrets", ()))


@pytest.fixture
def receiver():
    """A verifying webhook receiver with the session's API key and signing secret."""
    receiver = _require(lambda: h.WebhookReceiver(API_KEY, SIGNING_SECRET))
    with receiver as r:
        yield r


@pytest.fixture
def https_receiver():
    """Factory: https_receiver(server_certificate) -> a verifying receiver at https://localhost:PORT."""
    receivers = []

    def start(certificate) -> h.WebhookReceiver:
        receiver = h.WebhookReceiver(API_KEY, SIGNING_SECRET, tls=certificate.server_context()).start()
        receivers.append(receiver)
        return receiver
    yield start
    for receiver in receivers:
        receiver.stop()


@pytest.fixture
def notifier(start_rie, bootstrap_binary, receiver):
    """Factory: notifier(**env_overrides) -> RIE running the bootstrap, delivering to `receiver`."""
    def start(**overrides):
        return start_rie(bootstrap_binary, notifier_env(receiver.url, **overrides))
    return start


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for i, rie in enumerate(getattr(item, "_rie_processes", [])):
            report.sections.append((f"RIE log {i} ({Path(rie.binary).name}, tail)", rie.log_tail(80)))

