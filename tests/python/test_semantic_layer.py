"""The MetricFlow semantic layer on the DuckDB test warehouse: configs validate, and one metric query answers cost
per successful task by feature exactly as the generator's ground truth (tasks.csv) says.

Running `mf` offline and quietly (dbt-metricflow 0.15.0, metricflow 0.213):
- Update check: every `mf` command asks https://pypi.org/pypi/dbt-metricflow/json (package `update_checker`, 1 s
  timeout, answer cached 1 h in $TMPDIR/update_checker_cache.pkl). There is no flag or env var to turn it off, so the
  tests start `mf` through MF_WITHOUT_UPDATE_CHECK below, which replaces the check by a no-op before the CLI starts.
  By hand, `HTTPS_PROXY=http://127.0.0.1:9 mf ...` makes it fail at once without leaving the machine.
- Telemetry: MetricFlow's TelemetryReporter only writes to the local Python log (logs/metricflow.log); dbt's own
  anonymous usage stats are off with DO_NOT_TRACK=1 (and `send_anonymous_usage_stats: false` in dbt_project.yml).
- `mf` reads `<project>/target/semantic_manifest.json` (the path is fixed, `--target-path` is ignored), so the tests
  parse into a private copy of the project (symlinks) to stay isolated from other runs.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from ai_finops.project import PROJECT_DIR
from conftest import as_decimal

MF_WITHOUT_UPDATE_CHECK = (
    "import sys, update_checker; "
    "update_checker.UpdateChecker.check = lambda self, *args, **kwargs: None; "
    "from dbt_metricflow.cli.main import cli; "
    "sys.argv[0] = 'mf'; cli()"
)
PROJECT_ENTRIES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "analyses", "tests")
RELATIVE_TOLERANCE = Decimal("1e-9")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False, timeout=600)


@pytest.fixture(scope="module")
def semantic_project(duckdb_warehouse, tmp_path_factory):
    """A private project folder (symlinks to the real one) whose target/ holds this run's semantic manifest."""
    folder = tmp_path_factory.mktemp("semantic_project")
    for entry in PROJECT_ENTRIES:
        if (PROJECT_DIR / entry).exists():
            (folder / entry).symlink_to(PROJECT_DIR / entry)
    env = {**duckdb_warehouse.env, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_PROFILES_DIR": str(folder), "DBT_PROJECT_DIR": str(folder), "DBT_LOG_PATH": str(folder / "logs")}
    result = run([str(Path(sys.executable).parent / "dbt"), "parse", "--target", "duckdb"], folder, env)
    assert result.returncode == 0, result.stdout[-5000:]
    assert (folder / "target" / "semantic_manifest.json").exists()
    # mf opens the DuckDB file read-write: release the suite's read-only connection first.
    duckdb_warehouse.close()
    return folder, env


def mf(semantic_project, *arguments: str) -> subprocess.CompletedProcess:
    folder, env = semantic_project
    return run([sys.executable, "-c", MF_WITHOUT_UPDATE_CHECK, *arguments], folder, env)


def test_mf_validate_configs_passes_against_the_warehouse(semantic_project):
    result = mf(semantic_project, "validate-configs")
    assert result.returncode == 0, result.stdout[-5000:]
    assert "Successfully validated the semantics of built manifest" in result.stdout, result.stdout[-5000:]
    assert "Successfully validated metrics against data warehouse" in result.stdout, result.stdout[-5000:]
    assert "ERRORS: 0, FUTURE_ERRORS: 0" in result.stdout
    for line in result.stdout.splitlines():
        assert "ERRORS:" not in line or "(ERRORS: 0, FUTURE_ERRORS: 0" in line, line


def test_mf_cost_per_successful_task_by_feature_matches_the_ground_truth(semantic_project, duckdb_warehouse):
    discounts = PROJECT_DIR / "seeds" / "rate_cards" / "rate_card_contract_discounts.csv"
    with open(discounts, encoding="utf-8") as handle:
        if list(csv.DictReader(handle)):
            pytest.skip("contract discounts are seeded: net cost per task differs from the generator's list cost")
    cost: dict[str, Decimal] = defaultdict(Decimal)
    successes: dict[str, int] = defaultdict(int)
    for task in duckdb_warehouse.dataset.truth("tasks"):
        feature = task["feature_id"] or "unallocated"
        cost[feature] += as_decimal(task["list_cost_usd"])
        successes[feature] += task["outcome"] == "success"
    expected = {feature: cost[feature] / successes[feature] for feature in cost if successes[feature]}

    output = semantic_project[0] / "cost_per_successful_task.csv"
    result = mf(semantic_project, "query", "--metrics", "cost_per_successful_task", "--group-by", "task__feature_id",
                "--csv", str(output))
    assert result.returncode == 0 and output.exists(), result.stdout[-5000:]
    with open(output, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    answered = {row["task__feature_id"]: row["cost_per_successful_task"] for row in rows}
    assert len(expected) >= 5, "the dataset should have several features with successful tasks"
    assert {feature for feature, value in answered.items() if value not in ("", None)} == set(expected)
    wrong = [(feature, str(value), answered[feature]) for feature, value in expected.items()
             if abs(Decimal(answered[feature]) - value) > RELATIVE_TOLERANCE * abs(value)]
    assert not wrong, f"cost per successful task differs from the ground truth: {wrong}"


def test_mf_runs_without_asking_pypi(semantic_project, tmp_path):
    """With the wrapper no update request is made: a PyPI query would raise here (fresh TMPDIR, so no cached answer)."""
    folder, env = semantic_project
    probe = ("import update_checker\n"
             "def refuse(*args, **kwargs):\n"
             "    raise SystemExit('update check tried to reach PyPI')\n"
             "update_checker.query_pypi = refuse\n"
             + MF_WITHOUT_UPDATE_CHECK)
    result = run([sys.executable, "-c", probe, "list", "metrics"], folder, {**env, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0 and "PyPI" not in result.stdout, result.stdout[-3000:]
    assert "cost_per_successful_task" in result.stdout and "gross_margin_pct" in result.stdout


def test_mf_gross_margin_pct_by_month_matches_the_ground_truth(semantic_project, duckdb_warehouse):
    """Monthly grain: revenue minus every call's cost (customers, and the unallocated staging/dev/eval traffic)."""
    discounts = PROJECT_DIR / "seeds" / "rate_cards" / "rate_card_contract_discounts.csv"
    with open(discounts, encoding="utf-8") as handle:
        if list(csv.DictReader(handle)):
            pytest.skip("contract discounts are seeded: net cost differs from the generator's list cost")
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for row in duckdb_warehouse.dataset.truth("customer_month"):
        revenue[row["revenue_month"]] += as_decimal(row["revenue_usd"])
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for call in duckdb_warehouse.dataset.truth("calls"):
        cost[call["call_date"][:7] + "-01"] += as_decimal(call["list_cost_usd"])
    expected = {month: (revenue[month] - cost[month]) / revenue[month] for month in revenue}

    output = semantic_project[0] / "gross_margin_pct.csv"
    result = mf(semantic_project, "query", "--metrics", "gross_margin_pct", "--group-by", "metric_time__month",
                "--csv", str(output))
    assert result.returncode == 0 and output.exists(), result.stdout[-5000:]
    with open(output, newline="", encoding="utf-8") as handle:
        answered = {row["metric_time__month"][:10]: Decimal(row["gross_margin_pct"]) for row in csv.DictReader(handle)}
    assert set(answered) == set(expected)
    wrong = [(month, str(value), str(answered[month])) for month, value in expected.items()
             if abs(answered[month] - value) > RELATIVE_TOLERANCE]
    assert not wrong, f"gross margin % differs from the ground truth: {wrong}"
