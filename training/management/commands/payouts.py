"""python manage.py payouts run|approve|mark-paid|export --rule CODE --month YYYY-MM"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import format_yen
from people.models import User
from training.exports import EXPORTERS
from training.models import FeeRule, PayoutRun
from training.services import (
    parse_month,
    payout_run_approve,
    payout_run_compute,
    payout_run_mark_paid,
)


class Command(BaseCommand):
    help = "月次支払（下書き計算・承認・支払済み・明細の出力）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "approve", "mark-paid", "export"])
        parser.add_argument("--rule", required=True, help="謝金ルールのコード")
        parser.add_argument("--month", required=True, help="対象月 YYYY-MM")
        parser.add_argument("--user", help="監査ログに記録する事務局ユーザー名")
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="csv")
        parser.add_argument("--output", help="出力ファイル（export のとき）")
        parser.add_argument(
            "--headers",
            choices=["en", "ja"],
            default="en",
            help="CSV/XLSX の見出し: en（既定。他システム向けの従来形式）、ja（画面からのダウンロードと同じ日本語見出しと合計行）",
        )

    def handle(self, *args, action, rule, month, user, format, output, headers="en", **options):
        try:
            fee_rule = FeeRule.objects.get(code=rule)
        except FeeRule.DoesNotExist:
            raise CommandError(
                _("謝金ルール %(rule)s が見つかりません。") % {"rule": rule}
            ) from None
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("ユーザー %(user)s が見つかりません。") % {"user": user})
        try:
            month_date = parse_month(month)
            if action == "run":
                run = payout_run_compute(rule=fee_rule, month=month_date, by=by)
            else:
                run = PayoutRun.objects.filter(rule=fee_rule, month=month_date).first()
                if run is None:
                    raise CommandError(
                        _(
                            "%(rule)s %(month)s の支払はまだ計算されていません（payouts run を先に実行してください）。"
                        )
                        % {"rule": rule, "month": month}
                    )
                if action == "approve":
                    run = payout_run_approve(run=run, by=by)
                elif action == "mark-paid":
                    run = payout_run_mark_paid(run=run, by=by)
                else:
                    if not output:
                        raise CommandError(_("--output を指定してください。"))
                    with open(output, "wb") as fh:
                        fh.write(EXPORTERS[format](run, headers=headers))
                    self.stdout.write(_("%(file)s に出力しました。") % {"file": output})
                    return
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("%(rule)s %(month)s: %(status)s %(n)s件 合計 %(total)s")
            % {
                "rule": run.rule.code,
                "month": f"{run.month:%Y-%m}",
                "status": run.get_status_display(),
                "n": run.lines.count(),
                "total": format_yen(run.total_yen),
            }
        )
