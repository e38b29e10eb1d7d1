"""The web process stays light: importing the dashboard and running its app pulls in no model or crawler code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dashboard import data

HEAVY = ["torch", "onnxruntime", "scrapy", "transformers", "crawler", "analysis", "twisted"]

SCRIPT = """
import json, os, sys
HEAVY = set(json.loads(sys.argv[2]))
os.environ["STANCEWATCH_DB"] = sys.argv[1]
import dashboard, dashboard.data, dashboard.charts, dashboard.ui, dashboard.evidence
import dashboard.server, dashboard.auth
from streamlit.testing.v1 import AppTest
app = os.path.join(os.path.dirname(dashboard.__file__), "app.py")
at = AppTest.from_file(app, default_timeout=60).run()
for page in ("views/matrix.py", "views/articles.py", "views/sources.py", "views/export.py"):
    at.switch_page(page).run()
print(json.dumps({"exceptions": [e.value for e in at.exception],
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)}))
"""


def test_dashboard_and_its_pages_import_no_model_or_crawler_code(fixture_db: Path) -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(fixture_db), json.dumps(HEAVY)],
                            capture_output=True, text=True, timeout=180, cwd=Path(data.__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert report["loaded"] == [], f"the dashboard process loaded {report['loaded']}"
