"""The deploy suite's harness: a moto server on 127.0.0.1 and helpers to run the scripts.

Nothing here talks to AWS: every AWS CLI / boto3 call goes to the moto server with dummy credentials,
and the AWS config/credential files are pointed at empty paths so no real profile is ever read.
"""

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
TOOLS_BIN = str(Path(sys.executable).parent)  # the venv's bin: aws, cfn-lint, moto_server
SECRET_API_KEY = "test-api-key-7f3c9e1d-do-not-print"
SECRET_SIGNING = "whsec_" + base64.b64encode(b"s" * 32).decode()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(tmp_root: Path, endpoint: str | None = None) -> dict:
    """The environment for every subprocess: no inherited AWS settings, dummy credentials only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("NOTIFIER_")}
    env.update(
        {
            "PATH": TOOLS_BIN + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_root / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_root / "no-aws-credentials"),
            "AWS_MAX_ATTEMPTS": "2",
        }
    )
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


class Moto:
    def __init__(self, endpoint: str, env: dict):
        self.endpoint = endpoint
        self.env = env

    def client(self, service: str):
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 2}),
        )

    def create_role(self) -> str:
        iam = self.client("iam")
        trust = (DEPLOY / "iam" / "lambda-trust-policy.json").read_text()
        role = iam.create_role(RoleName="notifier-" + uuid.uuid4().hex[:8], AssumeRolePolicyDocument=trust)
        return role["Role"]["Arn"]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    if shutil.which("aws", path=TOOLS_BIN + os.pathsep + os.environ.get("PATH", "")) is None:
        pytest.fail("the AWS CLI is missing: pip install -r Tests/Deploy/requirements.txt")
    root = tmp_path_factory.mktemp("moto")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = clean_env(root)
    log = open(root / "moto.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"moto server exited: {(root / 'moto.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("moto server did not start within 30 s")
                time.sleep(0.2)
        # Lambda without Docker: functions are stored, invocations always succeed.
        request = urllib.request.Request(
            endpoint + "/moto-api/config", method="POST",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        )
        with urllib.request.urlopen(request, timeout=5):
            pass
        # Every CLI call in the tests defaults to moto, so a forgotten --endpoint-url never reaches AWS.
        yield Moto(endpoint, {**env, "AWS_ENDPOINT_URL": endpoint})
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def make_artifact(directory: Path, content: bytes, *, compatible: bool = True, runtime: str = "provided.al2",
                  architecture: str = "x86_64", problems=(), sha_override: str | None = None,
                  compatible_runtimes=None) -> Path:
    """A small bootstrap zip and its manifest (the README's "Packaging" fields); returns the manifest path.
    `compatible_runtimes`: the static artifact's list; None leaves the field out, as older manifests did."""
    directory.mkdir(parents=True, exist_ok=True)
    zip_path = directory / "bootstrap.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap", date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16
        z.writestr(info, b"#!/bin/sh\n" + content)
    data = zip_path.read_bytes()
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    manifest = {
        "zip": "dist/bootstrap.zip",
        "zipBytes": len(data),
        "codeSha256": sha_override or sha,
        "binaryBytes": len(content) + 10,
        "runtime": runtime,
        "architecture": architecture,
        "compatible": compatible,
        "problems": list(problems),
    }
    if compatible_runtimes is not None:
        manifest.update(linking="static", compatibleRuntimes=list(compatible_runtimes))
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2))
    return path


def zip_sha(manifest: Path) -> str:
    return json.loads(manifest.read_text())["codeSha256"]


def aws_shim(directory: Path, env: dict, intercept: str) -> dict:
    """An environment whose `aws` runs the bash `intercept` first (it may exit or rewrite "$@") and then
    the real CLI, for faults moto cannot produce."""
    real_aws = shutil.which("aws", path=env["PATH"])
    assert real_aws is not None
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "aws"
    shim.write_text(f'#!/usr/bin/env bash\n{intercept}\nexec "{real_aws}" "$@"\n')
    shim.chmod(0o755)
    return {**env, "PATH": f"{directory}{os.pathsep}{env['PATH']}"}


def run_script(name: str, args, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DEPLOY / name), *map(str, args)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )
