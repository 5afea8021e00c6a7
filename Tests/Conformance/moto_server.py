"""A moto server on 127.0.0.1 that checks SigV4 signatures, for tests of our own AWS client.

moto 5.2.1 checks requests only once `INITIAL_NO_AUTH_ACTION_COUNT` requests have been served
(moto/core/authorization.py: `ActionAuthenticatorMixin.request_count >= INITIAL_NO_AUTH_ACTION_COUNT`;
the default is infinity, i.e. never). From then on each request's access key must belong to an IAM user
(or an STS assumed role, whose `X-Amz-Security-Token` must match) created in moto, botocore's signer
recomputes the signature over the headers named in SignedHeaders (moto/iam/access_control.py
`IAMRequestBase.check_signature`), and the user's IAM policies decide (`check_action_permitted`).

So: start with authentication off, create users, keys, buckets and secrets with any credentials, then
`enable_authentication()` (POST /moto-api/reset-auth with 0). After that, setup goes through the admin
user's keys (`admin_client`). What moto does not check: the clock skew of X-Amz-Date, that S3 requests
carry x-amz-content-sha256, that x-amz-* headers are all signed, that the session token is signed; the
capture-server tests in test_aws_client.py cover those with botocore's signer directly. Nor can moto
judge keys with "+", "%", "=", "&" or non-ASCII characters: it rebuilds the path it signs from werkzeug's
decoded IRI, and rejects such requests even from boto3 itself (tried with 5.2.1).

    with MotoServer(log_path) as moto:
        key_id, secret = moto.create_user("reader", policy)
        moto.enable_authentication()
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(tmp_root: Path) -> dict:
    """An environment with no inherited AWS settings: nothing reads a real profile or reaches AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_root / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_root / "no-aws-credentials"),
    })
    return env


class MotoServerError(RuntimeError):
    pass


class MotoServer:
    def __init__(self, log_path: Path, start_timeout: float = 30.0):
        self.log_path = Path(log_path)
        self.start_timeout = start_timeout
        self.port = 0
        self.endpoint = ""
        self.process: subprocess.Popen | None = None
        self.admin: tuple[str, str] | None = None
        self._log = None

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self) -> "MotoServer":
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = open(self.log_path, "wb")
        env = isolated_env(self.log_path.parent)
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)  # off until enable_authentication()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.process.poll() is not None:
                self.stop()
                raise MotoServerError(f"moto server exited at start: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise MotoServerError(f"moto server did not answer within {self.start_timeout:.0f} s: {self.log_tail()}")
                time.sleep(0.2)
        # The admin user exists before authentication is on, so setup can continue afterwards.
        self.admin = self.create_user("admin-" + uuid.uuid4().hex[:6], {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        return self

    def stop(self) -> None:
        """SIGTERM to the server's process group, then SIGKILL: at most ~10 s."""
        if self.process is not None and self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"

    # Authentication ----------------------------------------------------------------------------

    def enable_authentication(self) -> None:
        """Every request from now on must be signed by a moto IAM identity and be allowed by its policies."""
        self._post("/moto-api/reset-auth", b"0")

    def disable_authentication(self) -> None:
        self._post("/moto-api/reset-auth", b"inf")

    def _post(self, path: str, data: bytes) -> None:
        # Not form-encoded (urllib's default type): werkzeug would parse it as a form and moto would
        # read an empty request.data.
        request = urllib.request.Request(
            self.endpoint + path, method="POST", data=data, headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.status != 200:
                raise MotoServerError(f"POST {path} answered {response.status}")

    # Clients and identities --------------------------------------------------------------------

    def client(self, service: str, credentials: tuple[str, ...] | None = None):
        """A boto3 client for moto; the admin's keys unless others are given."""
        import boto3
        from botocore.config import Config

        key_id, secret, *token = credentials or self.admin or ("testing", "testing")
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token[0] if token else None,
            config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 1}),
        )

    def create_user(self, name: str, policy: dict) -> tuple[str, str]:
        """An IAM user with one inline policy and an access key: (access key id, secret key)."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="test", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def assume_role(self, name: str, policy: dict) -> tuple[str, str, str]:
        """Temporary credentials of a new role with `policy`, as Lambda has: (key id, secret, session token)."""
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName=name, PolicyName="test", PolicyDocument=json.dumps(policy))
        credentials = self.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="test")["Credentials"]
        return credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
