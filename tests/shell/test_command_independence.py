"""Every command module is in the import-linter contract that keeps command modules from importing each other."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_module_is_in_the_independence_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"]
                 if c["type"] == "independence" and any(m.startswith("stancewatch.commands.") for m in c["modules"])]
    assert len(contracts) == 1, "expected one independence contract over stancewatch.commands.*"
    present = {f"stancewatch.commands.{p.stem}" for p in (ROOT / "stancewatch" / "commands").glob("*.py")
               if p.stem != "__init__"}
    assert set(contracts[0]["modules"]) == present, "add the new command module to the contract in pyproject.toml"
