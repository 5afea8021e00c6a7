"""The contenders of `make bench` and what they run in: the shared settings and secrets, the TLS material
every contender trusts, the provided.al2023-like root of the shipped artifact, and each contender's
command and environment."""

import base64
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# lambda_root and fake_runtime_api (stdlib only) are shared with the conformance tests.
sys.path.insert(0, str(ROOT / "Tests" / "Conformance"))


API_KEY = "bench-key"
SECRET_KEY = hashlib.sha256(b"audio-upload-notifier-bench").digest()  # 32 bytes
SECRET = "whsec_" + base64.b64encode(SECRET_KEY).decode()
USER_AGENT = "AudioUploadNotifier/1.0.0"
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")  # the machine's full CA set
ROOT_RUNTIME = "provided.al2023"
SHIM_IN_ROOT = "/usr/local/bin/bench-preexec"
SCHEMES = ("https", "http")


class TLS:
    """A test CA, a `localhost` server certificate from it, and the bundle every contender trusts:
    the machine's full CA set with the test CA appended (as lambda_root.py writes the root's)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        f = self.folder
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=30)  # noqa: E731
        run("req", "-x509", *ec, "-keyout", str(f / "ca.key"), "-out", str(f / "ca.pem"), "-days", "2",
            "-subj", "/O=AudioUploadNotifier bench/CN=AudioUploadNotifier bench CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        run("req", "-new", *ec, "-keyout", str(f / "server.key"), "-out", str(f / "server.csr"),
            "-subj", "/O=AudioUploadNotifier bench/CN=localhost")
        (f / "server.ext").write_text("subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                                      "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                                      "authorityKeyIdentifier=keyid\n")
        run("x509", "-req", "-in", str(f / "server.csr"), "-CA", str(f / "ca.pem"), "-CAkey", str(f / "ca.key"),
            "-set_serial", "0x" + secrets.token_hex(12), "-days", "2", "-extfile", str(f / "server.ext"),
            "-out", str(f / "server.pem"))
        self.ca_pem = (f / "ca.pem").read_bytes()
        self.cert, self.key = f / "server.pem", f / "server.key"
        parts = [SYSTEM_BUNDLE.read_bytes(), self.ca_pem]
        self.bundle = f / "bundle.pem"
        self.bundle.write_bytes(b"\n".join(p.rstrip(b"\n") for p in parts) + b"\n")
        self.bundle_certificates = self.bundle.read_bytes().count(b"-----BEGIN CERTIFICATE-----")


def build_root(folder, zip_path, rie, tls, shim):
    """dist/bootstrap.zip in an otherwise empty provided.al2023-like root (Tests/Conformance/lambda_root.py),
    trusting the image's bundle = the machine's full CA set + the test CA, with the exec shim beside it."""
    from lambda_root import LambdaRoot  # Tests/Conformance, stdlib only
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    root = LambdaRoot(folder, ROOT_RUNTIME, zip_path, rie, trusted=[tls.ca_pem]).build()
    target = folder / SHIM_IN_ROOT.lstrip("/")
    shutil.copy2(shim, target)
    return root


class Contender:
    def __init__(self, name, slug, command, cwd, binary=None, note="", root=None, schemes=SCHEMES, tls_env=None,
                 zip_path=None):
        self.name = name
        self.slug = slug
        self.command = [str(c) for c in command]
        self.cwd = str(cwd)
        self.binary = binary
        self.note = note
        self.root = root          # a LambdaRoot: the command runs inside it (unshare), paths are the root's
        self.schemes = schemes
        self.tls_env = tls_env or {}
        self.zip_path = zip_path  # the shipped zip, when there is one


def contenders(args, tls=None, root=None, root_binary=None):
    bundle = str(tls.bundle) if tls else ""
    return [
        Contender("bootstrap", "bootstrap", ["/var/task/bootstrap"], args.out.parent, binary=root_binary, root=root,
                  zip_path=args.zip, note="static, from %s, in a %s-like root" % (os.path.relpath(args.zip, ROOT), ROOT_RUNTIME)),
        Contender("bootstrap-urlsession", "urlsession", [args.urlsession], ROOT, binary=args.urlsession, schemes=("http",)),
        Contender("C floor", "floor", [args.floor], ROOT, binary=args.floor, tls_env={"CURL_CA_BUNDLE": bundle}),
        Contender("Python awslambdaric", "python",
                  [args.python, "-m", "awslambdaric", "handler.handler"], HERE / "python_peer",
                  tls_env={"SSL_CERT_FILE": bundle}),
    ]


def contender_env(out, api_address, receiver, contender=None):
    """`receiver`: the webhook base URL, or (older callers) a port on 127.0.0.1 for plain HTTP."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(out),
        "API_BASE_URL": receiver if isinstance(receiver, str) else "http://127.0.0.1:%d" % receiver,
        "WEBHOOK_API_KEY": API_KEY,
        "WEBHOOK_SIGNING_SECRET": SECRET,
        "AWS_LAMBDA_FUNCTION_NAME": "audio-upload-notifier-bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_REGION": "us-east-1",
        # No AWS endpoint here: HeadObject is off. EMF metrics stay at the default (on) unless
        # BENCH_METRICS_NAMESPACE says otherwise ("" switches them off, as METRICS_NAMESPACE does).
        "FETCH_OBJECT_METADATA": "false",
        **({"METRICS_NAMESPACE": os.environ["BENCH_METRICS_NAMESPACE"]} if "BENCH_METRICS_NAMESPACE" in os.environ else {}),
        # Python keeps its bytecode cache out of the source tree (Lambda's would be warm too).
        "PYTHONPYCACHEPREFIX": str(out / "pycache"),
    }
    if contender is not None:
        env.update(contender.tls_env)  # the same in both schemes: only API_BASE_URL differs
        if contender.root is not None:
            # What Lambda sets in an OS-only runtime's sandbox (as Tests/Conformance/rie_harness.py does).
            env.pop("PYTHONPYCACHEPREFIX")
            env.update({"HOME": "/tmp", "LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
                        "LD_LIBRARY_PATH": "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"})
    if api_address:
        env["AWS_LAMBDA_RUNTIME_API"] = api_address
    return env
