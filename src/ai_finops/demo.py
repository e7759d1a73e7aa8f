"""`ai-finops demo`: generate a demo dataset, load it into embedded DuckDB, run `dbt build`, print a summary.

The demo warehouse lives in .warehouse/demo/ and is rebuilt from scratch on every run, so running the demo twice
gives the same warehouse and the same summary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from ai_finops.project import PROJECT_DIR

DEMO_DIR = PROJECT_DIR / ".warehouse" / "demo"


def add_arguments(parser) -> None:
    parser.add_argument("--spans", type=int, default=40_000, help="spans to generate (default 40,000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")


def _step(title: str, command: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    print(f"==> {title}", flush=True)
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        print(result.stdout)
        raise SystemExit(f"demo step failed: {title}")
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def run(args) -> int:
    if DEMO_DIR.exists():
        shutil.rmtree(DEMO_DIR)
    data_dir = DEMO_DIR / "data"
    DEMO_DIR.mkdir(parents=True)
    env = {**os.environ, "AI_FINOPS_DUCKDB_PATH": str(DEMO_DIR / "ai_finops.duckdb"), "AI_FINOPS_SCHEMA": "main",
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    python = [sys.executable, "-m", "ai_finops"]
    _step(f"generate {args.spans:,} spans (seed {args.seed}) into {data_dir.relative_to(PROJECT_DIR)}",
          python + ["generate", "--out", str(data_dir), "--spans", str(args.spans), "--seed", str(args.seed)], env)
    _step("load raw tables into .warehouse/demo/ai_finops.duckdb", python + ["load", "--target", "duckdb", str(data_dir)], env)
    dbt = str(PROJECT_DIR / ".venv" / "bin" / "dbt") if (PROJECT_DIR / ".venv" / "bin" / "dbt").exists() else "dbt"
    _step("dbt build (seeds, models, tests) on DuckDB",
          [dbt, "build", "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR), "--target", "duckdb",
           "--target-path", str(DEMO_DIR / "target"), "--log-path", str(DEMO_DIR / "logs")], env)
    os.environ.update(env)
    from ai_finops import summary

    return summary.print_summary("duckdb")
