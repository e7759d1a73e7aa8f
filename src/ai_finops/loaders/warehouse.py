"""Warehouse connections, raw DDL and bulk COPY for DuckDB, PostgreSQL and Spark.

Connection settings come from the same environment variables as `profiles.yml`; keyword overrides win.
Rows reach the warehouse through a temporary CSV file (RFC 4180: every non-NULL value double-quoted, `"` doubled,
NULL written as an unquoted empty field), read by DuckDB `COPY ... FROM` and PostgreSQL `COPY ... FROM STDIN`.
Both engines are told exactly these rules, so tabs, newlines, carriage returns and quotes survive, and an empty string
stays distinct from NULL. Spark's CSV reader would read `""` as NULL, so for Spark the loader parses the chunk itself
(`parse_chunk_csv`) and hands the rows to the session.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LOAD_LOG_TABLE = "load_log"
LOAD_LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_name", "varchar"),
    ("source_file", "varchar"),
    ("file_sha256", "varchar"),
    ("file_kind", "varchar"),
    ("target_table", "varchar"),
    ("rows_loaded", "bigint"),
    ("loaded_at", "timestamp"),
)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def identifier(name: str) -> str:
    """Only plain lower-case identifiers are accepted (no quoting games with schema or table names)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain lower-case SQL identifier: {name!r}")
    return name


def table_columns(columns: tuple[str, ...], column_types: dict[str, str]) -> list[tuple[str, str]]:
    """Columns of a raw table in contract order: varchar data columns, `source_file`, `source_line`, the typed
    data columns (e.g. `span_index`), `loaded_at`."""
    plain = [(name, "varchar") for name in columns if name not in column_types]
    typed = [(name, column_types[name]) for name in columns if name in column_types]
    return plain + [("source_file", "varchar"), ("source_line", "bigint")] + typed + [("loaded_at", "timestamp")]


class Warehouse:
    """One connection; subclasses know the engine's SQL and COPY."""

    engine = ""

    def __init__(self, raw_schema: str):
        self.raw_schema = identifier(raw_schema)

    # --- transactions -------------------------------------------------------------------------------------------
    def begin(self):
        raise NotImplementedError

    def commit(self):
        raise NotImplementedError

    def rollback(self):
        raise NotImplementedError

    def execute(self, sql: str, parameters: tuple = ()):
        raise NotImplementedError

    def fetchall(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        raise NotImplementedError

    def copy_csv(self, table: str, columns: list[str], csv_path: Path):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    # --- shared SQL ---------------------------------------------------------------------------------------------
    def qualified(self, table: str) -> str:
        return f"{self.raw_schema}.{identifier(table)}"

    def existing_columns(self, table: str) -> list[str]:
        rows = self.fetchall(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (self.raw_schema, table),
        )
        return [row[0] for row in rows]

    def create_table_sql(self, table: str, columns: list[tuple[str, str]]) -> str:
        column_sql = ",\n    ".join(f"{identifier(name)} {data_type}" for name, data_type in columns)
        return f"create table if not exists {self.qualified(table)} (\n    {column_sql}\n)"

    def ensure_table(self, table: str, columns: list[tuple[str, str]]):
        """Create the schema and table when missing; refuse a table whose columns differ from the expected ones."""
        self.execute(f"create schema if not exists {self.raw_schema}")
        existing = self.existing_columns(table)
        if not existing:
            self.execute(self.create_table_sql(table, columns))
        elif sorted(existing) != sorted(name for name, _ in columns):
            raise RuntimeError(
                f"{self.qualified(table)} exists with columns {existing}, expected {[name for name, _ in columns]}"
            )

    def already_loaded(self, file_sha256: str, table: str) -> bool:
        rows = self.fetchall(
            f"select count(*) from {self.qualified(LOAD_LOG_TABLE)} where file_sha256 = %s and target_table = %s",
            (file_sha256, table),
        )
        return rows[0][0] > 0

    def log_load(self, file_name, source_file, file_sha256, file_kind, table, rows_loaded, loaded_at):
        self.execute(
            f"insert into {self.qualified(LOAD_LOG_TABLE)} "
            f"({', '.join(name for name, _ in LOAD_LOG_COLUMNS)}) values (%s, %s, %s, %s, %s, %s, %s)",
            (file_name, source_file, file_sha256, file_kind, table, rows_loaded, loaded_at),
        )


class DuckDBWarehouse(Warehouse):
    engine = "duckdb"

    def __init__(self, path: str, raw_schema: str):
        super().__init__(raw_schema)
        import duckdb

        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(path)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%s", "?")

    def begin(self):
        self.connection.execute("begin transaction")

    def commit(self):
        self.connection.execute("commit")

    def rollback(self):
        self.connection.execute("rollback")

    def execute(self, sql, parameters=()):
        self.connection.execute(self._sql(sql), list(parameters))

    def fetchall(self, sql, parameters=()):
        return self.connection.execute(self._sql(sql), list(parameters)).fetchall()

    def copy_csv(self, table, columns, csv_path):
        path_literal = str(csv_path).replace("'", "''")
        self.connection.execute(
            f"copy {self.qualified(table)} ({', '.join(columns)}) from '{path_literal}' ("
            "format csv, header false, delimiter ',', quote '\"', escape '\"', nullstr '', "
            "allow_quoted_nulls false, auto_detect false, strict_mode true, max_line_size 1073741824)"
        )

    def close(self):
        self.connection.close()


class PostgresWarehouse(Warehouse):
    engine = "postgres"

    def __init__(self, host, port, user, password, dbname, raw_schema):
        super().__init__(raw_schema)
        import psycopg2

        self.connection = psycopg2.connect(
            host=host, port=int(port), user=user, password=password or None, dbname=dbname,
        )
        self.connection.autocommit = False

    def begin(self):
        pass  # psycopg2 opens a transaction on the first statement

    def commit(self):
        self.connection.commit()

    def rollback(self):
        self.connection.rollback()

    def execute(self, sql, parameters=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters or None)

    def fetchall(self, sql, parameters=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters or None)
            return cursor.fetchall()

    def lock_load_log(self):
        # Serializes concurrent loaders between the sha256 check and the load_log insert.
        self.execute(f"lock table {self.qualified(LOAD_LOG_TABLE)} in share row exclusive mode")

    def copy_csv(self, table, columns, csv_path):
        with self.connection.cursor() as cursor, open(csv_path, "rb") as handle:
            cursor.copy_expert(
                f"copy {self.qualified(table)} ({', '.join(columns)}) from stdin "
                "with (format csv, header false, delimiter ',', quote '\"', escape '\"', null '')",
                handle,
                size=1 << 20,
            )

    def close(self):
        self.connection.close()


_QUOTED_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)"')
_PLAIN_FIELD = re.compile(r"[^,\n\"]*")


def parse_chunk_csv(text: str, width: int) -> list[list[str | None]]:
    """Rows of a chunk written by the loader: text values double-quoted (`"` doubled), numbers plain, NULL an
    unquoted empty field, rows ended by a newline. Unlike a general CSV reader it keeps `""` (the empty string)
    apart from NULL."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    position, end = 0, len(text)
    while position < end:
        match = (_QUOTED_FIELD if text[position] == '"' else _PLAIN_FIELD).match(text, position)
        if match is None:
            raise ValueError(f"unterminated quoted field at character {position}")
        if match.group(0).startswith('"'):
            row.append(match.group(1).replace('""', '"'))
        else:
            row.append(match.group(0) or None)
        position = match.end()
        separator = text[position] if position < end else "\n"
        position += 1
        if separator == "\n":
            if len(row) != width:
                raise ValueError(f"row {len(rows) + 1} has {len(row)} fields, expected {width}")
            rows.append(row)
            row = []
        elif separator != ",":
            raise ValueError(f"unexpected {separator!r} after a field at character {position - 1}")
    return rows


class SparkWarehouse(Warehouse):
    """Raw tables as parquet tables in the Spark session's catalog (see ai_finops.spark).

    Spark has no transactions. A file's chunks are parsed into checkpointed DataFrames; `commit` appends them to the
    raw table with one `insert ... select` and then writes the file's `load_log` row; `rollback` drops them. A process
    killed between those two statements leaves the rows without their log row (re-loading the file would then add
    them again); an error in the file itself never writes anything.
    """

    engine = "spark"
    TYPES = {"varchar": "string"}

    def __init__(self, raw_schema: str, env: dict[str, str] | None = None):
        super().__init__(raw_schema)
        from ai_finops.spark import session

        self.spark = session(env)
        self._ensured: set[str] = set()
        self._pending: dict[str, list] = {}
        self._log_rows: list[tuple] = []

    def begin(self):
        self._pending, self._log_rows = {}, []

    def commit(self):
        for table, frames in self._pending.items():
            frame = frames[0]
            for more in frames[1:]:
                frame = frame.unionByName(more)
            view = f"ai_finops_loading_{table}"
            frame.createOrReplaceTempView(view)
            target = self.spark.table(self.qualified(table)).schema.fields
            select = ", ".join(f"cast({field.name} as {field.dataType.simpleString()})" for field in target)
            self.execute(f"insert into {self.qualified(table)} select {select} from {view}")
            self.spark.catalog.dropTempView(view)
        for row in self._log_rows:
            self.execute(
                f"insert into {self.qualified(LOAD_LOG_TABLE)} "
                "select ?, ?, ?, ?, ?, cast(? as bigint), cast(? as timestamp)", row,
            )
        self._pending, self._log_rows = {}, []

    def rollback(self):
        self._pending, self._log_rows = {}, []

    def execute(self, sql, parameters=()):
        self.spark.sql(sql.replace("%s", "?"), args=list(parameters) or None).collect()

    def fetchall(self, sql, parameters=()):
        rows = self.spark.sql(sql.replace("%s", "?"), args=list(parameters) or None).collect()
        return [tuple(row) for row in rows]

    def existing_columns(self, table: str) -> list[str]:
        name = self.qualified(table)
        return list(self.spark.table(name).columns) if self.spark.catalog.tableExists(name) else []

    def create_table_sql(self, table: str, columns: list[tuple[str, str]]) -> str:
        spark_columns = [(name, self.TYPES.get(data_type, data_type)) for name, data_type in columns]
        return super().create_table_sql(table, spark_columns) + " using parquet"

    def ensure_table(self, table: str, columns: list[tuple[str, str]]):
        if table not in self._ensured:  # catalog look-ups are slow on Spark: once per table and process
            super().ensure_table(table, columns)
            self._ensured.add(table)

    def log_load(self, file_name, source_file, file_sha256, file_kind, table, rows_loaded, loaded_at):
        # Written by commit(), after the file's rows; the timestamp travels as text (UTC, the session time zone).
        self._log_rows.append((file_name, source_file, file_sha256, file_kind, table, str(rows_loaded),
                               loaded_at.isoformat(sep=" ")))

    def copy_csv(self, table, columns, csv_path):
        from pyspark.sql.types import StringType, StructField, StructType

        with open(csv_path, encoding="utf-8", newline="") as handle:
            rows = parse_chunk_csv(handle.read(), len(columns))
        frame = self.spark.createDataFrame(rows, StructType([StructField(name, StringType()) for name in columns]))
        # Checkpointed (memory, spilling to disk) so that a big file does not stay in the driver as Python rows.
        self._pending.setdefault(table, []).append(frame.localCheckpoint(eager=True))

    def close(self):
        pass  # the session belongs to the process (ai_finops.spark.stop ends it)


def connect(target: str = "duckdb", **overrides) -> Warehouse:
    """Open the warehouse named by `target`; settings from the profiles.yml environment variables or `overrides`
    (`path` for DuckDB; `host`, `port`, `user`, `password`, `dbname` for PostgreSQL; `raw_schema` for all; Spark
    reads AI_FINOPS_SPARK_DIR, see ai_finops.spark)."""
    raw_schema = overrides.pop("raw_schema", None) or os.environ.get("AI_FINOPS_RAW_SCHEMA", "raw")
    if target == "duckdb":
        path = overrides.pop("path", None) or os.environ.get("AI_FINOPS_DUCKDB_PATH", ".warehouse/ai_finops.duckdb")
        warehouse = DuckDBWarehouse(str(path), raw_schema)
    elif target == "postgres":
        settings = {
            "host": os.environ.get("AI_FINOPS_PG_HOST", "127.0.0.1"),
            "port": os.environ.get("AI_FINOPS_PG_PORT", "5432"),
            "user": os.environ.get("AI_FINOPS_PG_USER", "postgres"),
            "password": os.environ.get("AI_FINOPS_PG_PASSWORD", ""),
            "dbname": os.environ.get("AI_FINOPS_PG_DBNAME", "ai_finops"),
        }
        for key in list(overrides):
            if key in settings:
                settings[key] = overrides.pop(key)
        warehouse = PostgresWarehouse(raw_schema=raw_schema, **settings)
    elif target == "spark":
        warehouse = SparkWarehouse(raw_schema)
    else:
        raise ValueError(f"unknown target {target!r} (expected duckdb, postgres or spark)")
    if overrides:
        warehouse.close()
        raise TypeError(f"unknown connection settings for {target}: {sorted(overrides)}")
    return warehouse
