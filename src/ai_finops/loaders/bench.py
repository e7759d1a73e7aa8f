"""Load-speed benchmark: `python -m ai_finops.loaders.bench [--spans N] [--per-line K] [--target duckdb|postgres]`.

Writes an OTLP JSON lines file of N spans (the otel_genai.md §3a example replicated with fresh ids, K spans per line,
like a Collector batch), loads it into a fresh raw schema and prints spans per second.
Connection settings as for `ai-finops load` (environment variables, `--raw-schema` defaults to `raw_bench`).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "tests/python/fixtures/loader/genai_example.jsonl"


def write_spans(path: Path, spans: int, per_line: int) -> None:
    request = json.loads(EXAMPLE.read_text().splitlines()[0])
    template = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < spans:
            batch = []
            for _ in range(min(per_line, spans - written)):
                span = dict(template)
                span["traceId"] = f"{written // 4:032x}"
                span["spanId"] = f"{written + 1:016x}"
                span["startTimeUnixNano"] = str(1731368630000000000 + written * 1_000_000)
                batch.append(span)
                written += 1
            request["resourceSpans"][0]["scopeSpans"][0]["spans"] = batch
            out.write(json.dumps(request) + "\n")


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=200_000)
    parser.add_argument("--per-line", type=int, default=100)
    parser.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--raw-schema", default="raw_bench")
    parser.add_argument("--duckdb-path", help="DuckDB file (default: a temporary file)")
    args = parser.parse_args(argv)

    from ai_finops.loaders.core import load_paths, load_workers
    from ai_finops.loaders.warehouse import connect

    with tempfile.TemporaryDirectory(prefix="ai_finops_bench_") as directory:
        spans_file = Path(directory) / "spans.jsonl"
        write_spans(spans_file, args.spans, args.per_line)
        overrides = {"raw_schema": args.raw_schema}
        if args.target == "duckdb":
            overrides["path"] = args.duckdb_path or str(Path(directory) / "bench.duckdb")
        warehouse = connect(args.target, **dict(overrides))
        warehouse.begin()
        warehouse.execute(f"drop schema if exists {args.raw_schema} cascade")
        warehouse.commit()
        warehouse.close()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        (result,) = load_paths([spans_file], target=args.target, kind="otel_spans", **overrides)
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        size_mb = spans_file.stat().st_size / 1e6
        print(
            f"{args.target}: {result.rows} spans ({size_mb:.0f} MB, {args.per_line} spans/line) in {elapsed:.2f} s "
            f"= {result.rows / elapsed:,.0f} spans/s (loader CPU {cpu:.1f} s incl. workers, {load_workers()} workers)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
