"""Raw loaders: OTLP JSON lines, business CSVs and billing exports into the raw landing tables.

Python API: `load_paths(paths, target="duckdb", **conn_overrides) -> list[LoadResult]`; command: `ai-finops load`.
"""

from ai_finops.loaders.kinds import BadInput, FileKind


def __getattr__(name):  # lazy, so that importing kinds/billing does not import the framework
    if name in ("load_paths", "LoadResult"):
        from ai_finops.loaders import core

        return getattr(core, name)
    raise AttributeError(name)


__all__ = ["BadInput", "FileKind", "LoadResult", "load_paths"]
