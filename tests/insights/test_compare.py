"""What changed between two periods: the within-outlet difference, its interval, contributions, moved
sentences; and `stancewatch compare` on a real warehouse (the dashboard's fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from insights.compare import Period, compare_cells, parse_period
from stancewatch.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))
from dash_fixture import DAYS, build

BEFORE = Period(date(2024, 1, 1), date(2024, 1, 31))
AFTER = Period(date(2024, 2, 1), date(2024, 2, 29))


def _cells(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"outlet": o, "n": n, "stance_sum": n * s} for o, n, s in rows])


def test_the_outlet_mix_alone_changes_the_plain_difference_not_the_within_outlet_one() -> None:
    before = _cells([("a", 40, 0.5), ("b", 10, -0.5), ("c", 20, 0.0)])
    after = _cells([("a", 10, 0.5), ("b", 40, -0.5), ("c", 20, 0.0), ("new", 30, -0.9)])
    result = compare_cells("RU", (), BEFORE, AFTER, before, after)
    assert result.plain_difference is not None and result.plain_difference < -0.5
    assert result.difference == pytest.approx(0.0)
    assert result.n_outlets_both == 3
    statuses = dict(zip(result.outlets["outlet"], result.outlets["status"], strict=True))
    assert statuses == {"a": "both", "b": "both", "c": "both", "new": "only after"}


def test_contributions_add_up_to_the_difference_and_the_biggest_come_first() -> None:
    before = _cells([("a", 30, 0.4), ("b", 30, 0.2), ("c", 5, 0.0)])
    after = _cells([("a", 30, -0.4), ("b", 30, 0.1), ("c", 5, 0.0)])
    result = compare_cells("RU", (), BEFORE, AFTER, before, after)
    assert result.difference is not None and result.lo is not None and result.hi is not None
    assert result.outlets["contribution"].sum() == pytest.approx(result.difference)
    # weights n_b n_a / (n_b + n_a): 15, 15, 2.5
    assert result.difference == pytest.approx((15 * -0.8 + 15 * -0.1) / 32.5)
    assert list(result.outlets["outlet"]) == ["a", "b", "c"]
    assert result.lo <= result.difference <= result.hi


def test_moved_sentences_are_ranked_against_their_outlets_baseline_in_the_direction_of_the_change() -> None:
    before = _cells([("a", 10, 0.6), ("b", 10, -0.2)])
    after = _cells([("a", 10, 0.0), ("b", 10, -0.4)])
    mentions = pd.DataFrame([
        {"published_at": pd.Timestamp("2024-02-02"), "outlet": o, "article_id": f"x{i}", "title": "t", "url": "u",
         "sentence": f"s{i}", "score": score}
        for i, (o, score) in enumerate([("a", 0.0), ("a", 0.7), ("b", -0.5), ("b", 0.3), ("new", -1.0)])])
    result = compare_cells("RU", (), BEFORE, AFTER, before, after, mentions)
    # moved: s0 -0.6, s2 -0.3, s1 +0.1, s3 +0.5 (the change is down: rises last); 'new' has no baseline
    assert list(result.sentences["sentence"]) == ["s0", "s2", "s1", "s3"]
    assert result.sentences["moved"].iloc[0] == pytest.approx(-0.6)


def test_periods_are_read_strictly() -> None:
    assert parse_period("2022-01-01:2022-02-23") == Period(date(2022, 1, 1), date(2022, 2, 23))
    with pytest.raises(ValueError, match="expected FROM:TO"):
        parse_period("2022-01-01")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_period("2022-13-01:2022-02-23")
    with pytest.raises(ValueError, match="start is after the end"):
        parse_period("2022-03-01:2022-02-23")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    path = tmp_path_factory.mktemp("compare") / "w.duckdb"
    facts = build(path)
    return path, facts["now"].date()  # type: ignore[attr-defined]


def test_compare_command_reports_the_kazakh_turn_on_russia(warehouse: tuple[Path, date]) -> None:
    path, today = warehouse
    first = today - timedelta(days=DAYS - 1)
    turn = today - timedelta(days=34)  # the fixture's Kazakh outlets turn critical of Russia on day DAYS - 35
    args = ["--db", str(path), "compare", "--target", "ru", "--outlet-country", "KZ",
            "--before", f"{first}:{turn - timedelta(days=1)}", "--after", f"{turn}:{today}", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["target"] == "RU" and report["outlet_countries"] == ["KZ"] and report["model_id"] == "m-test-1"
    assert report["before"]["mean"] == pytest.approx(0.3, abs=0.1)
    assert report["after"]["mean"] == pytest.approx(-0.5, abs=0.1)
    assert report["difference"] == pytest.approx(-0.8, abs=0.1)
    assert report["lo"] < report["difference"] < report["hi"] < 0
    assert {o["outlet"] for o in report["outlets"]} == {"tengrinews.kz", "kazinform.kz", "quiet.kz"}
    assert 0 < len(report["sentences"]) <= 10
    assert all("Russia" in s["sentence"] and s["moved"] < 0 for s in report["sentences"])
    # Russian outlets did not turn on Kazakhstan: no change to speak of
    calm = CliRunner().invoke(app, [*args[:4], "KZ", "--outlet-country", "RU", *args[7:]])
    assert calm.exit_code == 0, calm.output
    assert abs(json.loads(calm.output)["difference"]) < 0.15


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point (main() turns user errors into one line and exit status 2)."""
    return subprocess.run([sys.executable, "-P", "-c", "from stancewatch.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_compare_command_names_a_bad_argument(warehouse: tuple[Path, date]) -> None:
    path, _ = warehouse
    result = _cli("--db", str(path), "compare", "--target", "RU", "--before", "2024-01-01",
                  "--after", "2024-02-01:2024-02-29")
    assert result.returncode == 2
    assert "--before '2024-01-01': expected FROM:TO" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("--db", str(path), "compare", "--target", "RU", "--model-id", "nope",
                  "--before", "2024-01-01:2024-01-31", "--after", "2024-02-01:2024-02-29")
    assert result.returncode == 2 and "--model-id 'nope': no such model" in result.stderr
