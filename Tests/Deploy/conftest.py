"""Fixtures for the deploy suite (deploy/: SAM template, IAM policies, deploy.sh, redrive.sh).

Needs Tests/Deploy/requirements.txt (cfn-lint, moto[server], awscli) in the Python that runs pytest;
`make test` installs them into .build/venv. AWS is never contacted: moto serves 127.0.0.1.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_harness import moto_server  # noqa: E402,F401  (the session fixture)
