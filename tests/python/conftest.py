"""Shared fixtures: one small generated dataset, built into a DuckDB warehouse, (when reachable) a PostgreSQL one and
(when pyspark and Java are there) a Spark one.

PostgreSQL: the tests use their own database (AI_FINOPS_TEST_PG_DBNAME, default `ai_finops_test`), dropped and
re-created per session, so they never see the demo's or anyone else's tables. Outside CI a missing server skips the
PostgreSQL tests with a message; under CI=true it fails them.
Spark: a fresh warehouse and Derby metastore in a temporary folder (AI_FINOPS_SPARK_DIR). It needs the Python of
.venv-spark (`make test` uses it) and a Java runtime; without them the Spark tests skip, and fail under CI=true.
The slow builds and checks that run in subprocesses start in background threads when the session starts, if collected
tests need them (background_jobs): the Spark build, the PostgreSQL warehouse and the sqlfluff lint.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from ai_finops.project import PROJECT_DIR, postgres_settings

TEST_SPANS = int(os.environ.get("AI_FINOPS_TEST_SPANS", "4000"))
TEST_SEED = int(os.environ.get("AI_FINOPS_TEST_SEED", "20261130"))
# The Spark fixture's incremental run rebuilds the partitions from this date on (the last four days of the dataset):
# every incremental model goes through insert_overwrite; fewer partitions keep the Spark part of CI short.
SPARK_REPROCESS_FROM = "2026-09-08"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SPARK_VARCHAR = re.compile(r"\bas varchar\b", re.IGNORECASE)


def python_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ai_finops", *arguments]


def run_checked(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode}):\n{result.stdout[-12000:]}", pytrace=False)
    return result.stdout


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Dataset:
    folder: Path

    def truth(self, name: str) -> list[dict[str, str]]:
        return read_csv(self.folder / "ground_truth" / f"{name}.csv")


@dataclass
class Warehouse:
    target: str
    env: dict[str, str]
    build_log: str
    dataset: Dataset
    _connection: object = field(default=None, repr=False)

    @property
    def schema(self) -> str:
        return self.env["AI_FINOPS_SCHEMA"]

    def connection(self):
        if self._connection is None:
            from ai_finops.project import connect

            self._connection = connect(self.target, self.env, read_only=self.target == "duckdb")
        return self._connection

    def query(self, sql: str) -> list[dict[str, object]]:
        sql = sql.replace("{schema}", self.schema)
        if self.target == "spark":
            sql = SPARK_VARCHAR.sub("as string", sql)  # Spark has no length-less varchar
        cursor = self.connection().cursor()
        cursor.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def relation_exists(self, name: str) -> bool:
        rows = self.query(
            "select count(*) as n from information_schema.tables "
            f"where table_schema = '{self.schema}' and table_name = '{name}'"
        )
        return rows[0]["n"] > 0

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Dataset:
    folder = tmp_path_factory.mktemp("dataset")
    run_checked(python_command("generate", "--out", str(folder), "--spans", str(TEST_SPANS), "--seed", str(TEST_SEED)),
                dict(os.environ), "ai-finops generate")
    return Dataset(folder)


@pytest.fixture(scope="session")
def optimize_dataset(tmp_path_factory) -> Dataset:
    """The `--scenario optimize` dataset (tests/python/test_optimize_ground_truth.py)."""
    folder = tmp_path_factory.mktemp("optimize_dataset")
    run_checked(python_command("generate", "--scenario", "optimize", "--out", str(folder)), dict(os.environ),
                "ai-finops generate --scenario optimize")
    return Dataset(folder)


def build_warehouse(target: str, env: dict[str, str], dataset: Dataset, target_path: Path,
                    unit_tests: bool = True) -> Warehouse:
    """Load the dataset and `dbt build` it. unit_tests=False leaves out the unit tests, which do not read the
    warehouse's data: they run once per engine, in the build of the session's main warehouse."""
    env = {**env, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    run_checked(python_command("load", "--target", target, str(dataset.folder)), env, f"ai-finops load ({target})")
    log = run_checked(
        [str(Path(sys.executable).parent / "dbt"), "build", "--profiles-dir", str(PROJECT_DIR), "--project-dir",
         str(PROJECT_DIR), "--target", target, "--target-path", str(target_path), "--log-path",
         str(target_path / "logs"), *([] if unit_tests else ["--exclude-resource-type", "unit_test"])],
        env, f"dbt build ({target})")
    return Warehouse(target=target, env=env, build_log=log, dataset=dataset)


@pytest.fixture(scope="session")
def duckdb_warehouse(dataset, tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("duckdb")
    env = {**os.environ, "AI_FINOPS_DUCKDB_PATH": str(folder / "warehouse.duckdb"), "AI_FINOPS_SCHEMA": "main"}
    warehouse = build_warehouse("duckdb", env, dataset, folder / "target")
    yield warehouse
    warehouse.close()


def postgres_reachable(settings: dict[str, object]) -> str | None:
    try:
        import psycopg2

        connection = psycopg2.connect(**{**settings, "dbname": "postgres"}, connect_timeout=3)
        connection.close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return str(error).strip()


def fresh_postgres_env(suffix: str = "") -> dict[str, str]:
    """Environment for a fresh PostgreSQL database (the suite's database name + suffix), dropped and re-created;
    skips (or fails under CI) when no server is reachable."""
    from ai_finops.project import postgres_settings

    dbname = os.environ.get("AI_FINOPS_TEST_PG_DBNAME", "ai_finops_test") + suffix
    env = {**os.environ, "AI_FINOPS_PG_DBNAME": dbname, "AI_FINOPS_SCHEMA": "analytics"}
    settings = postgres_settings(env)
    problem = postgres_reachable(settings)
    if problem:
        message = f"PostgreSQL not reachable at {settings['host']}:{settings['port']} ({problem})"
        if IN_CI:
            pytest.fail(message + " and CI=true requires it", pytrace=False)
        pytest.skip(message + "; PostgreSQL tests skipped (they always run in CI)")
    import psycopg2

    admin = psycopg2.connect(**{**settings, "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'drop database if exists "{dbname}" with (force)')
        cursor.execute(f'create database "{dbname}"')
    admin.close()
    return env


@pytest.fixture(scope="session")
def postgres_env() -> dict[str, str]:
    return fresh_postgres_env()


@pytest.fixture(scope="session")
def postgres_warehouse(background_jobs, dataset, postgres_env, tmp_path_factory) -> Warehouse:
    warehouse = background_result(background_jobs, "postgres", lambda: build_warehouse(
        "postgres", postgres_env, dataset, tmp_path_factory.mktemp("postgres") / "target"))
    yield warehouse
    warehouse.close()


def spark_unavailable() -> str | None:
    """Why Spark cannot run in this Python, or None."""
    try:
        import pyspark  # noqa: F401
        import dbt.adapters.spark  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed in {sys.executable} (`make spark-venv`; `make test` runs in .venv-spark)"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime on PATH or in JAVA_HOME (Spark needs Java 17+)"
    return None


def build_spark_warehouse(dataset: Dataset, folder: Path) -> Warehouse:
    """The dataset loaded with `ai-finops load --target spark` and built with `dbt build --target spark`, each in its
    own process like a user would, then an incremental run of the incremental models that rebuilds every partition from
    SPARK_REPROCESS_FROM (insert_overwrite of four daily partitions each): the ground-truth checks see the warehouse
    after it, so a partition lost or written twice by Spark's incremental path fails them."""
    env = {**os.environ, "AI_FINOPS_SPARK_DIR": str(folder / "spark"), "AI_FINOPS_SCHEMA": "analytics",
           "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")}
    warehouse = build_warehouse("spark", env, dataset, folder / "target")
    warehouse.incremental_log = run_checked(
        [str(Path(sys.executable).parent / "dbt"), "run", "--profiles-dir", str(PROJECT_DIR), "--project-dir",
         str(PROJECT_DIR), "--target", "spark", "--select", "config.materialized:incremental", "--vars",
         f"{{incremental_reprocess_from: '{SPARK_REPROCESS_FROM}'}}", "--target-path", str(folder / "target"),
         "--log-path", str(folder / "target" / "logs")],
        warehouse.env, "dbt run, incremental (spark)")
    return warehouse


class BackgroundJob(threading.Thread):
    """work() in a background thread. Its work runs in subprocesses (dbt, sqlfluff, the JVM, the PostgreSQL server), so
    it overlaps the tests of the main thread instead of adding to them. A failure (pytest.fail and pytest.skip
    included) is re-raised by result()."""

    def __init__(self, name: str, work):
        super().__init__(name=name, daemon=True)
        self.work = work
        self.value = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.value = self.work()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread by result()
            self.error = error

    def result(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


def background_result(jobs: dict[str, BackgroundJob], name: str, work):
    """The result of the background job `name` when the session started one, else of work() run here."""
    return jobs[name].result() if name in jobs else work()


def build_optimize_postgres_warehouse(optimize_dataset: Dataset, folder: Path) -> Warehouse:
    """The optimize scenario in a PostgreSQL database of its own (the suite database plus `_optimize`), dropped and
    re-created; without unit tests (the session's warehouse runs them)."""
    return build_warehouse("postgres", fresh_postgres_env("_optimize"), optimize_dataset, folder / "target",
                           unit_tests=False)


def uses_postgres(item, fixture: str, parametrized: str) -> bool:
    """Whether a collected test reads a PostgreSQL warehouse fixture, directly or as the postgres param of another."""
    params = item.callspec.params if hasattr(item, "callspec") else {}
    names = getattr(item, "fixturenames", ())
    return fixture in names or (parametrized in names and params.get(parametrized) == "postgres")


def run_sqlfluff_lint() -> subprocess.CompletedProcess:
    """sqlfluff lint of models, analyses and macros (the dbt templater on an in-memory DuckDB), in two processes."""
    folders = [folder for folder in ("models", "analyses", "macros") if any((PROJECT_DIR / folder).rglob("*.sql"))]
    return subprocess.run(
        [str(Path(sys.executable).parent / "sqlfluff"), "lint", *folders, "--disable-progress-bar", "--nocolor",
         "--processes", "2"],
        cwd=PROJECT_DIR, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
        env={**os.environ, "AI_FINOPS_DUCKDB_PATH": ":memory:", "DO_NOT_TRACK": "1"})


@pytest.fixture(scope="session", autouse=True)
def background_jobs(request, tmp_path_factory) -> dict[str, BackgroundJob]:
    """Starts, when the session starts, the slow work that runs in subprocesses and that collected tests will need:
    the Spark build, the PostgreSQL warehouses (the session's and the optimize scenario's) and the sqlfluff lint.
    They overlap the DuckDB tests of the main thread, which leave a core idle at times (the suite's own processes
    used 0.8 of the 2 cores on average, the PostgreSQL server not counted); in CI pytest went from 21:24 to 21:07.
    Each starts only when it can run (Spark and Java there, PostgreSQL reachable); otherwise its fixture builds, skips
    or fails as before, in the test that needs it."""
    items = request.session.items
    jobs: dict[str, BackgroundJob] = {}
    if any(item.path.name == "test_spark.py" for item in items) and not spark_unavailable():
        jobs["spark"] = BackgroundJob("spark-build", partial(
            build_spark_warehouse, request.getfixturevalue("dataset"), tmp_path_factory.mktemp("spark")))
    wants_postgres = any(uses_postgres(item, "postgres_warehouse", "warehouse") for item in items)
    wants_optimize_postgres = any(uses_postgres(item, "optimize_postgres_warehouse", "optimize_warehouse")
                                  for item in items)
    # Checked only when a collected test needs PostgreSQL: an unreachable server costs the connect timeout.
    postgres_up = (wants_postgres or wants_optimize_postgres) and postgres_reachable(postgres_settings()) is None
    if postgres_up and wants_postgres:
        # The suite database is created here, in the main thread, once: postgres_env is cached for the session.
        jobs["postgres"] = BackgroundJob("postgres-build", partial(
            build_warehouse, "postgres", request.getfixturevalue("postgres_env"), request.getfixturevalue("dataset"),
            tmp_path_factory.mktemp("postgres") / "target"))
    if postgres_up and wants_optimize_postgres:
        jobs["optimize_postgres"] = BackgroundJob("optimize-postgres-build", partial(
            build_optimize_postgres_warehouse, request.getfixturevalue("optimize_dataset"),
            tmp_path_factory.mktemp("optimize_postgres")))
    if any(item.path.name == "test_sqlfluff.py" for item in items):
        jobs["sqlfluff"] = BackgroundJob("sqlfluff-lint", run_sqlfluff_lint)
    for job in jobs.values():
        job.start()
    yield jobs
    for job in jobs.values():
        job.join()


@pytest.fixture(scope="session")
def spark_warehouse(background_jobs, dataset, tmp_path_factory) -> Warehouse:
    """The Spark warehouse of build_spark_warehouse; the tests query it through a session in this process."""
    problem = spark_unavailable()
    if problem:
        if IN_CI:
            pytest.fail(f"Spark cannot run: {problem}, and CI=true requires it", pytrace=False)
        pytest.skip(f"Spark cannot run: {problem}; Spark tests skipped (they always run in CI)")
    warehouse = background_result(background_jobs, "spark", lambda: build_spark_warehouse(
        dataset, tmp_path_factory.mktemp("spark")))
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def warehouse(request) -> Warehouse:
    """Each engine in turn: tests using this fixture run once on DuckDB and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_warehouse")


def as_decimal(value) -> Decimal:
    return Decimal("0") if value in (None, "") else Decimal(str(value))
