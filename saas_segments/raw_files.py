"""The files of each raw table, found by the layout rules of the source contract.

A table is one file ``<table>.parquet``, ``<table>.csv`` or ``<table>.csv.gz`` in
the raw dir, or a folder ``<table>/`` of such files at any depth (daily drops,
Hive-style partition folders such as ``events/date=2026-06-01/part-0.parquet``).
Suffixes match in any case (``.PARQUET``, ``.CSV``). Nothing in a table's place is
ignored: any other file in its folder (``events/notes.txt``), or a file named
``<table>.<other suffix>``, is an error listing it.

The DuckDB build finds the same files with the same rules
(``raw_table_entries`` in macros/raw/prepare_raw_sources.sql) and records them in
``raw._raw_files``; the PostgreSQL loader and the Dagster observation of raw
files use this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from saas_segments.project import PROJECT_DIR

# Readable suffixes (matched in lower case) and how each is read.
FORMATS = {".csv.gz": "csv_gz", ".parquet": "parquet", ".csv": "csv"}


class RawLayoutError(ValueError):
    """A raw table's files do not follow the layout rules."""


def file_format(name: str) -> str | None:
    """``parquet``, ``csv`` or ``csv_gz`` for a readable file name, else None."""
    lower = name.lower()
    for suffix, kind in FORMATS.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return kind
    return None


@dataclass(frozen=True)
class TableFiles:
    """The files of one raw table by format (sorted paths), and whether it is a folder."""

    identifier: str
    parquet: tuple[Path, ...] = ()
    csv: tuple[Path, ...] = ()
    csv_gz: tuple[Path, ...] = ()
    folder: bool = False

    @property
    def all(self) -> list[Path]:
        return sorted([*self.parquet, *self.csv, *self.csv_gz])


def find_table_files(raw_dir: Path, identifier: str) -> TableFiles:
    """The files of raw table ``identifier`` (none found: every tuple empty).

    Raises :class:`RawLayoutError` when the table is both a file and a folder, or
    when a file in its place is not read, naming the files relative to ``raw_dir``.
    """
    raw_dir = Path(raw_dir)
    singles = sorted(path for path in raw_dir.glob(f"{identifier}.*") if path.is_file())
    folder = raw_dir / identifier
    nested = sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
    by_format: dict[str, list[Path]] = {kind: [] for kind in FORMATS.values()}
    unread = []
    for path in [*singles, *nested]:
        # a single file is exactly `<table>` + a readable suffix (`events.old.csv` is not read)
        kind = FORMATS.get(path.name[len(identifier):].lower()) if path in singles else file_format(path.name)
        if kind is None:
            unread.append(path)
        else:
            by_format[kind].append(path)
    if singles and nested:
        raise RawLayoutError(f"raw table '{identifier}' is both a file and a folder in '{raw_dir}'; keep one")
    if unread:
        names = ", ".join(path.relative_to(raw_dir).as_posix() for path in unread)
        raise RawLayoutError(
            f"raw table '{identifier}' has files that are not read (only .parquet, .csv and .csv.gz, in any case): {names}"
        )
    return TableFiles(
        identifier,
        parquet=tuple(by_format["parquet"]),
        csv=tuple(by_format["csv"]),
        csv_gz=tuple(by_format["csv_gz"]),
        folder=bool(nested),
    )


# ---- reading a table's files with DuckDB, as the DuckDB build does --------------------

CSV_DIALECT = "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'"


def _sql_string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join(_sql_string(path) for path in paths) + "]"


def hash_max_bytes(project_dir: Path = PROJECT_DIR) -> int:
    """The size up to which a raw file is versioned by a hash of its bytes (DuckDB reads
    a file whole to hash it), larger ones by their modification time: the dbt var
    ``staged_file_hash_max_bytes``, which the staged layer's ledger reads too."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return int(project["vars"]["staged_file_hash_max_bytes"])


def file_versions(paths: Iterable[Path]) -> dict[Path, str]:
    """A version of each file that changes with its bytes: ``hash <n>`` (DuckDB's 64-bit
    hash of the bytes, as the staged layer's ledger records it: a file rewritten at the
    same size and time is seen as changed, one only touched is not), or ``modified <ns>``
    (its modification time) above :func:`hash_max_bytes`."""
    limit = hash_max_bytes()
    versions: dict[Path, str] = {}
    hashed = []
    for path in paths:
        stat = path.stat()
        if stat.st_size <= limit:
            hashed.append(path)
        else:
            versions[path] = f"modified {stat.st_mtime_ns}"
    if hashed:
        with duckdb.connect() as duck:
            rows = duck.execute(f"select filename, cast(hash(content) as varchar) from read_blob({_sql_list(hashed)})").fetchall()
        found = dict(rows)
        versions.update({path: "hash " + found[str(path)] for path in hashed})
    return versions


def csv_header(duck: duckdb.DuckDBPyConnection, path: Path, compression: str) -> list[str]:
    """Column names of a CSV file's header line (read as latin-1 so any bytes pass; a byte order mark is dropped).

    The single-threaded reader: a parallel scan may hand `limit 1` a line of a later chunk.
    """
    row = duck.execute(
        f"select line from read_csv({_sql_string(path)}, header = false, auto_detect = false,"
        " columns = {'line': 'varchar'}, delim = '\\x1f', quote = '', escape = '', encoding = 'latin-1',"
        f" compression = '{compression}', ignore_errors = true, parallel = false) limit 1"
    ).fetchone()
    first = (row[0] or "") if row else ""
    # a UTF-8 byte order mark, read as latin-1
    return [name.strip().strip('"') for name in first.removeprefix("\xef\xbb\xbf").split(",")]


@dataclass(frozen=True)
class RejectedLine:
    """A CSV line the reader could not parse (its first error)."""

    file_path: str
    line: int
    line_byte_position: int
    error_type: str
    error_message: str
    csv_line: str


@dataclass(frozen=True)
class TableRead:
    """How to read one table: one select per file group, its rejected lines, and the
    files that lack a required column (relative path, column)."""

    selects: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]
    missing_columns: tuple[tuple[str, str], ...]

    @property
    def sql(self) -> str:
        return " union all by name ".join(self.selects)


def read_table(duck: duckdb.DuckDBPyConnection, raw_dir: Path, files: TableFiles, required: tuple[str, ...]) -> TableRead:
    """The selects over a table's files, as the DuckDB raw views read them.

    Parquet files are read together by column name; CSV files are grouped by
    compression and header and read with exactly the header's columns, skipping the
    lines the reader rejects, which are returned (a scan with ``store_rejects``).
    """
    selects: list[str] = []
    columns: dict[Path, list[str]] = {}
    if files.parquet:
        for name, column in duck.execute(
            f"select file_name, lower(name) from parquet_schema({_sql_list(list(files.parquet))})"
        ).fetchall():
            columns.setdefault(Path(name), []).append(column)
        selects.append(f"select * from read_parquet({_sql_list(list(files.parquet))}, union_by_name = true, hive_partitioning = false)")
    groups: dict[tuple[str, tuple[str, ...]], list[Path]] = {}
    for compression, paths in (("none", files.csv), ("gzip", files.csv_gz)):
        for path in paths:
            header = csv_header(duck, path, compression)
            columns[path] = [name.lower() for name in header]
            groups.setdefault((compression, tuple(header)), []).append(path)
    rejected: list[RejectedLine] = []
    for (compression, header), paths in groups.items():
        declared = ", ".join(f"{_sql_string(name)}: 'varchar'" for name in header)
        options = (
            f"{_sql_list(paths)}, header = true, auto_detect = false, columns = {{{declared}}}, {CSV_DIALECT},"
            f" compression = '{compression}'"
        )
        duck.execute("drop table if exists temp.reject_errors; drop table if exists temp.reject_scans")
        duck.execute(f"select max(columns(*)) from read_csv({options}, store_rejects = true)").fetchall()
        for file_path, line, position, error_type, message, csv_line in duck.execute(
            "select scans.file_path, errors.line, errors.line_byte_position, errors.error_type, errors.error_message,"
            " rtrim(errors.csv_line, chr(13) || chr(10))"
            " from temp.reject_errors as errors"
            " inner join temp.reject_scans as scans on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id"
            " qualify row_number() over (partition by scans.file_path, errors.line order by errors.column_idx) = 1"
            " order by scans.file_path, errors.line"
        ).fetchall():
            relative = Path(file_path).relative_to(raw_dir).as_posix()
            rejected.append(RejectedLine(relative, line, position, error_type, message, csv_line))
        selects.append(f"select * from read_csv({options}, ignore_errors = true)")
    missing = tuple(
        (path.relative_to(raw_dir).as_posix(), column)
        for path in sorted(columns)
        for column in required
        if column.lower() not in columns[path]
    )
    return TableRead(tuple(selects), tuple(rejected), missing)


def encoding_error(raw_dir: Path, rejected: RejectedLine) -> str:
    """The error for a line that is not UTF-8: file, line and the first invalid bytes
    (for gzip files, whose bytes are compressed, the line as read)."""
    detail = f"the line as read: {rejected.csv_line}"
    if file_format(rejected.file_path) == "csv":
        with open(raw_dir / rejected.file_path, "rb") as handle:
            handle.seek(rejected.line_byte_position)
            data = handle.read(4096)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = " ".join(f"{value:02x}" for value in data[error.start : error.start + max(error.end - error.start, 1)])
            detail = f"bytes {shown} at byte {rejected.line_byte_position + error.start} of the file"
    return f"raw file '{rejected.file_path}' is not UTF-8: line {rejected.line}, {detail}"
