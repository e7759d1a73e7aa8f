"""Loader framework: match files to kinds, load each file atomically and idempotently.

One file = one transaction: its rows and its `raw.load_log` row commit together or not at all. A file whose sha256 is
already logged for the same target table is skipped. A reader's `BadInput` rolls the file back and stops the run
(files loaded before stay loaded).

Rows travel through temporary CSV chunks (see `warehouse.py`); while the warehouse copies one chunk, the next one is
parsed in the main thread.
"""

from __future__ import annotations

import collections
import concurrent.futures
import fnmatch
import hashlib
import itertools
import multiprocessing
import operator
import os
import queue
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from ai_finops.loaders.app_csv import APP_KINDS
from ai_finops.loaders.billing import BILLING_KINDS
from ai_finops.loaders.kinds import BadInput, FileKind
from ai_finops.loaders.otlp import OTLP_COLUMN_TYPES, OTLP_KIND, read_otlp_lines
from ai_finops.loaders.warehouse import LOAD_LOG_COLUMNS, LOAD_LOG_TABLE, Warehouse, connect, table_columns

#: Rows per temporary CSV chunk (bounds temporary disk use for very large files).
CHUNK_ROWS = 200_000

#: Files of a generated dataset that are deliberately not loaded (never read by dbt).
IGNORED_PATTERNS = ("ground_truth/*", "manifest.json", "*/ground_truth/*", "*/manifest.json", "README*", ".*")


def all_kinds() -> list[FileKind]:
    return [OTLP_KIND, *APP_KINDS, *BILLING_KINDS]


def column_types(kind: FileKind) -> dict[str, str]:
    """Non-varchar data columns of a kind (only the OTLP `span_index` today)."""
    return OTLP_COLUMN_TYPES if kind.table == OTLP_KIND.table else {}


@dataclass(frozen=True)
class LoadResult:
    file: str
    kind: str
    table: str
    rows: int
    skipped: bool
    reason: str = ""


def kind_by_name(name: str) -> FileKind:
    for kind in all_kinds():
        if kind.name == name:
            return kind
    raise ValueError(f"unknown file kind {name!r}; known: {', '.join(kind.name for kind in all_kinds())}")


def _matches(path: Path, pattern: str) -> bool:
    """Does the tail of `path` (as many components as the pattern has) match the glob?"""
    depth = len(Path(pattern).parts)
    tail = Path(*path.parts[-depth:]) if len(path.parts) >= depth else path
    return fnmatch.fnmatchcase(tail.as_posix(), pattern)


def match_kind(path: Path) -> FileKind | None:
    found = [kind for kind in all_kinds() if any(_matches(path, pattern) for pattern in kind.patterns)]
    if len(found) > 1:
        raise ValueError(f"{path}: matches several file kinds ({', '.join(kind.name for kind in found)}); use --kind")
    return found[0] if found else None


def plan(paths: Iterable[str | Path], kind: str | None = None) -> tuple[list[tuple[Path, FileKind]], list[Path]]:
    """Expand folders and match kinds. Returns (files to load in order, files no kind matched)."""
    paths = [Path(path) for path in paths]
    if kind is not None:
        if len(paths) != 1 or not paths[0].is_file():
            raise ValueError("--kind forces the kind of a single file: give exactly one file")
        return [(paths[0], kind_by_name(kind))], []
    planned: list[tuple[Path, FileKind]] = []
    unmatched: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                Path(root) / name for root, _, names in os.walk(path) for name in names
            )
            for file in files:
                relative = file.relative_to(path)
                if any(fnmatch.fnmatchcase(relative.as_posix(), pattern) for pattern in IGNORED_PATTERNS):
                    continue
                matched = match_kind(file)
                if matched is None:
                    unmatched.append(file)
                else:
                    planned.append((file, matched))
        elif path.is_file():
            matched = match_kind(path)
            if matched is None:
                raise ValueError(f"{path}: no file kind matches this path; force one with --kind")
            planned.append((path, matched))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return planned, unmatched


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _write_csv(kind: FileKind, path, rows_iter, out, source_file: str, loaded_at: str, limit: int | None) -> int:
    """Write rows as CSV (every value quoted, NULL as an empty field) until `rows_iter` ends or `limit` rows."""
    columns = kind.columns
    pick = operator.itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    lineage_prefix = "," + _quote(source_file) + ","
    lineage_suffix = "," + _quote(loaded_at) + "\n"
    write = out.write
    rows = 0
    for line_number, row in rows_iter:
        try:
            values = pick(row)
        except KeyError as error:
            raise BadInput(path, line_number, f"reader returned no value for column {error}") from None
        text = ",".join(["" if value is None else '"' + value.replace('"', '""') + '"' for value in values])
        if "\x00" in text:
            raise BadInput(path, line_number, "a value contains a NUL character (U+0000), which warehouses cannot store")
        try:
            write(text + lineage_prefix + str(line_number) + lineage_suffix)
        except UnicodeEncodeError as error:
            raise BadInput(path, line_number, f"text that is not valid Unicode ({error})") from None
        rows += 1
        if limit is not None and rows >= limit:
            break
    return rows


def _serial_chunks(kind: FileKind, path: Path, source_file: str, loaded_at: str, directory: str):
    """Yield (csv_path, rows) chunks of at most CHUNK_ROWS rows, parsed in this process."""
    rows_iter = kind.reader(path)
    for chunk_number in itertools.count():
        chunk_path = Path(directory) / f"chunk-{chunk_number:06d}.csv"
        with open(chunk_path, "w", encoding="utf-8", newline="") as out:
            rows = _write_csv(kind, path, rows_iter, out, source_file, loaded_at, CHUNK_ROWS)
        if not rows:
            chunk_path.unlink()
            return
        yield chunk_path, rows


# --- parallel parsing of line-oriented kinds (OTLP JSON lines) -------------------------------------------------------

#: Kinds whose files can be cut at line boundaries and parsed in worker processes: name -> reader of numbered lines.
LINE_READERS = {OTLP_KIND.name: read_otlp_lines}
#: Bytes per block handed to a worker, and the file size from which worker processes are used.
BLOCK_BYTES = 8 << 20
PARALLEL_MIN_BYTES = 32 << 20


def load_workers() -> int:
    """Worker processes for parsing big OTLP files (env AI_FINOPS_LOAD_WORKERS; default: CPU count, at most 8)."""
    configured = os.environ.get("AI_FINOPS_LOAD_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, min(8, os.cpu_count() or 1))


def _parse_block(kind_name, path, source_file, loaded_at, first_line, block, chunk_path):
    """Worker: parse one block of whole lines into a CSV chunk. Returns (chunk_path, rows) or ("bad", line, reason)."""
    kind = kind_by_name(kind_name)
    numbered = enumerate(block.split(b"\n"), start=first_line)
    try:
        with open(chunk_path, "w", encoding="utf-8", newline="") as out:
            rows = _write_csv(
                kind, path, LINE_READERS[kind_name](path, numbered), out, source_file, loaded_at, None,
            )
    except BadInput as error:
        return ("bad", error.line_number, error.reason)
    return (chunk_path, rows)


def _blocks(path: Path):
    """Yield (first_line_number, bytes) blocks of about BLOCK_BYTES, cut after a newline."""
    line_number = 1
    with open(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK_BYTES)
            if not block:
                return
            if not block.endswith(b"\n"):
                block += handle.readline()
            yield line_number, block.removesuffix(b"\n")
            line_number += block.count(b"\n")


def _parallel_chunks(pool, kind: FileKind, path: Path, source_file: str, loaded_at: str, directory: str):
    """Yield (csv_path, rows) in file order while worker processes parse the blocks ahead."""
    in_flight: collections.deque = collections.deque()
    depth = 2 * load_workers()  # bounded read-ahead

    def collect(future):
        result = future.result()
        if result[0] == "bad":
            raise BadInput(path, result[1], result[2])
        return result

    try:
        for number, (first_line, block) in enumerate(_blocks(path)):
            chunk_path = str(Path(directory) / f"chunk-{number:06d}.csv")
            in_flight.append(
                pool.submit(_parse_block, kind.name, str(path), source_file, loaded_at, first_line, block, chunk_path)
            )
            while len(in_flight) >= depth:
                chunk_path, rows = collect(in_flight.popleft())
                yield Path(chunk_path), rows
        while in_flight:
            chunk_path, rows = collect(in_flight.popleft())
            yield Path(chunk_path), rows
    finally:
        for future in in_flight:
            future.cancel()
        for future in in_flight:
            if not future.cancelled():
                concurrent.futures.wait([future])


def _wants_pool(path: Path, kind: FileKind) -> bool:
    return kind.name in LINE_READERS and path.stat().st_size >= PARALLEL_MIN_BYTES and load_workers() > 1


def _make_pool():
    # fork: the workers only run pure-Python parsing. The pool is created before any warehouse connection is
    # opened, so no database thread exists when the workers are forked.
    context = multiprocessing.get_context("fork")
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=load_workers(), mp_context=context)
    pool.submit(int, 0).result()  # start the workers now
    return pool


def _copy_file(warehouse: Warehouse, kind: FileKind, path: Path, source_file: str, loaded_at: str, pool=None) -> int:
    """Parse and COPY one file; a background thread copies chunk N while chunk N+1 is parsed."""
    copy_columns = [*kind.columns, "source_file", "source_line", "loaded_at"]
    pending: queue.Queue = queue.Queue(maxsize=1)
    failure: list[BaseException] = []

    def copier():
        while True:
            item = pending.get()
            if item is None:
                return
            chunk_path, _ = item
            try:
                if not failure:
                    warehouse.copy_csv(kind.table, copy_columns, chunk_path)
            except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
                failure.append(error)
            finally:
                chunk_path.unlink(missing_ok=True)

    total = 0
    with tempfile.TemporaryDirectory(prefix="ai_finops_load_") as directory:
        if pool is not None and kind.name in LINE_READERS:
            chunks = _parallel_chunks(pool, kind, path, source_file, loaded_at, directory)
        else:
            chunks = _serial_chunks(kind, path, source_file, loaded_at, directory)
        thread = threading.Thread(target=copier, name="ai-finops-copy", daemon=True)
        thread.start()
        try:
            for chunk_path, rows in chunks:
                if failure:
                    break
                pending.put((chunk_path, rows))
                total += rows
        finally:
            chunks.close()
            pending.put(None)
            thread.join()
        if failure:
            raise failure[0]
    return total


def load_file(warehouse: Warehouse, path: Path, kind: FileKind, pool=None) -> LoadResult:
    """Load one file in one transaction together with its load_log row; skip it when already loaded."""
    source_file = str(path)
    sha = file_sha256(path)
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    warehouse.begin()
    try:
        warehouse.ensure_table(LOAD_LOG_TABLE, list(LOAD_LOG_COLUMNS))
        warehouse.ensure_table(kind.table, table_columns(kind.columns, column_types(kind)))
        if hasattr(warehouse, "lock_load_log"):
            warehouse.lock_load_log()
        if warehouse.already_loaded(sha, kind.table):
            warehouse.rollback()
            return LoadResult(source_file, kind.name, kind.table, 0, True, "already loaded (same sha256)")
        rows = _copy_file(warehouse, kind, path, source_file, loaded_at.isoformat(sep=" "), pool)
        warehouse.log_load(path.name, source_file, sha, kind.name, kind.table, rows, loaded_at)
        warehouse.commit()
    except BaseException:
        warehouse.rollback()
        raise
    return LoadResult(source_file, kind.name, kind.table, rows, False)


def load_paths(
    paths: Iterable[str | Path],
    target: str = "duckdb",
    kind: str | None = None,
    on_result: Callable[[LoadResult], None] | None = None,
    **conn_overrides,
) -> list[LoadResult]:
    """Load files and dataset folders into the raw tables of `target`.

    Returns one `LoadResult` per file (files no kind matched are reported with `kind=""` and `skipped=True`).
    Raises `BadInput` on the first malformed file; files loaded before it stay loaded.
    """
    planned, unmatched = plan(paths, kind)
    results: list[LoadResult] = []

    def report(result: LoadResult):
        results.append(result)
        if on_result is not None:
            on_result(result)

    pool = _make_pool() if any(_wants_pool(path, file_kind) for path, file_kind in planned) else None
    try:
        warehouse = connect(target, **conn_overrides)
        try:
            for path, file_kind in planned:
                report(load_file(warehouse, path, file_kind, pool if _wants_pool(path, file_kind) else None))
            for path in unmatched:
                report(LoadResult(str(path), "", "", 0, True, "no file kind matches this path"))
        finally:
            warehouse.close()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results
