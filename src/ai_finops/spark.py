"""The local Spark session (pyspark) that the loader, `ai-finops summary` and the tests use for the `spark` target.

It is configured like the `spark` target of profiles.yml (dbt-spark session mode), so that the raw tables the loader
writes and the tables dbt builds share one catalog: an embedded Derby metastore in `AI_FINOPS_SPARK_DIR/metastore_db`
and parquet files under `AI_FINOPS_SPARK_DIR/warehouse` (default `.warehouse/spark` in the project folder).
Embedded Derby admits one process at a time: load, then build, then query, one after the other.

One session per process (Spark's own rule): the first call decides the configuration; later calls reuse it.
pyspark is an optional dependency (`make spark-venv` installs it into `.venv-spark`); importing this module does not
import pyspark.
"""

from __future__ import annotations

import os
from pathlib import Path

from ai_finops.project import PROJECT_DIR

DEFAULT_SPARK_DIR = ".warehouse/spark"


def spark_dir(env: dict[str, str] | None = None) -> Path:
    """Folder of the Spark warehouse and metastore (AI_FINOPS_SPARK_DIR; relative paths are relative to the project
    folder, where dbt runs)."""
    env = os.environ if env is None else env
    path = Path(env.get("AI_FINOPS_SPARK_DIR", DEFAULT_SPARK_DIR))
    return path if path.is_absolute() else PROJECT_DIR / path


def session_config(env: dict[str, str] | None = None) -> dict[str, str]:
    """The Spark settings of the `spark` target in profiles.yml (server_side_parameters), rendered for `env`."""
    env = os.environ if env is None else env
    folder = spark_dir(env)
    return {
        "spark.master": env.get("AI_FINOPS_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": env.get("AI_FINOPS_SPARK_DRIVER_MEMORY", "2g"),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": env.get("AI_FINOPS_SPARK_SHUFFLE_PARTITIONS", "2"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
        "spark.sql.constraintPropagation.enabled": "false",
        "spark.sql.warehouse.dir": f"{folder}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={folder}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={folder}/derby.log",
    }


def session(env: dict[str, str] | None = None):
    """The process's SparkSession with Hive catalog support, created on first use."""
    env = os.environ if env is None else env
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark_dir(env).mkdir(parents=True, exist_ok=True)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    # dbt-spark forces ANSI mode off in session mode; the loader and the tests see the same SQL semantics.
    for key, value in {**session_config(env), "spark.sql.ansi.enabled": "false"}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(env.get("AI_FINOPS_SPARK_LOG_LEVEL", "ERROR"))
    return spark


def stop() -> None:
    """Stop the process's session, if any (releases the Derby metastore for the next process)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


class SparkCursor:
    """Just enough of a DB-API cursor: execute (with `?` or `%s` positional parameters), fetchall, description."""

    def __init__(self, spark):
        self.spark = spark
        self.description: list[tuple] | None = None
        self._frame = None

    def execute(self, sql: str, parameters=()):
        self._frame = self.spark.sql(sql.replace("%s", "?"), args=list(parameters) or None)
        self.description = [(field.name, field.dataType.simpleString(), None, None, None, None, field.nullable)
                            for field in self._frame.schema.fields]
        return self

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self._frame.collect()] if self._frame is not None else []

    def close(self):
        self._frame = None


class SparkConnection:
    """A DB-API-like connection over the session (no transactions: Spark has none)."""

    def __init__(self, env: dict[str, str] | None = None):
        self.spark = session(env)

    def cursor(self) -> SparkCursor:
        return SparkCursor(self.spark)

    def close(self):
        stop()  # one session per process: closing the connection ends it and releases the metastore

