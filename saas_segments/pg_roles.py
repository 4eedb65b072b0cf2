"""The BI login on PostgreSQL: a member of the ``analyst`` group role.

dbt creates the NOLOGIN group role ``analyst`` (on-run-start) and grants it select on
every mart and usage on the marts schema; nothing else. This command adds a login
for BI tools to that group:

    SAAS_PG_BI_PASSWORD=... python -m saas_segments.pg_roles [--user bi_reader]

The user name comes from ``--user`` or SAAS_PG_BI_USER (default ``bi_reader``), the
password from SAAS_PG_BI_PASSWORD only (never a flag, never the repo). The password is
hashed (SCRAM-SHA-256) on the client, so the plain text never reaches the server or
its logs. The login inherits the group's privileges only, and its sessions default
to read-only transactions as a second line of defence. Re-running it resets the
password; it is idempotent otherwise.
"""

from __future__ import annotations

import argparse
import os

from psycopg2 import sql
from psycopg2.extensions import encrypt_password

from saas_segments.pg_load import connect, ensure_database

GROUP_ROLE = "analyst"
DEFAULT_BI_USER = "bi_reader"


def ensure_group_role(cursor, role: str = GROUP_ROLE) -> None:
    cursor.execute("select 1 from pg_catalog.pg_roles where rolname = %s", (role,))
    if not cursor.fetchone():
        cursor.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))


def ensure_bi_user(user: str, password: str, database: str | None = None, group: str = GROUP_ROLE) -> None:
    """Create (or reset the password of) a login role that belongs to ``group`` only."""
    if not password:
        raise ValueError("SAAS_PG_BI_PASSWORD is empty: set the BI user's password in the environment")
    ensure_database(database)
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            ensure_group_role(cursor, group)
            verifier = encrypt_password(password, user, connection, "scram-sha-256")
            cursor.execute("select 1 from pg_catalog.pg_roles where rolname = %s", (user,))
            verb = "alter" if cursor.fetchone() else "create"
            cursor.execute(
                sql.SQL(
                    verb + " role {} login nosuperuser nocreatedb nocreaterole noreplication inherit password %s"
                ).format(sql.Identifier(user)),
                (verifier,),
            )
            cursor.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(user)))
            cursor.execute(
                sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(user))
            )
            cursor.execute("select current_database()")
            cursor.execute(
                sql.SQL("grant connect on database {} to {}").format(
                    sql.Identifier(cursor.fetchone()[0]), sql.Identifier(group)
                )
            )
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default=os.environ.get("SAAS_PG_BI_USER", DEFAULT_BI_USER))
    parser.add_argument("--database", help="database name (default SAAS_PG_DATABASE or saas_segments)")
    args = parser.parse_args(argv)
    password = os.environ.get("SAAS_PG_BI_PASSWORD", "")
    if not password:
        parser.error("set SAAS_PG_BI_PASSWORD to the BI user's password")
    ensure_bi_user(args.user, password, args.database)
    print(f"login role {args.user} is a member of {GROUP_ROLE} (select on marts only)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
