"""Every script in scripts/ at least parses (the benchmark's dependencies are not in CI)."""

import ast
import subprocess

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted(p for p in (ROOT / "scripts").iterdir() if p.is_file())


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_parses(script):
    shebang = script.read_text(encoding="utf-8").splitlines()[0]
    if "python" in shebang:
        ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    else:
        assert "bash" in shebang, shebang
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
