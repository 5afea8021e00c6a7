"""An otherwise empty root laid out like a Lambda OS-only runtime image, for running the packaged zip as
Lambda would: `dist/bootstrap.zip` extracted into /var/task, the real RIE beside it, the CA bundle at Amazon
Linux's paths, and nothing from this Debian machine (no glibc, no libcurl, no OpenSSL, no /etc/ssl).

It runs with `unshare --mount --pid --fork --root=DIR --mount-proc=/proc` (util-linux), which needs root:
`LambdaRoot.unavailable()` says why when it cannot be used, and the tests skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Iterable, Optional

# Where each image keeps its CA bundle. Both have /etc/pki/tls/certs/ca-bundle.crt; on AL2023 it is a
# symbolic link into /etc/pki/ca-trust/extracted (Fedora's layout, with /etc/pki/tls/cert.pem too), while
# this AL2 root keeps the single bundle file: the least a root can have.
LAYOUTS = {
    "provided.al2023": {
        "bundle": "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "links": {"etc/pki/tls/certs/ca-bundle.crt": "../../ca-trust/extracted/pem/tls-ca-bundle.pem",
                  "etc/pki/tls/cert.pem": "../ca-trust/extracted/pem/tls-ca-bundle.pem"},
    },
    "provided.al2": {
        "bundle": "etc/pki/tls/certs/ca-bundle.crt",
        "links": {},
    },
}
RUNTIMES = tuple(LAYOUTS)
RIE_IN_ROOT = "/usr/local/bin/aws-lambda-rie"
BOOTSTRAP_IN_ROOT = "/var/task/bootstrap"
# The machine's full CA set: what the image's bundle holds (~140 certificates), tests' CAs appended.
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class LambdaRoot:
    def __init__(self, path: Path, runtime: str, zip_path: Path, rie: Path,
                 trusted: Iterable[bytes] = (), system_bundle: bool = True):
        if runtime not in LAYOUTS:
            raise ValueError(f"unknown runtime {runtime!r}: one of {', '.join(LAYOUTS)}")
        self.path = Path(path)
        self.runtime = runtime
        self.zip_path = Path(zip_path)
        self.rie = Path(rie)
        self.trusted = list(trusted)
        self.system_bundle = system_bundle
        self.rie_path = RIE_IN_ROOT

    @staticmethod
    def unavailable() -> Optional[str]:
        """Why an empty root cannot be used here, or None."""
        if os.geteuid() != 0:
            return "needs root (unshare --mount and mknod); CI runs as root"
        if shutil.which("unshare") is None:
            return "needs unshare from util-linux"
        return None

    def build(self) -> "LambdaRoot":
        for folder in ("var/task", "var/runtime", "opt", "tmp", "dev", "proc", "etc", "usr/local/bin"):
            (self.path / folder).mkdir(parents=True, exist_ok=True)
        (self.path / "tmp").chmod(0o1777)
        self._extract_zip()
        shutil.copy2(self.rie, self.path / RIE_IN_ROOT.lstrip("/"))
        for name, (major, minor), mode in (("null", (1, 3), 0o666), ("urandom", (1, 9), 0o444)):
            node = self.path / "dev" / name
            if not node.exists():
                os.mknod(node, stat.S_IFCHR | mode, os.makedev(major, minor))
            node.chmod(mode)
        (self.path / "etc/hosts").write_text("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
        self._write_bundle()
        return self

    def _extract_zip(self) -> None:
        with zipfile.ZipFile(self.zip_path) as archive:
            for entry in archive.infolist():
                target = self.path / "var/task" / entry.filename
                target.write_bytes(archive.read(entry))
                target.chmod(stat.S_IMODE(entry.external_attr >> 16) or 0o644)

    def _write_bundle(self) -> None:
        layout = LAYOUTS[self.runtime]
        parts = [SYSTEM_BUNDLE.read_bytes()] if self.system_bundle else []
        parts += self.trusted
        if not parts:
            return
        bundle = self.path / layout["bundle"]
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_bytes(b"\n".join(p.rstrip(b"\n") for p in parts) + b"\n")
        for link, target in layout["links"].items():
            (self.path / link).parent.mkdir(parents=True, exist_ok=True)
            (self.path / link).symlink_to(target)

    def add_task_file(self, name: str, data: bytes) -> str:
        """A file in /var/task (as a deployment's zip would carry it); returns its path inside the root."""
        (self.path / "var/task" / name).write_bytes(data)
        return f"/var/task/{name}"

    def wrap(self, argv: list) -> list:
        """The command that runs `argv` (paths inside the root) in the root, in new mount and pid
        namespaces: when unshare dies, everything it started dies with it."""
        return ["unshare", "--mount", "--pid", "--fork", "--kill-child",
                f"--root={self.path}", "--wd=/var/task", "--mount-proc=/proc", *argv]
