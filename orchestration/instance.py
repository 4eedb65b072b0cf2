"""The Dagster instance: ``DAGSTER_HOME`` (default ``<project>/.dagster_home``) and its ``dagster.yaml``.

Storage is SQLite under ``DAGSTER_HOME`` unless ``SAAS_DAGSTER_PG_URL`` is set
(``postgresql+psycopg2://user:password@host:port/database``), then Postgres through
dagster-postgres. Runs of the daily refresh are queued one at a time per warehouse.
``python -m orchestration.instance`` writes the file and prints the home.
"""

import os
from pathlib import Path
from typing import Any

import yaml

from saas_segments.project import PROJECT_DIR

PG_URL_ENV = "SAAS_DAGSTER_PG_URL"
WAREHOUSE_TAG = "saas_segments/warehouse"


def dagster_home() -> Path:
    """``DAGSTER_HOME``, by default ``<project>/.dagster_home``."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR / ".dagster_home")


def instance_config(pg_url: str | None) -> dict[str, Any]:
    """``dagster.yaml`` content: run queue limits, telemetry and the first-visit pop-up off,
    Postgres storage when ``pg_url`` is given."""
    config: dict[str, Any] = {
        "run_coordinator": {
            "module": "dagster.core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"tag_concurrency_limits": [{"key": WAREHOUSE_TAG, "limit": 1}]},
        },
        "telemetry": {"enabled": False},
        "nux": {"enabled": False},
    }
    if pg_url:
        config["storage"] = {"postgres": {"postgres_url": {"env": PG_URL_ENV}}}
    return config


def write_instance(home: Path | None = None) -> Path:
    """Create ``home`` (default :func:`dagster_home`) and write its ``dagster.yaml`` from the environment."""
    home = home or dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(os.environ.get(PG_URL_ENV)), sort_keys=False))
    return home


if __name__ == "__main__":
    print(f"DAGSTER_HOME={write_instance()}")
