"""The no-op internal extension that makes Lambda send SIGTERM at shutdown, as the real RIE sees it.

Lambda sends SIGTERM to the runtime only when an extension is registered; the runtime registers one
that subscribes to no event and parks a thread in its `event/next`. The RIE (Lambda's own "rapid")
must accept the registration and still finish init, since init ends only once every registered
extension has asked for its next event.
"""

from __future__ import annotations

AGENT_LINE = "Internal agent AudioUploadNotifier-SIGTERM"


def test_the_runtime_registers_its_extension_and_init_still_completes(start_rie, echo_binary):
    # On by default with AWS_LAMBDA_MAX_CONCURRENCY > 1; the RIE hands out one invocation at a time, so
    # the setting asks for it here.
    rie = start_rie(echo_binary, env={"RUNTIME_SIGTERM_EXTENSION": "true"})
    for n in range(3):  # the parked event/next disturbs neither init nor the invocations after it
        r = rie.invoke({"n": n})
        assert r.status == 200, r
        assert r.json()["event"] == {"n": n}
    log = rie.log_text()
    registered = [line for line in log.splitlines() if AGENT_LINE in line]
    assert len(registered) == 1, rie.log_tail()
    assert registered[0].endswith("registered, subscribed to []"), registered[0]
    assert rie.init_starts() == 1
    assert "could not register the SIGTERM extension" not in log


def test_the_notifier_registers_it_too(start_rie, bootstrap_binary):
    rie = start_rie(bootstrap_binary, env={"API_BASE_URL": "http://127.0.0.1:9", "WEBHOOK_API_KEY": "sk_conformance_key_1",
                                            "FETCH_OBJECT_METADATA": "false", "RUNTIME_SIGTERM_EXTENSION": "true"})
    r = rie.invoke({"Records": []})
    assert r.status == 200, r
    assert sum(AGENT_LINE in line for line in rie.log_text().splitlines()) == 1, rie.log_tail()


def test_one_invocation_at_a_time_registers_none_unless_asked(start_rie, echo_binary):
    rie = start_rie(echo_binary)
    r = rie.invoke({"n": 1})
    assert r.status == 200, r
    assert AGENT_LINE not in rie.log_text()
