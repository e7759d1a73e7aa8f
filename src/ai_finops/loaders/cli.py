"""`ai-finops load [--target duckdb|postgres|spark] [--kind NAME] PATH...`

PATH is a file or a dataset folder as written by `ai-finops generate` (`otlp/*.jsonl`, `app/*.csv`, `billing/...`).
Each file is loaded in one transaction with its `raw.load_log` row; a file already loaded (same sha256, same table)
is skipped. A malformed file stops the run with `file:line: reason` and exit code 1; files loaded before it stay.
A file that matches no known kind is listed and not loaded, and the command exits 1 (unless --allow-unmatched).
Connection settings: the environment variables of profiles.yml (AI_FINOPS_DUCKDB_PATH, AI_FINOPS_PG_*, AI_FINOPS_SPARK_*);
raw schema: AI_FINOPS_RAW_SCHEMA (default `raw`).
"""

from __future__ import annotations

import argparse
import sys
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file or dataset folder to load")
    parser.add_argument("--target", choices=("duckdb", "postgres", "spark"), default="duckdb",
                        help="warehouse (default duckdb; spark: a local pyspark session, see ai_finops.spark)")
    parser.add_argument("--kind", help="force the file kind of a single file (e.g. otel_spans, app_plans)")
    parser.add_argument("--raw-schema", help="raw schema (default: env AI_FINOPS_RAW_SCHEMA or `raw`)")
    parser.add_argument("--allow-unmatched", action="store_true",
                        help="exit 0 even when some files match no known kind (they are listed and not loaded)")


def run(args: argparse.Namespace) -> int:
    from ai_finops.loaders.core import load_paths
    from ai_finops.loaders.kinds import BadInput

    started = time.perf_counter()
    totals = {"loaded": 0, "skipped": 0, "rows": 0, "unmatched": 0}

    def report(result):
        if not result.kind:
            totals["unmatched"] += 1
            print(f"warning: not loaded {result.file}: {result.reason}", file=sys.stderr)
        elif result.skipped:
            totals["skipped"] += 1
            print(f"skipped {result.file} -> {result.table}: {result.reason}")
        else:
            totals["loaded"] += 1
            totals["rows"] += result.rows
            print(f"loaded  {result.file} -> {result.table}: {result.rows} rows")

    overrides = {"raw_schema": args.raw_schema} if args.raw_schema else {}
    try:
        load_paths(args.paths, target=args.target, kind=args.kind, on_result=report, **overrides)
    except BadInput as error:
        print(f"error: {error} (nothing from this file was loaded)", file=sys.stderr)
        return 1
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - warehouse errors (locked DuckDB file, PostgreSQL down, ...)
        print(f"error: {type(error).__name__}: {error} (the file being loaded was rolled back)", file=sys.stderr)
        return 1
    finally:
        if args.target == "spark":
            from ai_finops.spark import stop

            stop()  # release the Derby metastore for dbt
    elapsed = time.perf_counter() - started
    print(
        f"{totals['loaded']} files loaded ({totals['rows']} rows), {totals['skipped']} skipped, "
        f"{totals['unmatched']} not matched, in {elapsed:.1f} s"
    )
    if totals["unmatched"] and not args.allow_unmatched:
        print(f"error: {totals['unmatched']} file(s) matched no known kind and were not loaded; rename them, force a "
              "kind with --kind, or pass --allow-unmatched", file=sys.stderr)
        return 1
    return 0
