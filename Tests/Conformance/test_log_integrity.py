"""Log lines nobody can forge: object keys (chosen by whoever holds a pre-signed URL) and the backend's
header values reach the function's log. In the Text format one log call must stay one line, with the
control bytes shown escaped; in the JSON format every line must stay one JSON object. Checked with the
bootstrap under test, under the real RIE, in both formats."""

from __future__ import annotations

import json
import re

import pytest

from rie_harness import Reply, s3_event, s3_record

# As S3 sends them: URL-encoded. Decoded, each carries a line break or a terminal escape.
HOSTILE_KEYS = [
    "audio-files/u1/temp/x%0AFORGED-LINE+level%3DERROR.mp3",
    "audio-files/u1/temp/y%0D%0AFORGED-LINE+level%3DERROR.mp3",
    "audio-files/u1/temp/z%1B%5B31mFORGED-LINE.mp3",
]
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t")
RIE_LINE = re.compile(r"^(\d\d [A-Z][a-z]{2} \d{4} |START |END |REPORT |INIT_|EXTENSION|TELEMETRY)")


def function_lines(log: str) -> list[str]:
    """The function's lines: everything the RIE did not write itself."""
    return [line for line in log.split("\n") if line and not RIE_LINE.match(line)]


@pytest.mark.parametrize("log_format", ["Text", "JSON"])
def test_hostile_keys_and_backend_answers_cannot_forge_a_line(notifier, receiver, log_format):
    # The backend's first answer is a 503: its failure is logged too (one line, whatever it says).
    receiver.script(Reply(status=503, headers=[("Retry-After", "0")], body=b'{"error":"busy\\nFORGED"}'))
    rie = notifier(AWS_LAMBDA_LOG_FORMAT=log_format, WEBHOOK_MAX_ATTEMPTS="2")
    records = [s3_record(key) for key in HOSTILE_KEYS] + [s3_record("audio-files/u1/temp/ok.wav")]
    result = rie.invoke(s3_event(*records))
    assert result.status == 200, result
    assert result.json()["skipped"] == 3 and result.json()["delivered"] == 1, result

    lines = function_lines(rie.log_text())
    assert lines, rie.log_tail()
    # The invocation's EMF metrics line (stdout) is a whole JSON object on a line of its own, never
    # joined to a log line; the rest are the log lines whose shape is checked below.
    metrics = [line for line in lines if line.startswith('{"_aws":')]
    assert len(metrics) == 1 and json.loads(metrics[0])["Skipped"] == 3, lines
    lines = [line for line in lines if not line.startswith('{"_aws":')]
    assert not any(line.startswith("FORGED") or line.startswith("\x1b") for line in lines)
    assert not any("\r" in line or "\x1b" in line for line in lines), "a control byte was written raw"
    if log_format == "Text":
        for line in lines:
            assert TEXT_LINE.match(line), f"not one of the function's lines: {line!r}"
        text = "\n".join(lines)
        assert r"x\nFORGED-LINE level=ERROR.mp3" in text
        assert r"y\r\nFORGED-LINE level=ERROR.mp3" in text
        assert r"z\x1B[31mFORGED-LINE.mp3" in text
    else:
        keys = []
        for line in lines:
            entry = json.loads(line)  # every line is one JSON object
            assert isinstance(entry, dict) and {"timestamp", "level", "message"} <= entry.keys(), line
            keys.append(entry.get("key", ""))
        assert "audio-files/u1/temp/x\nFORGED-LINE level=ERROR.mp3" in keys
        assert "audio-files/u1/temp/z\x1b[31mFORGED-LINE.mp3" in keys
