"""Incremental refresh of the event models: a daily append plus late events and late
users gives the same warehouse as a full build on the same raw rows; the build plan
follows the raw dir and its event files."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import CONTRACT_FIXTURE, differing_rows, hash_key, query, relations
from saas_segments.project import dbt
from saas_segments.publish import build_dev
from saas_segments.raw_files import file_versions
from saas_segments.raw_state import plan, record, recorded, staging_code_hash
from saas_segments.refresh_scope import raw_inputs

pytestmark = pytest.mark.slow

EVENTS_GLOB = "events/*.parquet"
# Held back from the first load and delivered with the next day: events of the two
# days before it, as if they had arrived late (within the default 3-day lookback).
LATE_DAYS = 2
LATE_SAMPLE = "hash(event_id) % 5 = 0"
# Relations that depend on earlier runs (the previous as_of), not on the raw rows.
RUN_HISTORY = {"fct_segment_membership_history", "fct_segment_transitions", "segment_quality", "segment_quality_history"}
INCREMENTAL_MODELS = {
    ("staging", "base_app__events"),
    ("intermediate", "int_events_aggregated_to_user_days"),
    ("intermediate", "int_feature_events_aggregated_to_user_days"),
    ("intermediate", "int_feature_events_aggregated_to_user_features"),
    ("intermediate", "int_events_aggregated_to_users"),
}


def write_events(source: Path, target: Path, where: str) -> int:
    """Write the demo events matching ``where`` to one Parquet part; returns its row count."""
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        reader = f"read_parquet('{source / EVENTS_GLOB}')"
        connection.execute(f"copy (select * from {reader} where {where}) to '{target}' (format parquet)")
        return connection.execute(f"select count(*) from read_parquet('{target}')").fetchone()[0]


def last_event_day(raw: Path) -> dt.date:
    """The newest UTC day in a raw dir's events."""
    with duckdb.connect() as connection:
        return connection.execute(
            f"select cast(max(timezone('UTC', occurred_at)) as date) from read_parquet('{raw / EVENTS_GLOB}')"
        ).fetchone()[0]


def users_file(raw: Path) -> Path:
    """The users table's file of a raw dir (the demo data writes one Parquet file)."""
    return raw / "users.parquet"


def write_users_without(source: Path, target: Path, held_back: str) -> int:
    """Write ``source``'s users but those matching ``held_back`` to ``target``; returns how many were held back."""
    with duckdb.connect() as connection:
        reader = f"read_parquet('{users_file(source)}')"
        connection.execute(f"copy (select * from {reader} where not ({held_back})) to '{target}' (format parquet)")
        return connection.execute(f"select count(*) from {reader} where {held_back}").fetchone()[0]


def late_users_condition(raw: Path) -> tuple[str, str]:
    """Users held back from the first load: a sample of those with events that no other
    raw table names (their events alone wait for them), as a condition on the raw rows'
    user_id and one on the staged events' user_key."""
    others = " union ".join(
        f"select user_id from read_parquet('{raw}/{table}.parquet')"
        for table in ("trials", "nps_responses", "web_touches", "support_tickets")
    )
    with duckdb.connect() as connection:
        ids = connection.execute(
            f"select distinct user_id from read_parquet('{raw / EVENTS_GLOB}')"
            f" where hash(user_id) % 20 = 0 and user_id not in (select user_id from ({others}) where user_id is not null)"
            " order by 1"
        ).fetchall()
    return (
        "user_id in (" + ", ".join(f"'{user_id}'" for (user_id,) in ids) + ")",
        "user_key in (" + ", ".join(hash_key(f"'{user_id}'") for (user_id,) in ids) + ")",
    )


@pytest.fixture(scope="module")
def incremental_run(tmp_path_factory: pytest.TempPathFactory, demo_raw_dir: Path) -> dict[str, object]:
    """Development build (dbt build with every test, :func:`saas_segments.publish.build_dev`)
    on the demo events up to the day before the last one, minus the late events and
    minus a sample of users; then the users arrive, the last day and the late events are
    appended as a new file and the project is built again (incremental)."""
    workdir = tmp_path_factory.mktemp("incremental")
    raw = workdir / "raw"
    shutil.copytree(demo_raw_dir, raw, ignore=shutil.ignore_patterns("events", "_truth", users_file(raw).name))
    (raw / "events").mkdir()
    last_day = last_event_day(demo_raw_dir)
    day = "cast(timezone('UTC', occurred_at) as date)"
    late = f"({day} >= date '{last_day - dt.timedelta(days=LATE_DAYS)}' and {LATE_SAMPLE})"
    late_users, late_user_keys = late_users_condition(demo_raw_dir)
    held_back_users = write_users_without(demo_raw_dir, users_file(raw), late_users)
    first_rows = write_events(demo_raw_dir, raw / "events" / "part-00000.parquet", f"{day} < date '{last_day}' and not {late}")
    warehouse = workdir / "warehouse.duckdb"
    said: list[str] = []
    build_dev(raw, warehouse, progress=said.append)
    first_as_of = query(warehouse, "select as_of_date from intermediate.int_as_of_date")[0][0]
    waiting = query(
        warehouse,
        f"select count(*) from staging.base_app__events where _quarantine_rule = 'orphan_user' and {late_user_keys}",
    )[0][0]
    late_rows = write_events(demo_raw_dir, workdir / "late.parquet", f"{late} and {day} < date '{last_day}'")
    shutil.copyfile(users_file(demo_raw_dir), users_file(raw))
    appended_rows = write_events(demo_raw_dir, raw / "events" / "part-00001.parquet", f"{day} = date '{last_day}' or {late}")
    # the daily build: models and their data tests (on the incremental tables, the days it rewrote)
    build_dev(raw, warehouse, progress=said.append)
    return {
        "raw": raw,
        "warehouse": warehouse,
        "target": warehouse.parent / f"target-{warehouse.stem}",
        "said": said,
        "last_day": last_day,
        "first_as_of": first_as_of,
        "first_rows": first_rows,
        "late_rows": late_rows,
        "appended_rows": appended_rows,
        "held_back_users": held_back_users,
        "waiting_events": waiting,
        "late_users": late_users,
        "late_user_keys": late_user_keys,
    }


def test_the_split_holds_back_late_events_and_users(incremental_run: dict, demo_raw_dir: Path) -> None:
    """The first build saw neither the last day nor the late events; they came in the append.
    The held-back users' events waited in quarantine as orphan_user; the second build was
    incremental (it replaced the window in place) and then staged every one of them."""
    with duckdb.connect() as connection:
        demo_rows = connection.execute(f"select count(*) from read_parquet('{demo_raw_dir / EVENTS_GLOB}')").fetchone()[0]
    assert incremental_run["first_as_of"] == incremental_run["last_day"] - dt.timedelta(days=1)
    assert incremental_run["late_rows"] > 20
    assert incremental_run["first_rows"] + incremental_run["appended_rows"] == demo_rows
    assert incremental_run["held_back_users"] >= 3
    before_window = incremental_run["last_day"] - dt.timedelta(days=LATE_DAYS + 3)
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        held_back_events, older_than_the_window = connection.execute(
            f"select count(*), count(*) filter (where cast(timezone('UTC', occurred_at) as date) < date '{before_window}')"
            f" from read_parquet('{incremental_run['raw'] / 'events' / 'part-00000.parquet'}')"
            f" where {incremental_run['late_users']}"
        ).fetchone()
    assert incremental_run["waiting_events"] == held_back_events > 50
    assert older_than_the_window > 20  # staged again by the incremental build as rows waiting for their user
    first, second = incremental_run["said"][0], incremental_run["said"][2]
    assert first.startswith("building ") and "into a new warehouse" in first
    assert second.startswith("1 new event file(s) in ") and second.endswith("incremental build of the event models")
    compiled = next((incremental_run["target"] / "run").rglob("base_app__events.sql")).read_text()
    assert "delete from" in compiled
    with duckdb.connect() as connection:
        their_events = connection.execute(
            f"select count(*) from read_parquet('{incremental_run['raw'] / EVENTS_GLOB}') where {incremental_run['late_users']}"
        ).fetchone()[0]
    assert query(
        incremental_run["warehouse"],
        f"select _row_status, count(*) from staging.base_app__events where {incremental_run['late_user_keys']} group by 1",
    ) == [("staged", their_events)]


def run_history_relations(manifest: Path) -> set[str]:
    """RUN_HISTORY and every model that reads them (the report's views compare a run with
    the earlier as_of recorded: the incremental warehouse recorded the day before too)."""
    nodes = json.loads(manifest.read_text())
    children, names = nodes["child_map"], {unique_id: node["name"] for unique_id, node in nodes["nodes"].items()}
    pending = [unique_id for unique_id, name in names.items() if name in RUN_HISTORY]
    found = set(pending)
    while pending:
        for child in children.get(pending.pop(), []):
            if child in names and child not in found:
                found.add(child)
                pending.append(child)
    return {names[unique_id] for unique_id in found}


def test_incremental_build_equals_full_build(incremental_run: dict, demo_warehouse: Path) -> None:
    """Every staging, intermediate and mart relation equals the full build on the same
    rows (the demo warehouse), row for row; the membership history for the new as_of too."""
    warehouse = incremental_run["warehouse"]
    assert query(warehouse, "select as_of_date from intermediate.int_as_of_date")[0][0] == incremental_run["last_day"]
    as_of = f"as_of_date = date '{incremental_run['last_day']}'"
    history = run_history_relations(incremental_run["target"] / "manifest.json")
    compared = []
    for schema, table in relations(demo_warehouse):
        if table in history:
            continue
        assert differing_rows(warehouse, demo_warehouse, schema, table) == (0, 0), f"{schema}.{table} differs"
        compared.append((schema, table))
    assert INCREMENTAL_MODELS <= set(compared)
    assert len(compared) >= 60
    assert differing_rows(warehouse, demo_warehouse, "marts", "fct_segment_membership_history", as_of) == (0, 0)
    assert query(warehouse, "select count(distinct as_of_date) from marts.fct_segment_membership_history")[0][0] == 2


def rows_checked_by(warehouse: Path, compiled_test: Path) -> int:
    """Rows of the relation a compiled data test checks (its `where` subquery)."""
    sql = compiled_test.read_text()
    subquery = sql[sql.index("from (select * from") + len("from ") : sql.index(") dbt_subquery") + 1]
    return query(warehouse, f"select count(*) from {subquery} as tested")[0][0]


def test_refresh_tests_check_the_rewritten_days_and_other_builds_every_row(incremental_run: dict, tmp_path: Path) -> None:
    """On the refresh, stg_app__events' unique test read the last lookback + 1 days (every
    day the refresh rewrote); compiled without the refresh's vars it reads every row."""
    warehouse = incremental_run["warehouse"]
    name = "unique_stg_app__events_event_key.sql"
    refresh_test = next((incremental_run["target"] / "compiled").rglob(name))
    window_start = incremental_run["last_day"] - dt.timedelta(days=3 + 1)  # incremental_lookback_days + 1
    in_window, every_row = query(
        warehouse,
        f"select count(*) filter (where event_date >= date '{window_start}'), count(*) from staging.stg_app__events",
    )[0]
    assert 0 < in_window < every_row / 10
    assert rows_checked_by(warehouse, refresh_test) == in_window
    dbt(["compile", "--select", name.removesuffix(".sql")], raw_dir=incremental_run["raw"], warehouse=warehouse, target_path=tmp_path)
    assert rows_checked_by(warehouse, next((tmp_path / "compiled").rglob(name))) == every_row


def base_and_audit(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    """Every row of base_app__events and the events row of the load audit."""
    return (
        query(warehouse, "select * from staging.base_app__events order by all"),
        query(warehouse, "select * from staging.stg_load_audit where source_table = 'events'"),
    )


STAGED_EVENTS = ["--select", "base_app__events", "stg_load_audit"]


def restaged_copy(raw: Path, warehouse: Path, work: Path, command: list[str]) -> Path:
    """A copy of ``warehouse`` on which ``command`` (a dbt command and its selection) ran
    with `--full-refresh` and `restage_history`: the staged layer rebuilt from every raw file."""
    scratch = work / "restaged.duckdb"
    shutil.copyfile(warehouse, scratch)
    dbt(
        [command[0], "--full-refresh", *command[1:]],
        raw_dir=raw, warehouse=scratch, dbt_vars={"restage_history": True}, target_path=work / "target-restaged",
    )
    return scratch


def restaged_from_scratch(raw: Path, warehouse: Path, work: Path) -> tuple[list[tuple], list[tuple]]:
    """base_and_audit of a copy of ``warehouse`` whose staged events were restaged from every raw file."""
    return base_and_audit(restaged_copy(raw, warehouse, work, ["build", *STAGED_EVENTS]))


def compiled_sql(target: Path, model: str) -> str:
    """The SQL dbt last compiled for ``model`` into ``target``."""
    return next((target / "compiled").rglob(f"{model}.sql")).read_text()


def staged_raw_files(target: Path, model: str = "base_app__events") -> str:
    """The condition on the raw rows the last compiled ``model`` (a base model staged by
    file) staged (`_raw_file in (...)`)."""
    compiled = compiled_sql(target, model)
    end = compiled.index(") as raw_rows_to_stage")
    return compiled[compiled.rindex("(select * from", 0, end) : end].split(" where ", 1)[1]


def test_redelivered_event_ids_in_a_new_file_are_ranked_as_in_a_full_build(incremental_run: dict, tmp_path: Path) -> None:
    """A new file holding exact copies of old events and, for one old event id, a row with
    other content that sorts first: only that file and the rows of the keys it shares are
    staged again; the copies are collapsed, the new row is kept and the old one becomes
    its duplicate (as a full build ranks them), the load audit reconciles, and the table
    equals a restage of every raw file. The file removed again, the old row is staged
    again."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw, ignore=shutil.ignore_patterns("part-0000[2-9].parquet"))
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    old_day = incremental_run["last_day"] - dt.timedelta(days=10)
    on_old_day = f"cast(timezone('UTC', occurred_at) as date) = date '{old_day}'"
    new_file = raw / "events" / "part-00002.parquet"
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        reader = f"read_parquet('{raw / 'events' / 'part-00000.parquet'}')"
        connection.execute(
            f"copy (select * from {reader} where {on_old_day} and hash(event_id) % 7 = 0"
            f" union all select * replace ('!' as session_id) from {reader}"
            f" where event_id = (select min(event_id) from {reader} where {on_old_day} and hash(event_id) % 7 = 1))"
            f" to '{new_file}' (format parquet)"
        )
        copied = connection.execute(f"select count(*) from read_parquet('{new_file}') where session_id is distinct from '!'").fetchone()[0]
        (rival,) = connection.execute(f"select event_id from read_parquet('{new_file}') where session_id = '!'").fetchone()
    rival_key = hash_key(f"'{rival}'")
    assert copied >= 3
    dbt(["build", *STAGED_EVENTS], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    read = staged_raw_files(tmp_path / "target")
    assert f"_raw_file in ('{new_file}')" in read and f"_raw_file in ('{raw / 'events' / 'part-00000.parquet'}')" in read
    assert "part-00001" not in read
    copies = query(
        warehouse,
        "select _row_status, count(*) from staging.base_app__events"
        f" where event_key in (select {hash_key('event_id')} from read_parquet('{new_file}') where event_id <> '{rival}') group by 1 order by 1",
    )
    assert copies == [("collapsed", copied), ("staged", copied)]
    assert query(
        warehouse,
        f"select coalesce(session_key = {hash_key(repr('!'))}, false), _row_status, _quarantine_rule, _source_file"
        f" from staging.base_app__events where event_key = {rival_key} order by 1",
    ) == [(False, "quarantined", "duplicate_key", "events/part-00000.parquet"), (True, "staged", None, "events/part-00002.parquet")]
    incremental = base_and_audit(warehouse)
    raw_rows, collapsed, reconciled = incremental[1][0][2], incremental[1][0][5], incremental[1][0][-1]
    assert (raw_rows, collapsed, reconciled) == (incremental_run["first_rows"] + incremental_run["appended_rows"] + copied + 1, copied, True)
    assert restaged_from_scratch(raw, warehouse, tmp_path) == incremental
    # the file removed again: its rows go, and the old row of the rival's id is staged again
    new_file.unlink()
    dbt(["build", *STAGED_EVENTS], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert query(
        warehouse, f"select _row_status, _source_file from staging.base_app__events where event_key = {rival_key}"
    ) == [("staged", "events/part-00000.parquet")]
    assert query(warehouse, "select count(*) from staging.base_app__events where _source_file = 'events/part-00002.parquet'") == [(0,)]
    assert restaged_from_scratch(raw, warehouse, tmp_path) == base_and_audit(warehouse)


def test_event_older_than_the_lookback_in_a_new_file_is_staged_as_in_a_full_build(
    incremental_run: dict, demo_raw_dir: Path, tmp_path: Path
) -> None:
    """A new event (an event_id never staged) dated long before the newest day, delivered
    in a new file, is staged by the next build (only that file is read): the load audit
    reconciles and the table equals a restage of every raw file."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw, ignore=shutil.ignore_patterns("part-0000[2-9].parquet"))
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    too_late = incremental_run["last_day"] - dt.timedelta(days=10)
    new_file = raw / "events" / "part-00002.parquet"
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        connection.execute(
            f"copy (select 'late-' || event_id as event_id, user_id, account_id, occurred_at, event_type, feature_key,"
            f" session_id from read_parquet('{demo_raw_dir / EVENTS_GLOB}')"
            f" where cast(timezone('UTC', occurred_at) as date) = date '{too_late}' order by event_id limit 1)"
            f" to '{new_file}' (format parquet)"
        )
    dbt(["build", *STAGED_EVENTS], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert staged_raw_files(tmp_path / "target") == f"_raw_file in ('{new_file}')"
    assert query(
        warehouse,
        "select _row_status, cast(occurred_at as date) from staging.base_app__events"
        f" where event_key in (select {hash_key('event_id')} from read_parquet('{new_file}'))",
    ) == [("staged", too_late)]
    assert query(
        warehouse, "select raw_rows - staged_rows - quarantined_rows - collapsed_rows, is_reconciled"
        " from staging.stg_load_audit where source_table = 'events'"
    ) == [(0, True)]
    assert restaged_from_scratch(raw, warehouse, tmp_path) == base_and_audit(warehouse)


# The base models staged by file besides the events (macros/staging/staged_files.sql).
STAGED_BY_FILE = [
    "base_app__users",
    "base_billing__invoices",
    "base_survey__nps_responses",
    "base_web__touches",
    "base_helpdesk__tickets",
]


def test_a_restated_file_is_restaged_alone_and_a_full_refresh_keeps_the_staged_layer(incremental_run: dict, tmp_path: Path) -> None:
    """The appended file restated (a tenth of its events gone, the rest rewritten) and one
    currency's FX rates revised: a full refresh reads that event file alone, deletes the
    events no longer delivered, keeps the other file's rows as built, records the new
    file in the ledger, restages the invoices in that currency alone (now at the new
    rates) and stages no other table's rows; every staged table equals a restage of
    every raw file; a second full refresh stages nothing."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw)
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    restated = raw / "events" / "part-00001.parquet"
    with duckdb.connect() as connection:
        kept = connection.execute(
            f"select count(*) filter (where hash(event_id) % 10 <> 0), count(*) from read_parquet('{restated}')"
        ).fetchone()
        connection.execute(
            f"copy (select * from read_parquet('{restated}') where hash(event_id) % 10 <> 0) to '{tmp_path / 'restated.parquet'}'"
        )
        connection.execute(
            f"copy (select currency, rate_date, case when currency = 'GBP' then usd_per_unit * 1.5 else usd_per_unit end"
            f" as usd_per_unit from read_parquet('{raw / 'fx_rates.parquet'}')) to '{tmp_path / 'fx_rates.parquet'}'"
        )
    shutil.move(tmp_path / "restated.parquet", restated)
    shutil.move(tmp_path / "fx_rates.parquet", raw / "fx_rates.parquet")
    assert 0 < kept[0] < kept[1]
    before = query(warehouse, "select count(*) from staging.base_app__events where _source_file <> 'events/part-00001.parquet'")[0][0]
    gbp = "select invoice_id, amount_usd from staging.stg_billing__invoices where currency = 'GBP' order by 1"
    gbp_before = query(warehouse, gbp)
    selection = ["--select", *STAGED_EVENTS, "base_billing__fx_rates", *STAGED_BY_FILE]
    dbt(["build", "--full-refresh", *selection], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert staged_raw_files(tmp_path / "target") == f"_raw_file in ('{restated}')"
    invoices = staged_raw_files(tmp_path / "target", "base_billing__invoices")
    prefix = f"(_raw_file in ('{raw / 'invoices.parquet'}') and nullif("
    suffix = ", '') in (select _restaged_key from base_billing__invoices__restaged_keys))"
    # the invoices to check again, by their typed key (macros/casting.sql as_text)
    assert invoices.startswith(prefix) and invoices.endswith(suffix), invoices
    assert "trim(cast(invoice_id as TEXT), ' ')" in invoices.removeprefix(prefix).removesuffix(suffix), invoices
    assert {model: staged_raw_files(tmp_path / "target", model) for model in STAGED_BY_FILE if model != "base_billing__invoices"} == {
        model: "false" for model in STAGED_BY_FILE if model != "base_billing__invoices"
    }
    gbp_after = query(warehouse, gbp)
    raised = [after[1] > earlier[1] for earlier, after in zip(gbp_before, gbp_after) if earlier[1] > 0]
    assert len(gbp_after) == len(gbp_before) and raised and all(raised), "GBP invoices keep their old USD amounts"
    assert query(warehouse, "select _source_file, count(*) from staging.base_app__events group by 1 order by 1") == [
        ("events/part-00000.parquet", before),
        ("events/part-00001.parquet", kept[0]),
    ]
    assert query(warehouse, "select file_path, size_bytes from staging.base_app__events__files order by 1") == [
        (f"events/{path.name}", path.stat().st_size) for path in sorted((raw / "events").iterdir())
    ]
    scratch = restaged_copy(raw, warehouse, tmp_path, ["build", *selection])
    for model in ["base_app__events", *STAGED_BY_FILE]:
        assert differing_rows(warehouse, scratch, "staging", model) == (0, 0), model
    assert differing_rows(warehouse, scratch, "staging", "stg_load_audit") == (0, 0)
    dbt(["build", "--full-refresh", *selection], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert {model: staged_raw_files(tmp_path / "target", model) for model in ["base_app__events", *STAGED_BY_FILE]} == {
        model: "false" for model in ["base_app__events", *STAGED_BY_FILE]
    }


def rewrite_in_place(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length) once in the text file ``path``, keeping its
    size and modification time (to the nanosecond)."""
    assert len(old) == len(new)
    stat = path.stat()
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_the_ledger_versions_a_raw_file_by_its_bytes(tmp_path: Path) -> None:
    """A raw file rewritten at the same size and modification time (a ticket's handle time
    45 → 46) is staged again and its staged row holds the new value; a file only touched
    (a new time, the same bytes) is not staged again (only the rows a lookup quarantined
    are read again, as when nothing changed); the ledger records each file's hash."""
    raw, warehouse, target = tmp_path / "raw", tmp_path / "warehouse.duckdb", tmp_path / "target"
    shutil.copytree(CONTRACT_FIXTURE, raw)
    tickets = raw / "support_tickets.csv"
    selection = ["run", "--select", "+base_helpdesk__tickets"]
    handle = "select handle_minutes from staging.base_helpdesk__tickets where ticket_id = 'K1'"
    dbt(selection, raw_dir=raw, warehouse=warehouse, target_path=target)
    assert query(warehouse, handle) == [(45,)]
    ledger = "select file_path, size_bytes, file_version from staging.base_helpdesk__tickets__files"
    (version,) = file_versions([tickets]).values()
    assert query(warehouse, ledger) == [("support_tickets.csv", tickets.stat().st_size, version)]
    assert version.startswith("hash ")

    rewrite_in_place(tickets, "high,45\n", "high,46\n")
    dbt(selection, raw_dir=raw, warehouse=warehouse, target_path=target)
    assert staged_raw_files(target, "base_helpdesk__tickets") == f"_raw_file in ('{tickets}')"
    assert query(warehouse, handle) == [(46,)]
    (rewritten,) = file_versions([tickets]).values()
    assert rewritten != version and query(warehouse, ledger) == [("support_tickets.csv", tickets.stat().st_size, rewritten)]

    # unchanged, a run reads again the rows of tickets quarantined by a lookup only, as
    # it does after the file is touched
    dbt(selection, raw_dir=raw, warehouse=warehouse, target_path=target)
    unchanged = staged_raw_files(target, "base_helpdesk__tickets")
    assert unchanged.startswith(f"(_raw_file in ('{tickets}') and ") and "_restaged_key" in unchanged
    os.utime(tickets)
    dbt(selection, raw_dir=raw, warehouse=warehouse, target_path=target)
    assert staged_raw_files(target, "base_helpdesk__tickets") == unchanged
    assert query(warehouse, handle) == [(46,)]


EVENT_ROLLUPS = ["int_events_aggregated_to_user_days", "int_feature_events_aggregated_to_user_days"]


def rollup_window(target: Path, model: str) -> str:
    """The filter the last compiled ``model`` (an event rollup) put on the staged events."""
    compiled = compiled_sql(target, model)
    return re.search(r"windowed as \(.*?\n    where (.*?)\n\)", compiled, re.DOTALL).group(1)


def test_the_refresh_rollups_rewrite_the_days_whose_staged_events_changed(incremental_run: dict) -> None:
    """On the daily refresh the user-day rollups read the days of the appended file's
    events and of the late users' events (staged once their users arrived), no other."""
    days = query(
        incremental_run["warehouse"],
        "select distinct cast(occurred_at as date) from staging.base_app__events where _row_status = 'staged'"
        f" and (_source_file = 'events/part-00001.parquet' or {incremental_run['late_user_keys']}) order by 1",
    )
    assert 1 < len(days) < query(incremental_run["warehouse"], "select count(distinct event_date) from staging.stg_app__events")[0][0]
    expected = "event_date in (" + ", ".join(f"cast('{day}' as date)" for (day,) in days) + ")"
    assert [rollup_window(incremental_run["target"], model) for model in EVENT_ROLLUPS] == [expected, expected]


FEATURE_TOTALS = "int_feature_events_aggregated_to_user_features"
USER_TOTALS = "int_events_aggregated_to_users"
# the per-user totals kept with the daily stores: model, the store CTE it reads, its span columns
TOTALS = {
    FEATURE_TOTALS: ("feature_days", "first_used_date", "last_used_date"),
    USER_TOTALS: ("user_days", "first_event_date", "last_event_date"),
}


def totals_read(target: Path, model: str) -> tuple[str, str]:
    """The conditions of the last compiled per-user totals ``model`` on the day rows they
    aggregate and on the kept rows they merge with them."""
    compiled = compiled_sql(target, model)
    return tuple(re.search(rf"\n{name} as \(.*?\n    where (.*?)\n\),", compiled, re.DOTALL).group(1) for name in ("added", "kept"))


def test_a_full_refresh_keeps_the_event_rollups_and_rewrites_the_days_a_restated_file_changed(
    incremental_run: dict, tmp_path: Path
) -> None:
    """An old day's events thinned in the first file: `--full-refresh` (staged layer kept)
    restages the file, logs that day alone as changed, and the user-day rollups rewrite
    it alone and equal rollups rebuilt from every raw file, as do both per-user totals
    (features, activity), which recompute the users with a row on that day or spanning it
    (a user whose rows there all went); a second full refresh reads no day; a rollup whose
    SQL changed since it was built is rebuilt from every day."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw)
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    thinned_day = incremental_run["last_day"] - dt.timedelta(days=20)
    restated = raw / "events" / "part-00000.parquet"
    day = "cast(timezone('UTC', occurred_at) as date)"
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        dropped = connection.execute(
            f"select count(*) from read_parquet('{restated}') where {day} = date '{thinned_day}' and hash(event_id) % 3 = 0"
        ).fetchone()[0]
        connection.execute(
            f"copy (select * from read_parquet('{restated}') where not ({day} = date '{thinned_day}' and hash(event_id) % 3 = 0))"
            f" to '{tmp_path / 'restated.parquet'}'"
        )
    shutil.move(tmp_path / "restated.parquet", restated)
    assert dropped > 0
    day_events = f"select sum(logins + feature_uses + page_views) from intermediate.int_events_aggregated_to_user_days where activity_date = date '{thinned_day}'"
    before = query(warehouse, day_events)[0][0]
    selection = ["--select", "base_app__events", *EVENT_ROLLUPS, *TOTALS]
    target = tmp_path / "target"
    dbt(["run", "--full-refresh", *selection], raw_dir=raw, warehouse=warehouse, target_path=target)
    assert staged_raw_files(target) == f"_raw_file in ('{restated}')"
    for model in EVENT_ROLLUPS:
        assert rollup_window(target, model) == f"event_date in (cast('{thinned_day}' as date))"
    day = f"cast('{thinned_day}' as date)"
    for model, (store, first, last) in TOTALS.items():
        added, kept = totals_read(target, model)
        assert added.startswith(f"user_key in (select user_key from {store} where activity_date in ({day}) union select user_key from ")
        assert added.endswith(f" where ({first} <= {day} and {last} >= {day}))") and kept == "false"
    staged_on_day = query(
        warehouse, f"select count(*) from staging.stg_app__events where event_date = date '{thinned_day}'"
    )[0][0]
    assert query(warehouse, day_events)[0][0] == staged_on_day < before
    scratch = restaged_copy(raw, warehouse, tmp_path, ["run", *selection])
    assert rollup_window(tmp_path / "target-restaged", EVENT_ROLLUPS[0]) == "true"
    for model in [*EVENT_ROLLUPS, *TOTALS]:
        assert differing_rows(warehouse, scratch, "intermediate", model) == (0, 0), model
    dbt(["run", "--full-refresh", *selection], raw_dir=raw, warehouse=warehouse, target_path=target)
    assert [rollup_window(target, model) for model in EVENT_ROLLUPS] == ["false", "false"]
    assert [totals_read(target, model) for model in TOTALS] == [("false", "false")] * len(TOTALS)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"update intermediate.{EVENT_ROLLUPS[0]}__changed_days_read set code_hash = 'an earlier version'")
    dbt(["run", "--full-refresh", *selection], raw_dir=raw, warehouse=warehouse, target_path=target)
    assert [rollup_window(target, model) for model in EVENT_ROLLUPS] == ["true", "false"]
    for model in [*EVENT_ROLLUPS, *TOTALS]:
        assert differing_rows(warehouse, scratch, "intermediate", model) == (0, 0), model


def test_a_file_of_new_days_adds_its_days_to_the_kept_per_user_totals(incremental_run: dict, tmp_path: Path) -> None:
    """A new file whose events all fall after the newest day kept: the per-user feature
    totals add that day's uses, and the per-user totals its active days, to the kept rows
    of its users (no user's history is read again); both equal totals aggregated from a
    restage of every raw file."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw)
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    last_day, new_day = incremental_run["last_day"], incremental_run["last_day"] + dt.timedelta(days=1)
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        connection.execute(
            "copy (select * replace ('N' || event_id as event_id, occurred_at + interval 1 day as occurred_at)"
            f" from read_parquet('{raw / EVENTS_GLOB}') where cast(timezone('UTC', occurred_at) as date) = date '{last_day}')"
            f" to '{raw / 'events' / 'part-00009.parquet'}' (format parquet)"
        )
    selection = ["--select", "base_app__events", *EVENT_ROLLUPS, *TOTALS]
    target = tmp_path / "target"
    dbt(["run", *selection], raw_dir=raw, warehouse=warehouse, target_path=target)
    assert [totals_read(target, model) for model in TOTALS] == [
        (f"activity_date in (cast('{new_day}' as date))", "user_key in (select added.user_key from added)")
    ] * len(TOTALS)
    totals = (
        f"select (select sum(uses) from intermediate.{FEATURE_TOTALS}),"
        f" (select sum(active_days) from intermediate.{USER_TOTALS}),"
        f" (select count(*) from intermediate.{USER_TOTALS} where last_event_date = date '{new_day}')"
    )
    on_new_day = query(
        warehouse,
        f"select (select sum(uses) from intermediate.{EVENT_ROLLUPS[1]} where activity_date = date '{new_day}'),"
        f" (select count(*) filter (where logins > 0 or feature_uses > 0) from intermediate.{EVENT_ROLLUPS[0]}"
        f" where activity_date = date '{new_day}'),"
        f" (select count(*) from intermediate.{EVENT_ROLLUPS[0]} where activity_date = date '{new_day}')",
    )[0]
    assert 0 < on_new_day[1] <= on_new_day[2]
    scratch = restaged_copy(raw, warehouse, tmp_path, ["run", *selection])
    for model in TOTALS:
        assert differing_rows(warehouse, scratch, "intermediate", model) == (0, 0), model
    before = query(incremental_run["warehouse"], totals)[0]
    assert query(warehouse, totals)[0] == (before[0] + on_new_day[0], before[1] + on_new_day[1], on_new_day[2])


def test_events_of_a_user_who_moved_account_and_of_a_feature_taken_out_are_checked_again(
    incremental_run: dict, tmp_path: Path
) -> None:
    """No event file changes, but a user with old staged events moves to another account
    and a feature leaves the catalogue: the next run stages those keys' rows again (now
    account_mismatch and orphan_feature), the rollups rewrite their days, and both equal
    a restage and aggregation of every raw file; a run after that changes no day."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw)
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    feature = query(
        warehouse,
        "select feature_key from staging.stg_app__events where feature_key is not null group by 1 order by count(*), 1 limit 1",
    )[0][0]
    mover = query(
        warehouse,
        f"select min(user_id) from staging.stg_app__users where {hash_key('user_id')} in (select user_key"
        f" from staging.stg_app__events where event_date < date '{incremental_run['last_day'] - dt.timedelta(days=30)}')"
        f" and {hash_key('user_id')} not in (select user_key from staging.stg_app__events where feature_key = '{feature}')",
    )[0][0]
    mover_key = hash_key(f"'{mover}'")
    moved_events, feature_events = query(
        warehouse,
        f"select count(*) filter (where user_key = {mover_key}), count(*) filter (where feature_key = '{feature}')"
        " from staging.stg_app__events",
    )[0]
    assert moved_events > 0 and feature_events > 0
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (case when user_id = '{mover}' then (select max(account_id) from"
            f" read_parquet('{raw / 'accounts.parquet'}') where account_id <> users.account_id) else account_id end as account_id)"
            f" from read_parquet('{raw / 'users.parquet'}') as users) to '{tmp_path / 'users.parquet'}'"
        )
        connection.execute(
            f"copy (select * from read_parquet('{raw / 'features.parquet'}') where feature_key <> '{feature}')"
            f" to '{tmp_path / 'features.parquet'}'"
        )
    shutil.move(tmp_path / "users.parquet", raw / "users.parquet")
    shutil.move(tmp_path / "features.parquet", raw / "features.parquet")
    selection = ["--select", "base_app__users", "base_app__features", "base_app__events", *EVENT_ROLLUPS]
    staged_layer = [("staging", "base_app__events"), *(("intermediate", model) for model in EVENT_ROLLUPS)]
    dbt(["run", *selection], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert query(
        warehouse,
        "select _quarantine_rule, count(*) from staging.base_app__events"
        f" where user_key = {mover_key} or feature_key = '{feature}' group by 1 order by 1",
    ) == sorted([("account_mismatch", moved_events), ("orphan_feature", feature_events)])
    scratch = restaged_copy(raw, warehouse, tmp_path, ["run", *selection])
    for schema, model in staged_layer:
        assert differing_rows(warehouse, scratch, schema, model) == (0, 0), model
    dbt(["run", *selection], raw_dir=raw, warehouse=warehouse, target_path=tmp_path / "target")
    assert [rollup_window(tmp_path / "target", model) for model in EVENT_ROLLUPS] == ["false", "false"]
    for schema, model in staged_layer:
        assert differing_rows(warehouse, scratch, schema, model) == (0, 0), model


def test_rollup_data_tests_fail_on_a_wrong_feature_count_a_catalog_past_the_bit_set_shared_keys_and_a_repeated_user_feature(
    demo_warehouse: Path, demo_raw_dir: Path, tmp_path: Path
) -> None:
    """A user-day whose distinct features disagree with the per-feature rollup, a feature
    catalog larger than the bit set, two user rows and two account rows with one key
    (the rollups' hash_key of the id), and a user's feature listed twice in
    int_user_feature_usage (int_user_engagement counts its rows as features) each fail
    their data test."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update intermediate.int_events_aggregated_to_user_days set distinct_features = distinct_features + 1"
            " where rowid = (select min(rowid) from intermediate.int_events_aggregated_to_user_days where distinct_features > 0)"
        )
        connection.execute("create table staging.features_as_built as select * from staging.stg_app__features")
        connection.execute(
            "create or replace view staging.stg_app__features as select * replace"
            " (case when feature_bit = 0 then 63 else feature_bit end as feature_bit) from staging.features_as_built"
        )
        connection.execute("create table staging.users_as_built as select * from staging.stg_app__users")
        connection.execute(
            "create or replace view staging.stg_app__users as select * from staging.users_as_built union all"
            " select * from staging.users_as_built where user_id = (select min(user_id) from staging.users_as_built)"
        )
        connection.execute("create table staging.accounts_as_built as select * from staging.stg_crm__accounts")
        connection.execute(
            "create or replace view staging.stg_crm__accounts as select * from staging.accounts_as_built union all"
            " select * from staging.accounts_as_built where account_id = (select max(account_id) from staging.accounts_as_built)"
        )
        connection.execute(
            "insert into intermediate.int_user_feature_usage select * from intermediate.int_user_feature_usage"
            " where (user_id, feature_key) = (select min((user_id, feature_key)) from intermediate.int_user_feature_usage)"
        )
    tests = [
        "assert_event_rollups_reconcile",
        "assert_feature_catalog_fits_the_bit_set",
        "hash_key_is_unique_stg_app__users_user_id",
        "hash_key_is_unique_stg_crm__accounts_account_id",
        "unique_combination_int_user_feature_usage_user_id__feature_key",
    ]
    process = dbt(["test", "--select", *tests], raw_dir=demo_raw_dir, warehouse=warehouse, target_path=tmp_path / "target", check=False)
    assert process.returncode == 1
    failed = [line for line in process.stdout.splitlines() if "FAIL 1 " in line]
    assert sorted(name for name in tests if any(name in line for line in failed)) == sorted(tests), process.stdout


def test_build_plan_follows_the_raw_dir_and_its_event_files(tmp_path: Path) -> None:
    """The recorded raw dir, event files and staging code decide: appended file →
    incremental; a changed (other bytes, even at the same size and time) or removed file
    → full rebuild, a touched one (the same bytes) → incremental; another raw dir → empty
    warehouse; a restage asked for or other staging code → restage; no record → full."""
    raw, other = tmp_path / "raw", tmp_path / "other"
    for folder in (raw, other):
        (folder / "events").mkdir(parents=True)
        (folder / "events" / "part-0.parquet").write_bytes(b"day 1")
        (folder / "users.parquet").write_bytes(b"users")
    warehouse = tmp_path / "warehouse.duckdb"
    first = plan(warehouse, raw)
    assert (first.mode, [file.path for file in first.files]) == ("new", ["events/part-0.parquet"])
    record(warehouse, first)
    assert recorded(warehouse) == (str(raw.resolve()), first.files, staging_code_hash())
    assert plan(warehouse, raw).mode == "incremental"

    (raw / "events" / "part-1.parquet").write_bytes(b"day 2")
    (raw / "users.parquet").write_bytes(b"users, one more")  # not an event file: no effect
    appended = plan(warehouse, raw)
    assert (appended.mode, appended.reason) == ("incremental", f"1 new event file(s) in {raw.resolve()}: incremental build of the event models")
    record(warehouse, appended)

    os.utime(raw / "events" / "part-0.parquet", ns=(0, 0))  # touched: the same bytes
    assert plan(warehouse, raw).mode == "incremental"
    inputs = raw_inputs(raw)
    rewrite_in_place(raw / "events" / "part-0.parquet", "day 1", "day 0")  # the same size and time
    assert {row[:3] for row in raw_inputs(raw)} == {row[:3] for row in inputs} and raw_inputs(raw) != inputs
    restated = plan(warehouse, raw)
    assert restated.mode == "full" and restated.full_refresh
    # the refresh scope takes the versions the plan read instead of reading the files again
    assert raw_inputs(raw, restated.versions) == raw_inputs(raw)
    size = (raw / "events" / "part-0.parquet").stat().st_size
    assert ("events", "events/part-0.parquet", size, "given") in raw_inputs(raw, {"events/part-0.parquet": "given"})
    assert "1 file(s) changed or removed since the last build, e.g. events/part-0.parquet" in restated.reason
    (raw / "events" / "part-0.parquet").unlink()
    assert plan(warehouse, raw).mode == "full"

    moved = plan(warehouse, other)
    assert moved.mode == "empty" and f"raw dir {other.resolve()} is not {raw.resolve()}" in moved.reason
    assert plan(warehouse, raw, full_refresh=True).mode == "full"

    assert plan(warehouse, raw, restage=True).mode == "restage"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update meta.raw_event_files set staging_code = 'an earlier version'")
    changed_code = plan(warehouse, raw)
    assert (changed_code.mode, changed_code.full_refresh, changed_code.restage) == ("restage", True, True)
    assert changed_code.reason.startswith("the staging code changed since the last build")

    unrecorded = tmp_path / "unrecorded.duckdb"
    duckdb.connect(str(unrecorded)).close()
    assert plan(unrecorded, raw).mode == "full"


def nodes_run(target: Path) -> set[str]:
    """The unique ids of every node the last build in ``target`` ran (all its dbt commands)."""
    return {
        result["unique_id"]
        for path in target.glob("run_results-*.json")
        for result in json.loads(path.read_text())["results"]
    }


def test_full_rebuild_leaves_unchanged_staging_and_equals_the_build_it_rebuilt(incremental_run: dict, tmp_path: Path) -> None:
    """A full rebuild (`--full-refresh`) of the incremental warehouse on the same raw files
    runs no staging model and no test of staging (files, code and vars as recorded), every
    other model and test, and gives every relation row for row; with the users rewritten,
    it stages the users and what looks them up again, and no other raw table."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(incremental_run["raw"], raw)
    shutil.copyfile(incremental_run["warehouse"], warehouse)
    with duckdb.connect(str(warehouse)) as connection:  # the copy was built from the copied raw dir
        connection.execute("update meta.raw_event_files set raw_dir = ?", [str(raw.resolve())])
    target = warehouse.parent / f"target-{warehouse.stem}"
    said: list[str] = []
    build_dev(raw, warehouse, full_refresh=True, progress=said.append)
    assert said[0].startswith("full refresh requested")
    dbt(["parse"], target_path=tmp_path / "parsed")
    nodes = json.loads((tmp_path / "parsed" / "manifest.json").read_text())["nodes"]
    staging = {uid for uid, node in nodes.items() if node["resource_type"] == "model" and node["fqn"][1] == "staging"}
    ran = nodes_run(target)
    assert len(staging) >= 25 and not staging & ran
    assert not [uid for uid in ran if uid.startswith("test.") and set(nodes[uid]["depends_on"]["nodes"]) <= staging]
    built = {uid for uid, node in nodes.items() if node["resource_type"] == "model" and node["fqn"][1] in {"intermediate", "marts"}}
    assert len(built) >= 60 and built <= ran
    tests_run = {nodes[uid]["name"] for uid in ran if uid in nodes and uid.startswith("test.")}
    # every test of what it builds: the keys, and the derived-column checks a daily refresh leaves out
    assert "unique_dim_accounts_account_id" in tests_run
    assert [name for name in tests_run if name.startswith("accepted_values_fct_mrr_movements_")]
    for schema, table in relations(incremental_run["warehouse"]):
        assert differing_rows(incremental_run["warehouse"], warehouse, schema, table) == (0, 0), (schema, table)

    # the users file rewritten (its rows in another order: other bytes, the same users)
    users = users_file(raw)
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * from read_parquet('{users}') order by user_id desc) to '{tmp_path / 'users.parquet'}'")
    shutil.move(tmp_path / "users.parquet", users)
    build_dev(raw, warehouse, full_refresh=True, progress=said.append)
    restaged = {nodes[uid]["name"] for uid in staging & nodes_run(target)}
    assert {"base_app__users", "stg_app__users", "base_app__events", "stg_load_audit"} <= restaged
    assert not restaged & {"base_billing__plans", "base_billing__invoices", "base_crm__accounts", "stg_crm__accounts"}


def test_refresh_runs_only_what_changed_and_the_daily_tests(incremental_run: dict, tmp_path: Path) -> None:
    """The daily build ran fewer nodes than a full build: not the staging of the seven raw
    tables whose files it found unchanged and whose staging reads no changed table (events
    got a new file, users were rewritten; trials, NPS responses, web touches and tickets
    look users up), and not the not-null and accepted-values tests of derived columns;
    every other model, every unique test, the load audit's tests and the relationship of
    the restaged users to the accounts left as they were ran (the result equals the full
    build, see above)."""
    # every node of the project (the build's own manifest.json leaves out the tests it dropped)
    dbt(["parse"], target_path=tmp_path / "target")
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    full = {uid for uid, node in nodes.items() if node["resource_type"] in {"model", "test", "seed"}} | set(manifest["unit_tests"])
    ran = nodes_run(incremental_run["target"])
    models = {uid for uid in full if uid.startswith("model.")}
    skipped_models = {nodes[uid]["name"] for uid in models - ran}
    unchanged = {
        "app__features", "billing__fx_rates", "billing__invoices", "billing__plans", "billing__subscriptions",
        "crm__accounts", "cs__onboarding_milestones",
    }
    assert skipped_models == {f"{layer}_{table}" for table in unchanged for layer in ("base", "stg")}
    ran_models = {"base_app__events", "base_app__users", "base_billing__trials", "stg_load_audit", "segment_quality"}
    assert ran_models <= {nodes[uid]["name"] for uid in ran & models}
    tests = {uid for uid in full if uid.startswith("test.")}
    left_out_tests = tests - ran
    staging_left_out = {f"model.saas_segments.{name}" for name in skipped_models}
    for uid in left_out_tests:
        kind = (nodes[uid].get("test_metadata") or {}).get("name")
        assert kind in {"not_null", "accepted_values"} or set(nodes[uid]["depends_on"]["nodes"]) <= staging_left_out, uid
    derived = ("not_null_dim_accounts_", "accepted_values_dim_accounts_", "accepted_values_fct_mrr_movements_")
    assert {uid for uid in tests if nodes[uid]["name"].startswith(derived)} <= left_out_tests
    kept = (
        "unique_dim_", "accepted_values_stg_load_audit", "accepted_values_stg_survey__nps_responses_",
        "relationships_stg_app__users_account_id",
    )
    assert {uid for uid in tests if nodes[uid]["name"].startswith(kept)} <= ran
    assert len(left_out_tests) > 200
    assert len(ran & full) < 0.6 * len(full)
