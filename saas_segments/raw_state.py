"""Which raw data a warehouse's incremental tables were built from.

The event models are incremental (``macros/incremental/replace_window.sql``): a build
on a warehouse only recomputes the newest days. That is right only when the raw dir
is the one the warehouse was built from and the event files seen then are unchanged
(new files, i.e. appended days, are expected). Each build records the raw dir and
every event file's path, size and version (a hash of its bytes:
:func:`saas_segments.raw_files.file_versions`) in ``meta.raw_event_files``
of the warehouse; the next build compares them with the raw dir it is given:

- no warehouse yet: a first build;
- another raw dir: the build starts from an empty warehouse (nothing of the other
  data, incl. its membership history, is kept);
- the staging code (:data:`STAGING_CODE_PATHS`) changed since the warehouse was built,
  or a restage is asked for: every raw file is staged again (``--full-refresh`` with
  the var ``restage_history``) and the incremental models are rebuilt in full;
- an event file recorded before is changed or gone (restated history), or a
  warehouse without a record: the incremental models are rebuilt in full
  (``--full-refresh``; the run histories are kept). On DuckDB the staged events are
  a layer kept per raw file (macros/staging/staged_files.sql): only the new and
  changed files are staged, the user-day rollups rewrite the days whose staged
  events changed, everything downstream is rebuilt from them;
- otherwise: incremental.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import duckdb

from saas_segments.raw_files import file_versions
from saas_segments.refresh_scope import files_hash

# the raw table the incremental models read (one file, or a folder of files)
EVENTS_TABLE = "events"
STATE_TABLE = "meta.raw_event_files"
# what the staged layer's rows depend on besides the raw files (the staged events and
# the user-day rollups kept with them): a change restages them
STAGING_CODE_PATHS = (
    "macros",
    "models/staging",
    "models/intermediate/int_events_aggregated_to_user_days.sql",
    "models/intermediate/int_feature_events_aggregated_to_user_days.sql",
    "models/intermediate/int_feature_events_aggregated_to_user_features.sql",
    "models/intermediate/int_events_aggregated_to_users.sql",
    "dbt_project.yml",
)

Mode = Literal["new", "empty", "restage", "full", "incremental"]


@dataclass(frozen=True)
class RawFile:
    """One raw event file, by its path relative to the raw dir."""

    path: str
    size_bytes: int
    version: str


@dataclass(frozen=True)
class BuildPlan:
    """How a build treats the warehouse it starts from, and why (``reason``: one line)."""

    mode: Mode
    reason: str
    raw_dir: str
    files: tuple[RawFile, ...]

    @property
    def full_refresh(self) -> bool:
        """Whether dbt must rebuild the incremental models (``--full-refresh``)."""
        return self.mode in {"restage", "full"}

    @property
    def restage(self) -> bool:
        """Whether the staged layer is built again from every raw file (var ``restage_history``)."""
        return self.mode == "restage"

    @property
    def versions(self) -> dict[str, str]:
        """The version of each event file the plan read, by path relative to the raw dir."""
        return {file.path: file.version for file in self.files}

    @property
    def keeps_unchanged_staging(self) -> bool:
        """Whether the staging of raw tables whose files, code and vars are as recorded is
        left as the warehouse holds it (:func:`saas_segments.refresh_scope.unchanged_tables`):
        on an incremental build and on a full rebuild from the staged layer, not on a
        restage or a new or emptied warehouse."""
        return self.mode in {"incremental", "full"}

    @property
    def incremental(self) -> bool:
        """Whether the build only recomputes the incremental models' newest days."""
        return self.mode == "incremental"

    def to_json(self) -> str:
        """The plan as JSON (see :func:`plan_from_json`)."""
        return json.dumps(asdict(self))


def plan_from_json(text: str) -> BuildPlan:
    """A plan written by :meth:`BuildPlan.to_json`."""
    data = json.loads(text)
    return BuildPlan(data["mode"], data["reason"], data["raw_dir"], tuple(RawFile(**file) for file in data["files"]))


def event_files(raw_dir: Path) -> tuple[RawFile, ...]:
    """The files of the events table in ``raw_dir`` (``events.*`` or anything under ``events/``)."""
    raw_dir = raw_dir.resolve()
    found = []
    for entry in raw_dir.iterdir():
        if entry.name == EVENTS_TABLE and entry.is_dir():
            found += [path for path in entry.rglob("*") if path.is_file() and not path.name.startswith((".", "_"))]
        elif entry.is_file() and entry.name.split(".")[0] == EVENTS_TABLE:
            found.append(entry)
    versions = file_versions(found)
    return tuple(RawFile(str(path.relative_to(raw_dir)), path.stat().st_size, versions[path]) for path in sorted(found))


def staging_code_hash() -> str:
    """A hash of the project files under :data:`STAGING_CODE_PATHS`."""
    return files_hash(STAGING_CODE_PATHS)


def recorded(warehouse: Path) -> tuple[str | None, tuple[RawFile, ...], str | None]:
    """The raw dir, event files and staging code hash ``warehouse`` was last built from
    (``None``, when not recorded)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        columns = {
            name
            for (name,) in connection.execute(
                "select column_name from duckdb_columns() where schema_name = 'meta' and table_name = 'raw_event_files'"
            ).fetchall()
        }
        if not columns:
            return None, (), None
        code = "staging_code" if "staging_code" in columns else "null"
        # a record without versions (files as of modification time) matches no file now
        version = "version" if "version" in columns else "cast(null as varchar)"
        rows = connection.execute(
            f"select raw_dir, path, size_bytes, {version}, {code} from {STATE_TABLE} order by path"
        ).fetchall()
    raw_dirs, codes = {row[0] for row in rows}, {row[4] for row in rows}
    return (
        raw_dirs.pop() if len(raw_dirs) == 1 else None,
        tuple(RawFile(*row[1:4]) for row in rows),
        codes.pop() if len(codes) == 1 else None,
    )


def plan(warehouse: Path, raw_dir: Path, full_refresh: bool = False, restage: bool = False) -> BuildPlan:
    """How a build of ``raw_dir`` must treat ``warehouse`` (see the module docstring).

    ``full_refresh`` asks for a full rebuild of the incremental models whatever the record
    says; ``restage`` for that and a restage of every raw file.
    """
    raw = str(raw_dir.resolve())
    files = event_files(raw_dir)
    if not warehouse.exists():
        return BuildPlan("new", f"building {raw} into a new warehouse", raw, files)
    built_from, built_files, built_code = recorded(warehouse)
    if built_from is not None and built_from != raw:
        reason = f"raw dir {raw} is not {built_from}, which {warehouse.name} was built from: building from an empty warehouse"
        return BuildPlan("empty", reason, raw, files)
    if restage:
        return BuildPlan("restage", "restage requested: staging every raw file again, rebuilding the incremental models", raw, files)
    if built_from is not None and built_code != staging_code_hash():
        reason = "the staging code changed since the last build: staging every raw file again, rebuilding the incremental models"
        return BuildPlan("restage", reason, raw, files)
    if full_refresh:
        reason = "full refresh requested: staging new and changed raw files, rebuilding everything downstream of the staged layer"
        return BuildPlan("full", reason, raw, files)
    if built_from is None:
        reason = f"{warehouse.name} records no raw event files: rebuilding the incremental event models in full"
        return BuildPlan("full", reason, raw, files)
    restated = sorted(set(built_files) - set(files), key=lambda file: file.path)
    if restated:
        reason = (
            f"raw event history of {raw} changed ({len(restated)} file(s) changed or removed since the last build,"
            f" e.g. {restated[0].path}): restaging those files, rebuilding the incremental event models in full"
        )
        return BuildPlan("full", reason, raw, files)
    appended = len(set(files) - set(built_files))
    return BuildPlan("incremental", f"{appended} new event file(s) in {raw}: incremental build of the event models", raw, files)


def record(warehouse: Path, build: BuildPlan) -> None:
    """Write the raw dir, event files and staging code hash of ``build`` into ``warehouse``
    (replacing the last record)."""
    code = staging_code_hash()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists meta")
        connection.execute(
            f"create or replace table {STATE_TABLE} (raw_dir varchar not null, path varchar not null,"
            " size_bytes bigint not null, version varchar not null, staging_code varchar not null)"
        )
        connection.executemany(
            f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?)",
            [(build.raw_dir, file.path, file.size_bytes, file.version, code) for file in build.files],
        )
