"""sqlfluff lint of models, analyses and macros (the dbt templater on an in-memory DuckDB; macros are skipped by it),
in two processes. The lint starts in the background when the session starts (conftest background_jobs)."""

from __future__ import annotations

from conftest import background_result, run_sqlfluff_lint


def test_sqlfluff_lint_passes(background_jobs):
    result = background_result(background_jobs, "sqlfluff", run_sqlfluff_lint)
    assert result.returncode == 0, "sqlfluff found problems:\n" + result.stdout[-15000:]
