"""Reference backend: the two HTTP endpoints the VoiceByAuribus API exposes to this system, as the contract.

A dev tool, not part of bootstrap. The end-to-end check (Tests/EndToEnd, tools/vba_platform.py) runs it
on 127.0.0.1; a backend team can read it as the behaviour its .NET endpoints must have.

1. POST {WEBHOOK_PATH} (default /api/v1/audio-files/webhooks/upload-notification): the notifier's
   webhook (README "The webhook", docs/webhook.schema.json). In this order:
   - the X-Webhook-Api-Key header must equal Webhooks:ApiKey (constant-time compare) - else 401;
   - the Standard Webhooks signature over the raw body must verify (webhook-id, webhook-timestamp within
     5 minutes, webhook-signature) with the signing secret - else 401;
   - the body must be an audio_file.uploaded event for a key under {prefix}{userId}/temp/ - else 400;
   - a webhook-id already handled is answered 200 and not processed again (the notifier, Lambda and S3
     may all deliver twice);
   - then ONE preprocessing request goes to audio-preprocessing-queue (the guide's message table,
     docs/preprocessing-message.schema.json), and the answer is 200.
2. POST {CALLBACK_PATH} (default /api/v1/audio-files/webhooks/preprocessing-result): the preprocessing
   service's result for a request_id. The guide leaves this body open; the reference takes
   {"request_id", "status", "s3_key_short", "s3_key_for_inference"} and answers 204, or 404 for a
   request it never sent.

Each handled step is counted in `steps` (a Counter), so a caller can check that each happened once.
Secrets are never logged or put in an answer.
"""

from __future__ import annotations

import base64
import hmac
import http.server
import json
import threading
import urllib.parse
from collections import Counter
from typing import Callable

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

WEBHOOK_PATH = "/api/v1/audio-files/webhooks/upload-notification"
CALLBACK_PATH = "/api/v1/audio-files/webhooks/preprocessing-result"
MAX_BODY = 256 * 1024


def signing_secret_for(api_key: str, signing_secret: str | None) -> str:
    """The notifier signs with WEBHOOK_SIGNING_SECRET, or, when that is unset, with the API key's bytes."""
    return signing_secret or "whsec_" + base64.b64encode(api_key.encode()).decode()


class ReferenceBackend:
    """The backend's webhook and callback endpoints on 127.0.0.1:PORT.

    `send_message(body: str)` sends one message to the preprocessing queue (boto3's sqs.send_message
    under the backend's role, in the end-to-end check)."""

    def __init__(self, api_key: str, signing_secret: str | None, send_message: Callable[[str], None],
                 audio_files_prefix: str = "audio-files/", port: int = 0):
        self._api_key = api_key.encode()
        self._webhook = Webhook(signing_secret_for(api_key, signing_secret))
        self._send_message = send_message
        self.prefix = audio_files_prefix
        self.steps: Counter = Counter()
        self.messages: list[dict] = []          # preprocessing requests sent, in order
        self.results: list[dict] = []           # callbacks received for requests we sent
        self._seen_webhook_ids: set[str] = set()
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="reference-backend")

    def __enter__(self) -> "ReferenceBackend":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def callback_url(self) -> str:
        return self.url + CALLBACK_PATH

    # The contract ------------------------------------------------------------------------------------

    def handle_webhook(self, headers: dict, body: bytes) -> int:
        """`headers`: lower-case names. Returns the HTTP status to answer."""
        if not hmac.compare_digest(headers.get("x-webhook-api-key", "").encode(), self._api_key):
            return self._count("webhook_rejected_api_key", 401)
        try:
            self._webhook.verify(body, {k: v for k, v in headers.items() if k.startswith("webhook-")})
        except WebhookVerificationError:
            return self._count("webhook_rejected_signature", 401)
        event = json.loads(body)
        data = event.get("data") or {}
        if event.get("type") != "audio_file.uploaded" or not self._is_upload_key(data.get("key", "")):
            return self._count("webhook_rejected_not_an_upload", 400)
        with self._lock:
            if headers["webhook-id"] in self._seen_webhook_ids:
                self.steps["webhook_duplicate"] += 1
                return 200
            self._seen_webhook_ids.add(headers["webhook-id"])
        self._count("webhook_verified", 200)
        message = self.preprocessing_message(data)
        self._send_message(json.dumps(message))
        with self._lock:
            self.messages.append(message)
        return self._count("preprocessing_message_sent", 200)

    def preprocessing_message(self, data: dict) -> dict:
        """The guide's message for one upload: the same file name under short/ and inference/."""
        bucket, user, name = data["bucket"], data["userId"], data["key"].rsplit("/", 1)[1]
        uri = f"s3://{bucket}/{self.prefix}{user}"
        return {
            "s3_key_temp": data["s3Uri"],
            "s3_key_short": f"{uri}/short/{name}",
            "s3_key_for_inference": f"{uri}/inference/{name}",
            "request_id": data["fileId"],   # the backend's AudioFileId: the client uploaded to temp/{id}.ext
            "callback_response": {"url": self.callback_url, "type": "HTTP"},
        }

    def handle_callback(self, body: bytes) -> int:
        result = json.loads(body)
        request_id = result.get("request_id")
        with self._lock:
            known = request_id is not None and any(m.get("request_id") == request_id for m in self.messages)
            if known:
                self.results.append(result)
        return self._count("callback_received" if known else "callback_unknown_request", 204 if known else 404)

    def _is_upload_key(self, key: str) -> bool:
        parts = key[len(self.prefix):].split("/") if key.startswith(self.prefix) else []
        return len(parts) == 3 and parts[1] == "temp" and all(parts)

    def _count(self, step: str, status: int) -> int:
        with self._lock:
            self.steps[step] += 1
        return status

    # HTTP --------------------------------------------------------------------------------------------

    def _handler(self):
        backend = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # no request lines: headers carry the API key
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 < length <= MAX_BODY:
                    return self._answer(413 if length else 400)
                body = self.rfile.read(length)
                path = urllib.parse.urlsplit(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    if path == WEBHOOK_PATH:
                        return self._answer(backend.handle_webhook(headers, body))
                    if path == CALLBACK_PATH:
                        return self._answer(backend.handle_callback(body))
                except (ValueError, KeyError, TypeError, AttributeError):
                    return self._answer(backend._count("bad_request", 400))
                self._answer(404)

            def _answer(self, status: int):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
