"""The library knows nothing of the web: importing it must not load Flask."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_library_import_leaves_flask_out() -> None:
    code = "import sys, search, search.cli; print('flask' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
