"""Raw layouts (Hive-style folders, gzip CSV, upper-case suffixes), files that are not
read, files without a required column, malformed CSV lines and non-UTF-8 files."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import psycopg2
import pytest
import yaml

from conftest import CONTRACT_FIXTURE, engine_binary, query
from test_staging_quarantine import BASE_MODELS, actual_outcomes, expected_outcomes
from saas_segments import pg_load, raw_files
from saas_segments.project import PROJECT_DIR, dbt, dbt_env

#: Lines appended to the fixture's support_tickets.csv that the CSV reader cannot parse:
#: (rule in stg_quarantine, the line).
MALFORMED_TICKETS = [
    ("malformed_too_many_columns", "K90,A1,U1,2025-05-03T00:00:00Z,,low,5,surplus"),
    ("malformed_missing_columns", "K91,A1,U1,2025-05-03T00:00:00Z"),
    ("malformed_unquoted_value", 'K92,A1,U1,"2025-05-03T00:00:00Z,,low,5'),
]


def malformed_tickets() -> list[tuple[int, str, str]]:
    """(line number, rule, line) of each malformed line: they follow the fixture's lines."""
    first = len((CONTRACT_FIXTURE / "support_tickets.csv").read_text().splitlines()) + 1
    return [(first + offset, rule, line) for offset, (rule, line) in enumerate(MALFORMED_TICKETS)]


def fixture_audit(table: str) -> tuple[int, int, int, int]:
    """(raw, staged, quarantined, collapsed) rows of a table of the flat fixture, from
    its hand-written expected outcomes."""
    statuses = Counter(status for (source_table, _, status, _) in expected_outcomes().elements() if source_table == table)
    return sum(statuses.values()), statuses["staged"], statuses["quarantined"], statuses["collapsed"]


def to_parquet(csv_file: Path, parquet_file: Path) -> None:
    """The CSV file's rows as a Parquet file of text columns (the CSV file is removed)."""
    parquet_file.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv('{csv_file}', all_varchar = true, header = true)) to '{parquet_file}' (format parquet)"
        )
    csv_file.unlink()


def layouts_raw_dir(root: Path) -> Path:
    """The contract fixture in every supported layout, with malformed ticket lines.

    events: Hive-style folders, one upper-case CSV and one Parquet file; accounts: gzip
    CSV; users: upper-case `.CSV.GZ`; plans: upper-case `.PARQUET`; fx_rates: a byte
    order mark.
    """
    raw = root / "raw"
    shutil.copytree(CONTRACT_FIXTURE, raw)
    first, second = sorted((raw / "events").glob("*.csv"))
    (raw / "events" / "date=2025-05-01").mkdir()
    first.rename(raw / "events" / "date=2025-05-01" / "part-0.CSV")
    to_parquet(second, raw / "events" / "date=2025-05-02" / "part-0.parquet")
    for table, name in [("accounts", "accounts.csv.gz"), ("users", "users.CSV.GZ")]:
        (raw / name).write_bytes(gzip.compress((raw / f"{table}.csv").read_bytes()))
        (raw / f"{table}.csv").unlink()
    to_parquet(raw / "plans.csv", raw / "plans.PARQUET")
    fx_rates = raw / "fx_rates.csv"  # as spreadsheet exports write it: with a UTF-8 byte order mark
    fx_rates.write_bytes(b"\xef\xbb\xbf" + fx_rates.read_bytes())
    tickets = raw / "support_tickets.csv"
    tickets.write_text(tickets.read_text() + "".join(line + "\n" for _, line in MALFORMED_TICKETS))
    return raw


@pytest.fixture(scope="module")
def layouts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return layouts_raw_dir(tmp_path_factory.mktemp("layouts"))


@pytest.fixture(scope="module")
def layouts_warehouse(build_warehouse: Callable[..., Path], layouts_dir: Path) -> Path:
    """Staging built on the layouts raw dir (the build does not stop on malformed lines)."""
    return build_warehouse(layouts_dir, "layouts", select="+staging")


# ---- the file listing ----------------------------------------------------------------


def relative(raw: Path, paths: list[Path]) -> list[str]:
    return [path.relative_to(raw).as_posix() for path in paths]


def test_listing_finds_every_layout(layouts_dir: Path) -> None:
    events = raw_files.find_table_files(layouts_dir, "events")
    assert relative(layouts_dir, list(events.csv)) == ["events/date=2025-05-01/part-0.CSV"]
    assert relative(layouts_dir, list(events.parquet)) == ["events/date=2025-05-02/part-0.parquet"]
    assert events.folder
    assert relative(layouts_dir, list(raw_files.find_table_files(layouts_dir, "accounts").csv_gz)) == ["accounts.csv.gz"]
    assert relative(layouts_dir, list(raw_files.find_table_files(layouts_dir, "users").csv_gz)) == ["users.CSV.GZ"]
    assert relative(layouts_dir, list(raw_files.find_table_files(layouts_dir, "plans").parquet)) == ["plans.PARQUET"]
    assert raw_files.find_table_files(layouts_dir, "no_such_table").all == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("events/notes.txt", "raw table 'events' has files that are not read (only .parquet, .csv and .csv.gz, in any case): events/notes.txt"),
        ("events/date=2025-05-01/_SUCCESS", "not read (only .parquet, .csv and .csv.gz, in any case): events/date=2025-05-01/_SUCCESS"),
        ("accounts.csv.bak", "raw table 'accounts' has files that are not read (only .parquet, .csv and .csv.gz, in any case): accounts.csv.bak"),
        ("events.csv", "raw table 'events' is both a file and a folder"),
    ],
)
def test_listing_refuses_what_it_would_not_read(tmp_path: Path, extra: str, message: str) -> None:
    raw = layouts_raw_dir(tmp_path)
    (raw / extra).write_text("x\n")
    table = extra.split("/")[0].split(".")[0]
    with pytest.raises(raw_files.RawLayoutError) as error:
        raw_files.find_table_files(raw, table)
    assert message in str(error.value)


def test_a_file_is_versioned_by_its_bytes_up_to_the_projects_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is the dbt var the staged layer's ledger reads; up to it a file's version
    is DuckDB's hash of its bytes (a same-size rewrite changes it, a touch does not),
    above it the file's modification time."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert raw_files.hash_max_bytes() == project["vars"]["staged_file_hash_max_bytes"] == 1 << 30
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text("a,1\n")
    large.write_text("a,1\nb,2\n")
    monkeypatch.setattr(raw_files, "hash_max_bytes", lambda: small.stat().st_size)
    ((expected,),) = duckdb.sql(f"select cast(hash(content) as varchar) from read_blob('{small}')").fetchall()
    versions = raw_files.file_versions([small, large])
    assert versions == {small: f"hash {expected}", large: f"modified {large.stat().st_mtime_ns}"}

    os.utime(small, ns=(small.stat().st_atime_ns, small.stat().st_mtime_ns + 10**9))
    assert raw_files.file_versions([small])[small] == versions[small]
    mtime = small.stat().st_mtime_ns
    small.write_text("a,2\n")
    os.utime(small, ns=(mtime, mtime))
    assert raw_files.file_versions([small])[small] != versions[small]


def test_build_reads_the_files_the_listing_finds(layouts_warehouse: Path, layouts_dir: Path) -> None:
    """raw._raw_files (what the DuckDB build read) = saas_segments.raw_files (what the
    PostgreSQL loader and the Dagster observation see), table by table."""
    built = sorted(query(layouts_warehouse, "select table_name, file_path, file_format from raw._raw_files"))
    listed = sorted(
        (table, path.relative_to(layouts_dir).as_posix(), raw_files.file_format(path.name))
        for table in BASE_MODELS
        for path in raw_files.find_table_files(layouts_dir, table).all
    )
    assert built == listed
    assert len(built) == 14  # 13 tables, events in two files


# ---- DuckDB build --------------------------------------------------------------------


def test_every_layout_stages_like_the_flat_fixture(layouts_warehouse: Path) -> None:
    """Same rows, same outcomes as the flat CSV fixture: nothing lost or added by a layout."""
    expected, actual = expected_outcomes(), actual_outcomes(layouts_warehouse)
    assert actual == expected, {"missing": expected - actual, "unexpected": actual - expected}


def test_malformed_lines_are_quarantined_with_file_and_line(layouts_warehouse: Path) -> None:
    rows = query(
        layouts_warehouse,
        "select source_file, source_line, rule, raw_record, record_key from staging.stg_quarantine"
        " where source_file is not null order by source_line",
    )
    assert rows == [
        ("support_tickets.csv", line, rule, text, f"support_tickets.csv:{line}") for line, rule, text in malformed_tickets()
    ]


def test_load_audit_counts_malformed_lines(layouts_warehouse: Path) -> None:
    audit = {
        row[0]: row[1:]
        for row in query(
            layouts_warehouse,
            "select source_table, raw_rows, staged_rows, quarantined_rows, collapsed_rows, malformed_rows, is_reconciled"
            " from staging.stg_load_audit",
        )
    }
    raw, staged, quarantined, collapsed = fixture_audit("support_tickets")
    malformed = len(MALFORMED_TICKETS)
    assert audit["support_tickets"] == (raw + malformed, staged, quarantined + malformed, collapsed, malformed, True)
    assert audit["events"] == (*fixture_audit("events"), 0, True)
    assert sum(row[4] for row in audit.values()) == malformed
    assert all(raw == staged + quarantined + collapsed for raw, staged, quarantined, collapsed, *_ in audit.values())


def broken_raw_dir(root: Path) -> Path:
    """The layouts raw dir with one break of every kind that stops the build."""
    raw = layouts_raw_dir(root)
    (raw / "events" / "notes.txt").write_text("exported from the CRM on Monday\n")
    (raw / "web_touches.json").write_text("{}\n")
    invoices = (raw / "invoices.csv").read_text().splitlines()
    (raw / "invoices").mkdir()
    (raw / "invoices" / "part-0.csv").write_text("\n".join(invoices[:3]) + "\n")
    without_status = [",".join(line.split(",")[:-1]) for line in [invoices[0], *invoices[3:]]]
    (raw / "invoices" / "part-1.csv").write_text("\n".join(without_status) + "\n")
    (raw / "invoices.csv").unlink()
    nps = raw / "nps_responses.csv"
    nps.write_bytes(nps.read_bytes().replace(b"great", b"caf\xc3\xa9 gr\xe9at"))
    users = gzip.decompress((raw / "users.CSV.GZ").read_bytes()).replace(b"U1@acme.io", b"U1@acme\xff.io")
    (raw / "users.CSV.GZ").unlink()
    (raw / "users.csv.gz").write_bytes(gzip.compress(users))
    return raw


BROKEN_MESSAGES = [
    "raw table 'events' has files that are not read (only .parquet, .csv and .csv.gz, in any case): events/notes.txt",
    "raw table 'web_touches' has files that are not read (only .parquet, .csv and .csv.gz, in any case): web_touches.json",
    "raw file 'invoices/part-1.csv' of table 'invoices' lacks required column 'status'",
    "raw file 'nps_responses.csv' is not UTF-8: line 2, bytes e9 at byte {nps_offset} of the file",
    "raw file 'users.csv.gz' is not UTF-8: line 2, the line as read: U1,A1,U1@acme?.io,admin",
]


def broken_messages(raw: Path) -> list[str]:
    nps_offset = (raw / "nps_responses.csv").read_bytes().index(b"\xe9at")
    return [message.format(nps_offset=nps_offset) for message in BROKEN_MESSAGES]


def test_unread_files_missing_columns_and_bad_encoding_stop_the_build(tmp_path: Path) -> None:
    raw = broken_raw_dir(tmp_path)
    process = dbt(["build"], raw_dir=raw, warehouse=tmp_path / "w.duckdb", target_path=tmp_path / "target", check=False)
    assert process.returncode != 0
    for message in broken_messages(raw):
        assert message in process.stdout, (message, process.stdout[-3000:])
    assert "START sql" not in process.stdout  # no model ran


# ---- PostgreSQL: the COPY loader reads the same files -----------------------------------

PG_DATABASE = "rawlayouts_test"


def test_postgres_loader_reads_every_layout_and_keeps_malformed_lines(
    pg_server: None, layouts_dir: Path, layouts_warehouse: Path, tmp_path: Path
) -> None:
    loaded = {table.identifier: (table.rows, table.files) for table in pg_load.load_raw_dir(layouts_dir, PG_DATABASE, create_database=True)}
    duck_rows = {table: query(layouts_warehouse, f"select count(*) from raw.{table}")[0][0] for table in BASE_MODELS}
    assert {table: rows for table, (rows, _) in loaded.items()} == duck_rows
    assert loaded["events"] == (fixture_audit("events")[0], 2)
    rejected = "select source_table, file_path, line, error_type, csv_line from raw._raw_rejected_lines order by line"
    assert pg_rows(rejected) == query(layouts_warehouse, rejected)
    assert len(pg_rows(rejected)) == len(MALFORMED_TICKETS)
    dbt(
        ["build", "--select", "+stg_quarantine", "+stg_load_audit", "--exclude-resource-type", "unit_test"],
        raw_dir=layouts_dir, target_path=tmp_path / "target", env={"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": PG_DATABASE},
    )
    audit = "select source_table, raw_rows, staged_rows, quarantined_rows, malformed_rows, is_reconciled from staging.stg_load_audit order by 1"
    assert pg_rows(audit) == query(layouts_warehouse, audit)
    malformed = "select source_file, source_line, rule, raw_record from staging.stg_quarantine where source_file is not null order by 2"
    assert pg_rows(malformed) == [("support_tickets.csv", line, rule, text) for line, rule, text in malformed_tickets()]


def test_postgres_loader_refuses_what_the_duckdb_build_refuses(pg_server: None, tmp_path: Path) -> None:
    raw = broken_raw_dir(tmp_path)
    with pytest.raises(raw_files.RawLayoutError) as error:
        pg_load.load_raw_dir(raw, PG_DATABASE, create_database=True)
    for message in broken_messages(raw):
        assert message in str(error.value)


def pg_rows(sql: str) -> list[tuple]:
    connection = psycopg2.connect(**pg_load.connection_params(PG_DATABASE))
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


# ---- Spark: the same files, or an error naming what Spark cannot read ------------------


@pytest.fixture(scope="module")
def spark_hook(
    layouts_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """The raw-source hook run on one local Spark session (``dbt seed`` of the currency seed
    runs it first) for two raw dirs, one JVM for both: the layouts Spark reads, then its
    row counts; then the layouts with a file that is not read and an upper-case gzip
    suffix. The process and what tests/spark_build.py wrote."""
    engine_binary("spark", "java")
    workdir = tmp_path_factory.mktemp("spark_layouts")
    readable = workdir / "readable" / "raw"
    shutil.copytree(layouts_dir, readable)
    (readable / "users.CSV.GZ").rename(readable / "users.csv.gz")  # Hadoop picks the gzip codec by a lower-case suffix
    unreadable = layouts_raw_dir(workdir / "unreadable")
    (unreadable / "events" / "notes.txt").write_text("exported from the CRM on Monday\n")

    def seed(raw: Path) -> dict[str, list[str]]:
        variables = json.dumps({"raw_dir": str(raw)})
        return {"dbt": ["seed", "--select", "ref_currencies", "--target-path", str(workdir / "target"), "--vars", variables]}

    steps = [
        seed(readable),
        {"queries": {table: f"select count(*) from raw.{table}" for table in BASE_MODELS}},
        seed(unreadable),
    ]
    (workdir / "steps.json").write_text(json.dumps(steps))
    env = dbt_env(extra={"SAAS_TARGET": "spark", "SAAS_SPARK_DIR": str(workdir / "spark"), "SAAS_SPARK_CATALOG": "in-memory"})
    process = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "tests" / "spark_build.py"), str(workdir / "steps.json"), str(workdir / "out.json")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    return process, json.loads((workdir / "out.json").read_text())


@pytest.mark.slow
def test_spark_reads_hive_folders_gzip_and_any_case_suffixes(
    spark_hook: tuple[subprocess.CompletedProcess[str], dict], layouts_warehouse: Path
) -> None:
    process, out = spark_hook
    assert out["dbt"][0]["error"] is None, process.stdout[-4000:]
    counts = {table: rows[0][0] for table, rows in out["rows"].items()}
    expected = {table: query(layouts_warehouse, f"select count(*) from raw.{table}")[0][0] for table in BASE_MODELS}
    assert counts == expected
    assert counts["events"] == fixture_audit("events")[0]


@pytest.mark.slow
def test_spark_refuses_unread_files_and_upper_case_gzip(spark_hook: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    """The second raw dir's seed fails naming both files (the first one's passed)."""
    process, out = spark_hook
    assert out["dbt"][1]["error"] is not None
    assert BROKEN_MESSAGES[0] in process.stdout, process.stdout[-4000:]
    assert "raw table 'users' has files Spark cannot read: users.CSV.GZ (gzip needs a lower-case .gz suffix)" in process.stdout
