"""Writing tables as Parquet or as contract CSV text (deterministic bytes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _timestamp_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """ISO-8601 UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (null stays null)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    micros = arr.cast(pa.int64())
    valid = np.asarray(micros.is_valid())
    seconds = np.asarray(micros.fill_null(0)) // 1_000_000
    text = np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z")
    return pa.array(text.tolist(), pa.string(), mask=~valid)


def to_text(table: pa.Table) -> pa.Table:
    """Every column as contract text: ISO timestamps with Z, dates, true/false, plain decimals."""
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if pa.types.is_timestamp(kind):
            columns[name] = _timestamp_text(column)
        elif pa.types.is_string(kind):
            columns[name] = column.combine_chunks()
        else:
            columns[name] = column.cast(pa.string()).combine_chunks()
    return pa.table(columns)


def write_csv(table: pa.Table, path: Path) -> None:
    """UTF-8 CSV with a header, comma separated, strings quoted, empty = null."""
    options = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
    pacsv.write_csv(table, str(path), write_options=options)


UNIQUE_COLUMNS = ("event_id", "session_id", "touch_id", "invoice_id", "response_id", "ticket_id")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet with fixed settings (same input, same bytes); unique ids skip dictionaries."""
    dictionary = [c for c in table.column_names if c not in UNIQUE_COLUMNS]
    pq.write_table(table, str(path), compression="snappy", use_dictionary=dictionary, write_statistics=True)


def write(table: pa.Table, path_without_suffix: Path, fmt: str) -> Path:
    """Write ``table`` as ``<path>.parquet`` or ``<path>.csv`` and return the path."""
    path = path_without_suffix.with_suffix(f".{fmt}")
    if fmt == "csv":
        write_csv(table if all(pa.types.is_string(t) for t in table.schema.types) else to_text(table), path)
    else:
        write_parquet(table, path)
    return path
