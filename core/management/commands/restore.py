"""manage.py restore FILE: replace every table of the database with the
contents of a ``manage.py backup`` file (pg_restore --clean --if-exists
--no-owner, in one transaction: if anything fails, nothing is changed)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from core.management.commands.backup import DUMP_MAGIC, pg_binary, run_pg


class Command(BaseCommand):
    help = _(
        "backup で作ったファイルからデータベースを復元します。現在のデータはすべて置き換わります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("manage.py backup で作ったファイル"))
        parser.add_argument(
            "--no-input",
            "--noinput",
            "--yes",
            action="store_false",
            dest="interactive",
            help=_("確認せずに復元する"),
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, interactive, database, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(_("ファイル %(file)s が見つかりません。") % {"file": source})
        with source.open("rb") as f:
            is_dump = f.read(len(DUMP_MAGIC)) == DUMP_MAGIC
        listing = run_pg([pg_binary("pg_restore"), "--list", str(source)], database=database)
        if not is_dump or listing.returncode != 0:
            raise CommandError(
                _(
                    "%(file)s は manage.py backup で作ったバックアップファイルではありません"
                    "（pg_dump のカスタム形式ではありません）。何も変更していません。"
                )
                % {"file": source}
            )
        settings = connections[database].settings_dict
        header = [
            line[1:].strip()
            for line in listing.stdout.splitlines()
            if line.startswith(";") and ("Archive created at" in line or "dbname:" in line)
        ]
        self.stdout.write(
            _(
                "データベース %(name)s（%(host)s）のすべてのデータを、"
                "バックアップ %(file)s の内容で置き換えます。"
            )
            % {
                "name": settings["NAME"],
                "host": settings.get("HOST")
                or (settings.get("OPTIONS") or {}).get("host")
                or "localhost",
                "file": source,
            }
        )
        for line in header:
            self.stdout.write(f"  {line}")
        if interactive:
            answer = input(_("よろしければ yes と入力してください: "))
            if answer.strip().lower() != "yes":
                raise CommandError(_("復元を取りやめました。何も変更していません。"))
        # This process's own connection must not hold locks on the tables
        # pg_restore drops.
        connections[database].close()
        result = run_pg(
            [
                pg_binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                settings["NAME"],
                str(source),
            ],
            database=database,
        )
        if result.returncode != 0:
            raise CommandError(
                _("復元に失敗しました。何も変更していません: %(error)s")
                % {"error": result.stderr.strip()}
            )
        self.stdout.write(_("復元しました: %(file)s") % {"file": source})
