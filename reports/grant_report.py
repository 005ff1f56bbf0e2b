"""The grant report (助成金の実績報告) for a fiscal year, as XLSX or PDF.

Five sheets (sections in the PDF), each built once as plain tables and then
written by both writers, so the two files always carry the same figures:

* 実施状況 – targets against actuals (as the dashboard), per activity: sites,
  operating days, cumulative persons and sessions/counts, and by month.
* 協力機関 – partners by category (at the start of the year, joined, at the
  end) and by what they offer.
* 参加者の変化 – the readiness progression of everyone in the year, with
  small-number suppression ("<5"): the report leaves the secretariat.
* フードバンク – donations received and distributions made by month: count,
  kg and tonnes.
* 指導料・謝金 – the year's fee rules: budget, approved and paid payouts.

Numbers are written as numbers; every total is the sum of the rows above it.
The same data gives the same bytes: the workbook's and the PDF's dates are
fixed to the end of the fiscal year, and the XLSX's zip entries carry that
date too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from core.clock import JST, at, fiscal_year_bounds
from core.spreadsheets import formula_safe
from opportunities.models import Opportunity, Partner, Session
from people.readiness import Readiness
from reports.progression import Cohort, progression, progression_display
from training.ledger import ledger_monthly_totals
from training.models import ActivityRecord, Attendance, FeeRule, PayoutLine
from training.selectors import dashboard_rows, programme_monthly

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
SHEET_NAMES = ("実施状況", "協力機関", "参加者の変化", "フードバンク", "指導料・謝金")
UE = "universal_employment"
TRAINING_KINDS = [
    Opportunity.Kind.SUPPORTED_WORK,
    Opportunity.Kind.INTERMEDIATE_EMPLOYMENT,
    Opportunity.Kind.FARM_WELFARE,
]

Cell = int | Decimal | float | str | None


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""
    # number format per column for the XLSX ("" = as is)
    formats: dict[int, str] = field(default_factory=dict)


@dataclass
class Sheet:
    name: str
    tables: list[Table]


def fixed_moment(fiscal_year: int) -> datetime:
    """The date stamped into the files: the end of the fiscal year (JST)."""
    return at(fiscal_year_bounds(fiscal_year)[1], time(23, 59, 59))


def _month_labels(fiscal_year: int) -> list[str]:
    first = fiscal_year_bounds(fiscal_year)[0]
    labels = []
    for i in range(12):
        month = (first.month - 1 + i) % 12 + 1
        labels.append(_("%(m)s月") % {"m": month})
    return labels


def _sum(values) -> int | Decimal:
    return sum((v for v in values if isinstance(v, int | Decimal)), start=0)


def _fy_instants(fiscal_year: int) -> tuple[datetime, datetime]:
    first, last = fiscal_year_bounds(fiscal_year)
    return at(first, time.min), at(last + timedelta(days=1), time.min)


# ---------------------------------------------------------------- 実施状況


def _ue_figures(fiscal_year: int) -> dict:
    start, end = _fy_instants(fiscal_year)
    present = Attendance.objects.filter(
        status=Attendance.Status.PRESENT,
        role=Attendance.Role.TRAINEE,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
        session__opportunity__kind__in=TRAINING_KINDS,
    ).exclude(session__status=Session.Status.CANCELLED)
    return {
        "sites": present.values("session__opportunity__partner_id").distinct().count(),
        "sessions": present.values("session_id").distinct().count(),
    }


def activity_sheet(fiscal_year: int) -> Sheet:
    rows = dashboard_rows(fiscal_year=fiscal_year)
    targets = Table(
        title=_("目標と実績（事業ダッシュボードと同じ数え方）"),
        header=[_("指標"), _("目標"), _("実績"), _("達成率（%）")],
        rows=[[str(r["label"]), r["target"], r["actual"], r["percent"]] for r in rows],
    )
    ledger = ledger_monthly_totals(fiscal_year=fiscal_year)
    monthly_ue = programme_monthly(fiscal_year=fiscal_year)
    first, last = fiscal_year_bounds(fiscal_year)
    sites = dict(
        ActivityRecord.objects.filter(held_on__gte=first, held_on__lte=last)
        .values("activity")
        .annotate(n=Count("partner_id", distinct=True))
        .values_list("activity", "n")
    )
    ue = _ue_figures(fiscal_year)
    ue_days = _sum(m["ue_days"] for m in monthly_ue)
    ue_persons = _sum(m["ue_person_days"] for m in monthly_ue)
    per_activity = [
        [_("ユニバーサル就労（訓練）"), ue["sites"], ue_days, ue_persons, ue["sessions"]]
    ]
    for value, label in ledger["activities"]:
        year = ledger["year"][value]
        per_activity.append(
            [str(label), sites.get(value, 0), year["days"], year["persons"], year["count"]]
        )
    activities = Table(
        title=_("活動別の実績（年度計）"),
        header=[_("活動"), _("箇所数"), _("稼働日数"), _("延べ人数"), _("回数・件数")],
        rows=per_activity,
        note=_(
            "箇所数は年度中に実績のあった協力機関の数です。ユニバーサル就労の回数は"
            "訓練生が出席した開催回の数、そのほかは活動実績の回数・件数の合計です。"
        ),
    )
    months = _month_labels(fiscal_year)

    def by_month(key_ue: str, key_ledger: str, title: str) -> Table:
        table_rows: list[list[Cell]] = []
        values = [m[key_ue] for m in monthly_ue]
        table_rows.append([_("ユニバーサル就労（訓練）"), *values, _sum(values)])
        for value, label in ledger["activities"]:
            values = [m["activities"][value][key_ledger] for m in ledger["months"]]
            table_rows.append([str(label), *values, _sum(values)])
        return Table(title=title, header=[_("活動"), *months, _("合計")], rows=table_rows)

    return Sheet(
        name=SHEET_NAMES[0],
        tables=[
            targets,
            activities,
            by_month("ue_person_days", "persons", _("月別の延べ人数")),
            by_month("ue_days", "days", _("月別の稼働日数")),
        ],
    )


# ---------------------------------------------------------------- 協力機関


def partner_sheet(fiscal_year: int) -> Sheet:
    start, end = _fy_instants(fiscal_year)
    counts = {
        row["category"]: row
        for row in Partner.objects.values("category").annotate(
            at_start=Count("pk", filter=Q(created_at__lt=start)),
            joined=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
            at_end=Count("pk", filter=Q(created_at__lt=end)),
        )
    }
    rows: list[list[Cell]] = []
    for value, label in Partner.Category.choices:
        row = counts.get(value, {})
        rows.append(
            [str(label), row.get("at_start", 0), row.get("joined", 0), row.get("at_end", 0)]
        )
    growth = Table(
        title=_("分類別の協力機関数と年度中の増加"),
        header=[_("分類"), _("年度初め"), _("新規加入"), _("年度末")],
        rows=rows,
        total=[_("合計"), *(_sum(r[i] for r in rows) for i in (1, 2, 3))],
        note=_(
            "登録日で数えています。退会の日付は記録されないため、年度末は年度初めと"
            "新規加入の合計です（無効にした機関も含みます）。"
        ),
    )
    labels = {
        "place": _("居場所の提供"),
        "consultation": _("お困り事の相談"),
        "work_acceptance": _("仕事・ボランティアの受入れ"),
        "cafeteria": _("子ども食堂"),
        "food_bank": _("フードバンク"),
        "cool_station": _("クールステーション"),
    }
    registered = Partner.objects.filter(created_at__lt=end)
    offers = Table(
        title=_("提供内容別の協力機関数（年度末）"),
        header=[_("提供内容"), _("機関数")],
        rows=[
            [str(labels[code]), registered.filter(**{fname: True}).count()]
            for code, fname in Partner.OFFER_FIELDS.items()
        ],
        note=_("1つの機関が複数を提供するため、合計はありません。"),
    )
    return Sheet(name=SHEET_NAMES[1], tables=[growth, offers])


# ---------------------------------------------------------------- 参加者の変化


def progression_sheet(fiscal_year: int) -> Sheet:
    display = progression_display(progression(Cohort(fiscal_year=fiscal_year)), suppress=True)
    median = display["median_days"]
    headline = Table(
        title=_("年度の参加者（全体）"),
        header=[_("項目"), _("値")],
        rows=[
            [_("対象の参加者数"), display["participants"]],
            [_("ステップの評価がある人"), display["assessed"]],
            [_("1段以上ステップが上がった人"), display["moved_up"]],
            [_("年度中のステップアップの回数"), display["step_ups"]],
            [_("ステップアップまでの日数（中央値）"), median],
        ],
        note=_(
            "外部に出す資料のため、1〜4人の数は「<5」と表示し、そこから逆算できる合計や"
            "割合は「—」としています。"
        ),
    )
    steps = [str(label) for _value, label in Readiness.choices]
    flow = Table(
        title=_("ステップの変化（行：年度初め、列：年度末）"),
        header=[_("年度初めのステップ"), *steps, _("合計")],
        rows=[[steps[i], *row["cells"], row["total"]] for i, row in enumerate(display["flow"])],
        total=[_("合計"), *display["column_totals"], display["grand_total"]],
    )
    retention = Table(
        title=_("参加の継続（年度中に初めて参加した人）"),
        header=[_("初回参加から"), _("対象者"), _("継続していた人"), _("割合（%）")],
        rows=[
            [_("%(n)sか月後") % {"n": r["months"]}, r["eligible"], r["retained"], r["percent"]]
            for r in display["retention"]
        ],
        note=_(
            "継続：初回参加からその月数が過ぎた後の1か月の間に、1回以上出席していること。"
            "その1か月がまだ終わっていない人は対象者に含めません。"
        ),
    )
    return Sheet(name=SHEET_NAMES[2], tables=[headline, flow, retention])


# ---------------------------------------------------------------- フードバンク


def food_sheet(fiscal_year: int) -> Sheet:
    ledger = ledger_monthly_totals(fiscal_year=fiscal_year)
    months = _month_labels(fiscal_year)
    rows: list[list[Cell]] = []
    for label, month in zip(months, ledger["months"], strict=True):
        row: list[Cell] = [label]
        for activity in ("food_donation", "food_distribution"):
            figures = month["activities"][activity]
            kg = Decimal(figures["weight_kg"])
            row += [figures["count"], kg, kg / 1000]
        rows.append(row)
    total: list[Cell] = [_("合計"), *(_sum(r[i] for r in rows) for i in range(1, 7))]
    table = Table(
        title=_("食品の寄付受入と配布（月別）"),
        header=[
            _("月"),
            _("寄付 件数"),
            _("寄付 重さ（kg）"),
            _("寄付 重さ（t）"),
            _("配布 件数"),
            _("配布 重さ（kg）"),
            _("配布 重さ（t）"),
        ],
        rows=rows,
        total=total,
        note=_("トン＝kg÷1000（表示は小数第3位まで）。"),
        formats={2: "#,##0.0", 3: "0.000", 5: "#,##0.0", 6: "0.000"},
    )
    return Sheet(name=SHEET_NAMES[3], tables=[table])


# ---------------------------------------------------------------- 指導料・謝金


def fee_sheet(fiscal_year: int) -> Sheet:
    rows: list[list[Cell]] = []
    for rule in FeeRule.objects.filter(fiscal_year=fiscal_year).order_by("code"):
        approved = _line_total(rule, "approved")
        paid = _line_total(rule, "paid")
        spent = approved + paid
        rows.append(
            [
                rule.code,
                formula_safe(rule.name),
                str(rule.get_payee_display()),
                rule.budget_yen,
                approved,
                paid,
                spent,
                None if rule.budget_yen is None else rule.budget_yen - spent,
                None
                if not rule.budget_yen
                else float(round(Decimal(spent * 100) / rule.budget_yen, 1)),
            ]
        )
    total: list[Cell] = [
        _("合計"),
        "",
        "",
        *(_sum(r[i] for r in rows) for i in (3, 4, 5, 6, 7)),
        None,
    ]
    table = Table(
        title=_("謝金ルール別の予算と支払（承認済み・支払済みの月次支払）"),
        header=[
            _("ルールコード"),
            _("名称"),
            _("支払先"),
            _("年度予算（円）"),
            _("承認済み・未払（円）"),
            _("支払済み（円）"),
            _("計（円）"),
            _("予算残額（円）"),
            _("執行率（%）"),
        ],
        rows=rows,
        total=total,
        note=_("下書きの月次支払は含みません。予算残額の合計は予算のあるルールだけの合計です。"),
        formats={3: "#,##0", 4: "#,##0", 5: "#,##0", 6: "#,##0", 7: "#,##0"},
    )
    return Sheet(name=SHEET_NAMES[4], tables=[table])


def _line_total(rule: FeeRule, status: str) -> int:
    total = PayoutLine.objects.filter(run__rule=rule, run__status=status).aggregate(
        n=Sum("amount_yen")
    )["n"]
    return int(total or 0)


SHEET_BUILDERS = (activity_sheet, partner_sheet, progression_sheet, food_sheet, fee_sheet)


def sheets(fiscal_year: int, progress: Callable[[str], None] | None = None) -> list[Sheet]:
    """The five sheets in order; ``progress`` hears each one's name when done."""
    content = []
    for builder in SHEET_BUILDERS:
        content.append(builder(fiscal_year))
        if progress:
            progress(content[-1].name)
    return content


def report_title(fiscal_year: int) -> str:
    return _("%(fy)s年度 ホッとステーション事業 実績報告") % {"fy": fiscal_year}


# ---------------------------------------------------------------- writers


def _normalise_zip(data: bytes, moment: datetime) -> bytes:
    """The same archive with every entry stamped ``moment`` (zip entries
    otherwise carry the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def write_xlsx(fiscal_year: int, content: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    moment = fixed_moment(fiscal_year).astimezone(JST).replace(tzinfo=None)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet in content:
        ws = wb.create_sheet(sheet.name)
        ws.append([report_title(fiscal_year)])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for table in sheet.tables:
            ws.append([])
            ws.append([table.title])
            ws.cell(row=ws.max_row, column=1).font = bold
            ws.append(table.header)
            for cell in ws[ws.max_row]:
                cell.font = bold
            for row in [*table.rows, *([table.total] if table.total else [])]:
                ws.append([formula_safe(v) if isinstance(v, str) else v for v in row])
                for col, number_format in table.formats.items():
                    ws.cell(row=ws.max_row, column=col + 1).number_format = number_format
            if table.total:
                for cell in ws[ws.max_row]:
                    cell.font = bold
            if table.note:
                ws.append([table.note])
        ws.column_dimensions["A"].width = 34
        for letter in "BCDEFGHIJKLMN":
            ws.column_dimensions[letter].width = 12
    wb.properties.creator = "hotstation"
    wb.properties.lastModifiedBy = "hotstation"
    wb.properties.title = report_title(fiscal_year)
    wb.properties.created = moment
    wb.properties.modified = moment
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would stamp "modified" with now.
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    return _normalise_zip(buf.getvalue(), moment)


def _text(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.3f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pdf_text(value: Cell, number_format: str) -> str:
    if isinstance(value, Decimal):
        places = 3 if number_format == "0.000" else 1
        return f"{value:,.{places}f}"
    return _text(value)


ROW_HEIGHT = 6.0
MARKS = ("<5", "—")  # suppressed or withheld figures sit where numbers do


def _column_widths(pdf, table: Table, texts: list[list[str]], width: float) -> list[float]:
    """Each column as wide as its longest text, then stretched to the page."""
    natural = [
        max(pdf.get_string_width(row[i]) for row in [table.header, *texts]) + 4
        for i in range(len(table.header))
    ]
    total = sum(natural)
    return [w * width / total for w in natural]


def _pdf_table(pdf, table: Table, width: float) -> None:
    rows = [*table.rows, *([table.total] if table.total else [])]
    texts = [[_pdf_text(v, table.formats.get(i, "")) for i, v in enumerate(row)] for row in rows]
    height = 7 + ROW_HEIGHT * (len(rows) + 1) + (5 if table.note else 0)
    # Keep a table on one page when it fits on one.
    if height < pdf.eph - 20 and pdf.will_page_break(height + 3):
        pdf.add_page()
    else:
        pdf.ln(3)
    pdf.set_font("noto", size=11)
    pdf.multi_cell(width, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    size = 7.0 if len(table.header) > 10 else 8.5
    pdf.set_font("noto", size=size)
    widths = _column_widths(pdf, table, texts, width)
    pdf.set_fill_color(230, 236, 232)

    def header() -> None:
        for w, head in zip(widths, table.header, strict=True):
            pdf.cell(w, ROW_HEIGHT, head, border=1, fill=True, align="C")
        pdf.ln()

    header()
    for n, (row, text_row) in enumerate(zip(rows, texts, strict=True)):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            header()  # a long table repeats its header on the next page
        is_total = table.total is not None and n == len(rows) - 1
        for i, (value, text) in enumerate(zip(row, text_row, strict=True)):
            left = i == 0 or (isinstance(value, str) and value not in MARKS)
            pdf.cell(
                widths[i], ROW_HEIGHT, text, border=1, align="L" if left else "R", fill=is_total
            )
        pdf.ln()
    if table.note:
        pdf.set_font("noto", size=8)
        pdf.multi_cell(width, 5, table.note, new_x="LMARGIN", new_y="NEXT")


def write_pdf(fiscal_year: int, content: list[Sheet]) -> bytes:
    from fpdf import FPDF
    from noto_cjk_sans_jp_regular import FONT_PATH

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("noto", "", str(FONT_PATH))
    pdf.set_title(report_title(fiscal_year))
    pdf.set_creator("hotstation")
    pdf.set_creation_date(fixed_moment(fiscal_year))
    width = pdf.epw
    for sheet in content:
        pdf.add_page()
        pdf.set_font("noto", size=9)
        pdf.cell(width, 6, report_title(fiscal_year), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", size=16)
        pdf.cell(width, 10, sheet.name, border="B", new_x="LMARGIN", new_y="NEXT")
        for table in sheet.tables:
            _pdf_table(pdf, table, width)
    return bytes(pdf.output())


def build(*, fiscal_year: int, fmt: str, progress: Callable[[str], None] | None = None) -> bytes:
    """The report for ``fiscal_year`` as ``fmt`` ("xlsx" or "pdf"), always in
    Japanese (it goes to the funder, whatever the language of the person who
    downloads it – and the same data must give the same bytes)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    with translation.override("ja"):
        content = sheets(fiscal_year, progress)
        if fmt == "xlsx":
            return write_xlsx(fiscal_year, content)
        return write_pdf(fiscal_year, content)
