"""`ai-finops build`: run dbt for a target with this project's profiles, usage stats off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ai_finops.project import PROJECT_DIR


def dbt_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # target spark: keep the local session on the loopback interface
    env.update(extra or {})
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(arguments: list[str], target: str = "duckdb", env: dict[str, str] | None = None,
            target_path: str | None = None, capture: bool = False) -> subprocess.CompletedProcess:
    """Run `dbt <arguments>` in the project directory against `target`."""
    command = [dbt_executable(), *arguments, "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR),
               "--target", target]
    if target_path:
        command += ["--target-path", target_path]
    return subprocess.run(command, cwd=PROJECT_DIR, env=dbt_env(env), text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None, check=False)


def add_arguments(parser) -> None:
    parser.add_argument("--target", default="duckdb", choices=["duckdb", "postgres", "spark"])
    parser.add_argument("dbt_args", nargs="*", help="extra arguments passed to `dbt build`")


def run(args) -> int:
    return run_dbt(["build", *args.dbt_args], target=args.target).returncode
