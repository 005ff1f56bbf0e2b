"""Payout statements as CSV (UTF-8 with BOM, for Excel), XLSX and PDF.

The PDF embeds Noto Sans CJK JP from the ``noto-cjk-sans-jp-regular`` package
(fpdf2 subsets the OpenType font, so a statement stays small) – nothing is
fetched at run time.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import next_month
from core.money import format_yen
from core.spreadsheets import formula_safe
from opportunities.models import Session
from training.models import Attendance, FeeRule, PayoutLine, PayoutRun

CSV_COLUMNS = ["payee_code", "payee_name", "units", "gross_yen", "amount_yen", "note"]


def units_text(line: PayoutLine, basis: str) -> str:
    if basis == FeeRule.Basis.HOUR:
        return f"{line.units / 4:g}"  # quarter hours shown as hours
    return str(line.units)


def line_note(line: PayoutLine) -> str:
    notes = []
    if line.kind == PayoutLine.Kind.MANUAL:
        notes.append(_("手動調整：%(reason)s") % {"reason": line.reason})
    if line.kind == PayoutLine.Kind.ADJUSTMENT:
        notes.append(_("%(month)s分の調整") % {"month": f"{line.adjusts_month:%Y-%m}"})
    if line.cut_by_cap:
        notes.append(_("月額上限により減額"))
    if line.cut_by_budget:
        notes.append(_("年度予算の残額により減額"))
    return _("・").join(notes)


# The statement as the secretariat's pages download it (and
# `payouts export --headers ja`): Japanese column names and a total line.
HEADERS = ("en", "ja")
YEN_FORMAT = '"¥"#,##0'


def _headers_ja() -> list[str]:
    return [
        _("支払先コード"),
        _("支払先"),
        _("数量"),
        _("単価×数量（円）"),
        _("支払額（円）"),
        _("備考"),
    ]


def _check_headers(headers: str) -> None:
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, not {headers!r}")


def units_value(line: PayoutLine, basis: str) -> int | float:
    """The units as a number: hours (quarter hours ÷ 4) under ``hour``."""
    if basis == FeeRule.Basis.HOUR:
        return line.units / 4
    return line.units


def _rows(run: PayoutRun, *, numeric: bool = False):
    """Statement rows for CSV and XLSX. The text columns come from people
    (partner, supporter and participant names), so none can become a live
    formula. ``numeric``: units as numbers (XLSX) rather than text (CSV)."""
    for line in run.lines.order_by("position"):
        yield [
            formula_safe(line.payee_code),
            formula_safe(line.payee_name),
            units_value(line, run.rule.basis) if numeric else units_text(line, run.rule.basis),
            line.gross_yen,
            line.amount_yen,
            formula_safe(line_note(line)),
        ]


def export_csv(run: PayoutRun, *, headers: str = "en") -> bytes:
    """``headers="en"`` (the default) is the format other systems read:
    English column names, no total line – keep it byte for byte.
    ``headers="ja"``: Japanese column names and a 合計 line, as the pages
    download it."""
    _check_headers(headers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_headers_ja() if headers == "ja" else CSV_COLUMNS)
    writer.writerows(_rows(run))
    if headers == "ja":
        writer.writerow(["", _("合計"), "", "", run.total_yen, ""])
    # The BOM makes Excel read the file as UTF-8 rather than Shift_JIS.
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(run: PayoutRun, *, headers: str = "en") -> bytes:
    """Amounts, units and hours are numeric cells (yen with a ¥ format), text
    cells are formula-safe."""
    from openpyxl import Workbook

    _check_headers(headers)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{run.month:%Y-%m}"
    ws.append(_headers_ja() if headers == "ja" else CSV_COLUMNS)
    for row in _rows(run, numeric=True):
        ws.append(row)
        for cell in ws[ws.max_row][3:5]:
            cell.number_format = YEN_FORMAT
    ws.append([])
    ws.append(["", _("合計"), "", "", run.total_yen, ""])
    ws.cell(row=ws.max_row, column=5).number_format = YEN_FORMAT
    for col, width in zip("ABCDEF", (14, 30, 10, 12, 12, 40), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@cache
def _font_path() -> str:
    from noto_cjk_sans_jp_regular import FONT_PATH

    return str(FONT_PATH)


def _month_period(run: PayoutRun) -> str:
    last = next_month(run.month) - timedelta(days=1)
    fmt = _("%Y年%m月%d日")
    return f"{run.month.strftime(fmt)} 〜 {last.strftime(fmt)}"


def export_pdf(run: PayoutRun, *, headers: str = "en") -> bytes:
    """One statement per payee: who is paid, for which period, the sessions
    counted and the amount. A long session list continues on a next page.
    (Always in the UI language; ``headers`` is accepted like the other
    exporters'.)"""
    from fpdf import FPDF

    rule = run.rule
    issuer = getattr(settings, "SECRETARIAT_NAME", None) or _("ホッとステーション事務局")
    payees: OrderedDict[str, list[PayoutLine]] = OrderedDict()
    for line in run.lines.order_by("position"):
        payees.setdefault(line.payee_code, []).append(line)
    all_ids = {sid for lines in payees.values() for line in lines for sid in line.session_ids}
    sessions = {
        s.pk: s for s in Session.objects.filter(pk__in=all_ids).select_related("opportunity")
    }
    # Supporter statements list the minutes worked; partner statements the trainees present.
    present = {}
    minutes: dict[tuple[int, str, int | None], int] = {}
    if rule.basis == FeeRule.Basis.HOUR:
        for sid, sup, part, mins, start, end in Attendance.objects.filter(
            session_id__in=all_ids, role="supporter", status="present"
        ).values_list(
            "session_id",
            "supporter_id",
            "participant_id",
            "minutes",
            "session__starts_at",
            "session__ends_at",
        ):
            # As the engine counts it: recorded minutes, or the session's length.
            minutes[(sid, "s", sup) if sup else (sid, "p", part)] = mins or int(
                (end - start).total_seconds() // 60
            )
    else:
        present = dict(
            Session.objects.filter(pk__in=all_ids)
            .annotate(
                n=Count(
                    "attendance", filter=Q(attendance__status="present", attendance__role="trainee")
                )
            )
            .values_list("pk", "n")
        )

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("noto", "", _font_path())
    pdf.set_title(_("支払明細書"))
    pdf.set_creator(issuer)
    width = pdf.epw
    if not payees:
        pdf.add_page()
        pdf.set_font("noto", size=12)
        pdf.cell(width, 10, _("この月の支払対象はありません。"), new_x="LMARGIN", new_y="NEXT")
    for code, lines in payees.items():
        pdf.add_page()
        pdf.set_font("noto", size=18)
        pdf.cell(width, 12, _("支払明細書"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", size=11)
        pdf.cell(
            width,
            7,
            _("%(name)s 様（%(code)s）") % {"name": lines[0].payee_name, "code": code},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.cell(
            width,
            7,
            _("対象期間: %(period)s") % {"period": _month_period(run)},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.cell(
            width,
            7,
            _("区分: %(rule)s（%(code)s）") % {"rule": rule.name, "code": rule.code},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.cell(
            width,
            7,
            _("単価: %(rate)s / %(basis)s")
            % {"rate": format_yen(rule.rate_yen), "basis": rule.get_basis_display()},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
        total = sum(line.amount_yen for line in lines)
        pdf.set_font("noto", size=14)
        pdf.cell(
            width,
            10,
            _("お支払額: %(amount)s") % {"amount": format_yen(total)},
            border="B",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("noto", size=10)
        pdf.ln(2)
        for line in lines:
            label = _("数量 %(units)s、計算額 %(gross)s、支払額 %(amount)s") % {
                "units": units_text(line, rule.basis),
                "gross": format_yen(line.gross_yen),
                "amount": format_yen(line.amount_yen),
            }
            note = line_note(line)
            pdf.multi_cell(
                width, 6, label + (f"（{note}）" if note else ""), new_x="LMARGIN", new_y="NEXT"
            )
        pdf.ln(2)
        ids = [sid for line in lines for sid in line.session_ids]
        pdf.set_font("noto", size=11)
        pdf.cell(
            width,
            8,
            _("対象となった開催回（%(n)s回）") % {"n": len(ids)},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("noto", size=9)
        pdf.set_fill_color(235, 235, 235)
        cols = (30, 25, width - 85, 30)
        head = (
            _("日付"),
            _("時間"),
            _("活動"),
            _("出席した訓練生") if rule.basis != FeeRule.Basis.HOUR else _("活動時間"),
        )
        payee_key: tuple[str, int | None] = (
            ("s", lines[0].supporter_id)
            if lines[0].supporter_id
            else ("p", lines[0].participant_id)
        )
        for w, text in zip(cols, head, strict=True):
            pdf.cell(w, 6, text, border=1, fill=True)
        pdf.ln()
        for sid in sorted(ids, key=lambda i: sessions[i].starts_at if i in sessions else 0):
            s = sessions.get(sid)
            if s is None:
                continue
            start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
            if rule.basis == FeeRule.Basis.HOUR:
                m = minutes.get((sid, *payee_key), 0)
                extra = _("%(m)s分（%(q)s×15分）") % {"m": m, "q": m // 15}
            else:
                extra = _("%(n)s名") % {"n": present.get(sid, 0)}
            for w, text in zip(
                cols,
                (
                    f"{start:%Y-%m-%d}",
                    f"{start:%H:%M}–{end:%H:%M}",
                    s.opportunity.title[:40],
                    extra,
                ),
                strict=True,
            ):
                pdf.cell(w, 6, text, border=1)
            pdf.ln()
        pdf.ln(4)
        pdf.set_font("noto", size=9)
        pdf.cell(
            width,
            6,
            _("発行: %(issuer)s　作成日: %(date)s　状態: %(status)s")
            % {
                "issuer": issuer,
                "date": f"{timezone.localdate():%Y-%m-%d}",
                "status": run.get_status_display(),
            },
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx, "pdf": export_pdf}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
