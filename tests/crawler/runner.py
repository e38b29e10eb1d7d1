"""Run `stancewatch crawl` in a fresh process against a sources list (Scrapy's reactor starts once per process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Test crawl settings: no politeness delays against our own server, a short timeout, a small size cap.
TEST_SETTINGS = """\
[crawl]
download_delay_s = 0
autothrottle = false
timeout_s = 1.5
retries = 1
max_response_mb = 0.5
concurrent_per_domain = 8
min_text_chars = 300
# The fixture sites are on 127.0.0.1, which a crawl refuses unless told otherwise.
allow_private_addresses = true
"""


class CliCrawl:
    """Runs `stancewatch crawl` in a fresh process (Scrapy's reactor starts once per process)."""

    def __init__(self, folder: Path, sources: list[dict[str, object]]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "warehouse.duckdb"
        self.config = folder / "stancewatch.toml"
        self.sources = folder / "sources.yaml"
        self.config.write_text(TEST_SETTINGS, encoding="utf-8")
        self.sources.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")

    def __call__(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run one crawl with extra CLI arguments; return the finished process."""
        command = [sys.executable, "-m", "stancewatch.cli", "--config", str(self.config), "--db", str(self.db),
                   "--sources", str(self.sources), "crawl", "--quiet", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)
