import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="session")
def reference() -> dict:
    """What the original Python lesson printed and plotted."""
    return json.loads((ROOT / "tests" / "reference" / "day45_python.json").read_text())
