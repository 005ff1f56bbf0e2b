"""The shared body of the import_* management commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.importing import import_path, importer_named


class ImportCommand(BaseCommand):
    importer_name = ""  # the name an app registered with core.importing.importer_register

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv（UTF-8 / Shift_JIS）または .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして書き込まない")
        parser.add_argument("--user", help="監査ログに記録する事務局ユーザー名")

    def handle(self, *args, file, dry_run, user, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("ユーザー %(user)s が見つかりません。") % {"user": user})
        report = import_path(
            importer_named(self.importer_name), file, dry_run=dry_run, context={"by": by}
        )
        if report.errors:
            # The report holds at most the first MAX_SHOWN_ERRORS messages and
            # a line with how many more there were (core.importing).
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(n)s件のエラーがあるため、何も取り込みませんでした。")
                % {"n": report.error_count}
            )
        prefix = _("（確認のみ）") if dry_run else ""
        self.stdout.write(f"{prefix}{report.summary()}")
