"""Fixtures for the end-to-end check (make e2e): one moto server with the platform stack for the module,
the bootstrap under the RIE per test (the conformance suite's fixtures), tools/ importable.

Needs BOOTSTRAP and RIE as the conformance suite does (make test and make e2e pass them).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "tools"), str(HERE.parent / "Conformance")]

# The conformance suite's fixtures (RIE per test, log checked for secrets at teardown), by path: both
# files are named conftest.py.
_spec = importlib.util.spec_from_file_location("conformance_fixtures", HERE.parent / "Conformance" / "conftest.py")
_conformance = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conformance)
bootstrap_binary, rie_binary, start_rie = _conformance.bootstrap_binary, _conformance.rie_binary, _conformance.start_rie
from local_flow import Platform  # noqa: E402
from moto_server import MotoServer  # noqa: E402


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with MotoServer(tmp_path_factory.mktemp("moto") / "moto.log") as moto:
        yield Platform.deploy(moto)
