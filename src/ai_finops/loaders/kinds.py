"""The shape every file reader registers with the loader framework.

A reader turns one file into rows for one raw table. It yields `(line_number, row)` pairs, where `row` maps every name
in `columns` to a string or None (raw tables are all-varchar except the lineage columns the framework adds:
`source_file`, `source_line`, `loaded_at`). A reader raises `BadInput(path, line_number, reason)` on anything it cannot
read; the framework then loads nothing from that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

Row = dict[str, "str | None"]


class BadInput(Exception):
    """A file or line that cannot be read. The message names the file and the line."""

    def __init__(self, path: Path | str, line_number: int | None, reason: str):
        self.path = str(path)
        self.line_number = line_number
        self.reason = reason
        where = f"{self.path}:{line_number}" if line_number is not None else self.path
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class FileKind:
    name: str                      # e.g. "openai_costs"
    patterns: tuple[str, ...]      # globs relative to a dataset folder, e.g. ("billing/openai/costs*.jsonl",)
    table: str                     # raw table name, e.g. "billing_openai_costs"
    columns: tuple[str, ...]       # data columns, in order (lineage columns are added by the framework)
    reader: Callable[[Path], Iterator[tuple[int, Row]]]
    description: str = ""
