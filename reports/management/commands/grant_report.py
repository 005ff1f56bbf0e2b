"""python manage.py grant_report --fiscal-year YYYY --output FILE [--force]

Writes the grant report as .xlsx or .pdf (chosen by the file's extension). An
existing file is replaced only with --force; the file is written to a
temporary name first and renamed at the end, so a failed run leaves nothing
half-written behind.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports import grant_report

FISCAL_YEARS = (2000, 2100)


class Command(BaseCommand):
    help = "助成金の実績報告（5シート）を .xlsx または .pdf で出力する"

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", required=True, help="年度（4月始まり）の西暦 YYYY")
        parser.add_argument("--output", required=True, help="出力ファイル（.xlsx または .pdf）")
        parser.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")

    def handle(self, *args, fiscal_year, output, force, **options):
        try:
            fy = int(str(fiscal_year).strip())
        except ValueError:
            fy = None
        if fy is None or not FISCAL_YEARS[0] <= fy <= FISCAL_YEARS[1]:
            raise CommandError(
                _("年度は%(low)s〜%(high)sの整数で指定してください（例: --fiscal-year 2026）。")
                % {"low": FISCAL_YEARS[0], "high": FISCAL_YEARS[1]}
            )
        path = Path(output)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in grant_report.FORMATS:
            raise CommandError(
                _("出力ファイルの拡張子は .xlsx か .pdf にしてください（指定: %(name)s）。")
                % {"name": path.name}
            )
        if path.exists() and not force:
            raise CommandError(
                _("%(file)s は既にあります。上書きするときは --force を付けてください。")
                % {"file": output}
            )
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(_("出力先のフォルダ %(dir)s がありません。") % {"dir": folder})

        def progress(name: str) -> None:
            self.stdout.write(_("「%(sheet)s」を集計しました。") % {"sheet": name})

        content = grant_report.build(fiscal_year=fy, fmt=fmt, progress=progress)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".grant_report-", suffix="." + fmt)
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(content)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from colleagues
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            _("%(fy)s年度の実績報告を %(file)s に出力しました（%(size)sバイト）。")
            % {"fy": fy, "file": output, "size": f"{len(content):,}"}
        )
