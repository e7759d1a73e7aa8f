"""Where the dbt project lives and how to reach the warehouse a target points at."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DUCKDB_PATH = ".warehouse/ai_finops.duckdb"


def duckdb_path(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    path = Path(env.get("AI_FINOPS_DUCKDB_PATH", DEFAULT_DUCKDB_PATH))
    return path if path.is_absolute() else PROJECT_DIR / path


def postgres_settings(env: dict[str, str] | None = None) -> dict[str, object]:
    env = os.environ if env is None else env
    return {
        "host": env.get("AI_FINOPS_PG_HOST", "127.0.0.1"),
        "port": int(env.get("AI_FINOPS_PG_PORT", "5432")),
        "user": env.get("AI_FINOPS_PG_USER", "postgres"),
        "password": env.get("AI_FINOPS_PG_PASSWORD", ""),
        "dbname": env.get("AI_FINOPS_PG_DBNAME", "ai_finops"),
    }


def marts_schema(target: str, env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("AI_FINOPS_SCHEMA", "main" if target == "duckdb" else "analytics")


def connect(target: str, env: dict[str, str] | None = None, read_only: bool = False):
    """A DB-API connection to the warehouse of `target` (duckdb, postgres, or spark: a local pyspark session)."""
    if target == "duckdb":
        import duckdb

        path = duckdb_path(env)
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), read_only=read_only)
    if target == "postgres":
        import psycopg2

        return psycopg2.connect(**postgres_settings(env))
    if target == "spark":
        from ai_finops.spark import SparkConnection

        return SparkConnection(env)
    raise ValueError(f"unknown target {target!r} (expected duckdb, postgres or spark)")
