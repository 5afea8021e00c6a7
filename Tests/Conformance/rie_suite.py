"""Session-wide test values and assertions shared by conftest.py and the test modules."""

from __future__ import annotations

import secrets

import rie_harness as h

# Test credentials, fresh per session. They must never appear in any log (checked at every RIE teardown).
API_KEY = "test-api-key-" + secrets.token_hex(16)
SIGNING_SECRET = h.new_signing_secret()
SECRET_MATERIAL = (API_KEY, SIGNING_SECRET, SIGNING_SECRET.removeprefix("whsec_"))


def assert_no_secrets(text: str, extra: tuple = ()) -> None:
    for s in SECRET_MATERIAL + tuple(extra):
        if s and s in text:
            line = next((ln for ln in text.splitlines() if s in ln), "")
            raise AssertionError(f"a secret ({s[:6]}…) appears in the RIE/function log: {line[:300]!r}")


def notifier_env(base_url: str, **overrides) -> dict:
    """The bootstrap's environment per the contract; an override of None removes the variable."""
    env = {
        "API_BASE_URL": base_url,
        "WEBHOOK_API_KEY": API_KEY,
        "WEBHOOK_SIGNING_SECRET": SIGNING_SECRET,
        "WEBHOOK_MAX_ATTEMPTS": "3",
        "WEBHOOK_TIMEOUT_MS": "3000",
    }
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env
