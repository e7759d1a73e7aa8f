"""Loader framework: match files to kinds, load each file atomically and idempotently.

One file = one transaction: its rows and its `raw.load_log` row commit together or not at all. A file whose sha256 is
already logged for the same target table is skipped. A reader's `BadInput` rolls the file back and stops the run
(files loaded before stay loaded).

Rows travel through temporary CSV chunks (see `warehouse.py`); while the warehouse copies one chunk, the next one is
parsed in the main thread.
"""

from __future__ import annotations

import fnmatch
import hashlib
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
from ai_finops.loaders.otlp import OTLP_COLUMN_TYPES, OTLP_KIND
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


def _write_chunks(kind: FileKind, path: Path, source_file: str, loaded_at: str, directory: str):
    """Yield (csv_path, rows) chunks of at most CHUNK_ROWS rows. Every value is quoted; NULL is an empty field."""
    pick = operator.itemgetter(*kind.columns) if len(kind.columns) > 1 else (lambda row: (row[kind.columns[0]],))
    lineage_prefix = "," + _quote(source_file) + ","
    lineage_suffix = "," + _quote(loaded_at) + "\n"
    rows_iter = kind.reader(path)
    chunk_number = 0
    exhausted = False
    while not exhausted:
        chunk_path = Path(directory) / f"chunk-{chunk_number:05d}.csv"
        chunk_number += 1
        rows = 0
        with open(chunk_path, "w", encoding="utf-8", newline="") as out:
            write = out.write
            for line_number, row in rows_iter:
                try:
                    values = pick(row)
                except KeyError as error:
                    raise BadInput(path, line_number, f"reader returned no value for column {error}") from None
                text = ",".join(['' if value is None else '"' + value.replace('"', '""') + '"' for value in values])
                try:
                    write(text + lineage_prefix + str(line_number) + lineage_suffix)
                except UnicodeEncodeError as error:
                    raise BadInput(path, line_number, f"text that is not valid Unicode ({error})") from None
                rows += 1
                if rows >= CHUNK_ROWS:
                    break
            else:
                exhausted = True
        if rows:
            yield chunk_path, rows
        else:
            chunk_path.unlink()


def _copy_file(warehouse: Warehouse, kind: FileKind, path: Path, source_file: str, loaded_at: str) -> int:
    """Parse and COPY one file; a background thread copies chunk N while the main thread parses chunk N+1."""
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
        thread = threading.Thread(target=copier, name="ai-finops-copy", daemon=True)
        thread.start()
        try:
            for chunk_path, rows in _write_chunks(kind, path, source_file, loaded_at, directory):
                if failure:
                    break
                pending.put((chunk_path, rows))
                total += rows
        finally:
            pending.put(None)
            thread.join()
        if failure:
            raise failure[0]
    return total


def load_file(warehouse: Warehouse, path: Path, kind: FileKind) -> LoadResult:
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
        rows = _copy_file(warehouse, kind, path, source_file, loaded_at.isoformat(sep=" "))
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

    warehouse = connect(target, **conn_overrides)
    try:
        for path, file_kind in planned:
            report(load_file(warehouse, path, file_kind))
        for path in unmatched:
            report(LoadResult(str(path), "", "", 0, True, "no file kind matches this path"))
    finally:
        warehouse.close()
    return results
