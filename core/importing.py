"""The frame every spreadsheet import runs in (partners, participants,
opportunities, attendance, fee rules).

1. Every row is checked and every problem is collected with its row number.
2. If any row is bad, nothing is written and every message is returned.
3. Otherwise all rows are written in one transaction; a row the database
   still refuses (a constraint) turns into a row error and the whole
   transaction is rolled back.
4. A preview runs step 3 too and then rolls back, so it shows exactly what
   an import would create, update or leave unchanged.
5. A report keeps the first MAX_SHOWN_ERRORS messages and one line saying
   how many more there were, so a page or a terminal never floods.
6. A report also keeps what happened to the first MAX_SHOWN_ROWS rows (row
   number, created/updated/unchanged, a short label), so a preview can show
   the rows it would write; ``progress(done, total)``, when given, is called
   as rows are written (a background job shows it on the page).

Writers compare before they save, so importing the same file twice reports
everything as unchanged the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.spreadsheets import Row, Sheet, SpreadsheetError, read_path, read_rows

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
MAX_SHOWN_ERRORS = 50
MAX_SHOWN_ROWS = 200
LABEL_LENGTH = 60

Progress = Callable[[int, int], None]

# Dates outside these are typing mistakes (0001-01-01, 2206-…) and would break
# pages that do date arithmetic on them.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class RowInvalid(Exception):
    def __init__(self, *messages: str):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass
class RowError:
    row: int  # 0 for a problem with the whole file
    message: str

    def __str__(self) -> str:
        return (
            _("%(row)s行目: %(message)s") % {"row": self.row, "message": self.message}
            if self.row
            else self.message
        )


@dataclass
class RowOutcome:
    row: int
    outcome: str  # CREATED, UPDATED or UNCHANGED
    label: str  # the row's key cells, e.g. "P001 山田 太郎"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    rows: int = 0
    hidden_errors: int = 0  # left out of ``errors`` by limit_errors()
    # What happened to the first MAX_SHOWN_ROWS rows written (or that would be
    # written, in a preview); empty when the import has errors.
    outcomes: list[RowOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """Every error found, including those left out of ``errors``."""
        shown = len(self.errors) - (1 if self.hidden_errors else 0)
        return shown + self.hidden_errors

    def limit_errors(self, limit: int = MAX_SHOWN_ERRORS) -> None:
        """Sort the errors by row and keep the first ``limit``, followed by a
        line that says how many more there were."""
        if self.hidden_errors:
            return
        self.errors.sort(key=lambda e: e.row)
        if len(self.errors) <= limit:
            return
        self.hidden_errors = len(self.errors) - limit
        self.errors = self.errors[:limit]
        self.errors.append(
            RowError(
                0,
                _("ほかに%(n)s件のエラーがあります（最初の%(limit)s件だけを表示しています）。")
                % {"n": self.hidden_errors, "limit": limit},
            )
        )

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        return _("新規 %(created)s件・更新 %(updated)s件・変更なし %(unchanged)s件") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class Importer:
    """``clean(row, context)`` returns the row's values or raises RowInvalid;
    ``write(values, context)`` saves them and returns CREATED/UPDATED/UNCHANGED.
    ``prepare(rows)`` builds a context shared by all rows (lookups in bulk);
    ``check_all(cleaned)`` finds problems across rows (duplicates).
    ``label_columns`` name the cells that identify a row in a preview (the
    first two columns when empty)."""

    name: str
    columns: list[str]
    clean: Callable[[Row, dict], Any]
    write: Callable[[Any, dict], str]
    prepare: Callable[[list[Row]], dict] = lambda rows: {}
    check_all: Callable[[list[tuple[Row, Any]]], list[RowError]] = lambda cleaned: []
    label_columns: list[str] = field(default_factory=list)

    def label(self, row: Row) -> str:
        cells = (row[c] for c in (self.label_columns or self.columns[:2]))
        return _shown(" ".join(c for c in cells if c), LABEL_LENGTH)


# Each app registers its importers when Django loads it (AppConfig.ready imports
# the app's imports module), so the commands and the secretariat's upload page
# find them by name without core knowing any app.
_importers: dict[str, Importer] = {}


def importer_register(importer: Importer) -> Importer:
    _importers[importer.name] = importer
    return importer


def importer_named(name: str) -> Importer:
    """The registered importer; KeyError for a name nobody registered."""
    return _importers[name]


def importer_names() -> list[str]:
    return list(_importers)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, RowInvalid):
        return exc.messages
    if isinstance(exc, ValidationError):
        return [m for m in exc.messages]
    if isinstance(exc, DomainError):
        return [exc.message]
    if isinstance(exc, DataError):
        # The database refused a value its column cannot hold; the checks
        # above should have caught it, so say so plainly rather than crash.
        return [_("データベースに保存できない値があります（長すぎる文字列など）。")]
    return [str(exc)]


def run_import(
    importer: Importer,
    sheet: Sheet,
    *,
    dry_run: bool = False,
    context: dict | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = _run_import(
        importer, sheet, dry_run=dry_run, context=context, progress=progress or _no_progress
    )
    report.limit_errors()
    return report


def _no_progress(done: int, total: int) -> None:
    pass


def _run_import(
    importer: Importer, sheet: Sheet, *, dry_run: bool, context: dict | None, progress: Progress
) -> ImportReport:
    report = ImportReport(rows=len(sheet.rows) + len({n for n, _m in sheet.problems}))
    try:
        sheet.require(importer.columns)
    except SpreadsheetError as exc:
        report.errors.append(RowError(0, str(exc)))
        return report
    # Rows the reader could not take (a NUL byte, an over-long cell) are
    # errors like any other; the remaining rows are still checked so that one
    # pass shows every problem.
    report.errors.extend(RowError(number, message) for number, message in sheet.problems)
    if not sheet.rows:
        if not report.errors:
            report.errors.append(RowError(0, _("データの行がありません。")))
        return report

    ctx = {**importer.prepare(sheet.rows), **(context or {})}
    cleaned = []
    for row in sheet.rows:
        try:
            cleaned.append((row, importer.clean(row, ctx)))
        except (RowInvalid, ValidationError, DomainError) as exc:
            report.errors.extend(RowError(row.number, m) for m in _messages(exc))
    report.errors.extend(importer.check_all(cleaned))
    if report.errors:
        return report

    total = len(cleaned)
    progress(0, total)
    with transaction.atomic():
        for done, (row, values) in enumerate(cleaned, start=1):
            try:
                with transaction.atomic():
                    outcome = importer.write(values, ctx)
                report.count(outcome)
                if len(report.outcomes) < MAX_SHOWN_ROWS:
                    report.outcomes.append(RowOutcome(row.number, outcome, importer.label(row)))
            except (RowInvalid, ValidationError, IntegrityError, DataError, DomainError) as exc:
                report.errors.extend(RowError(row.number, m) for m in _messages(exc))
            progress(done, total)
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            report.written = True
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        report.outcomes = []
    return report


def import_file(
    importer: Importer,
    *,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    context: dict | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    try:
        sheet = read_rows(data, filename)
    except SpreadsheetError as exc:
        return ImportReport(errors=[RowError(0, str(exc))])
    return run_import(importer, sheet, dry_run=dry_run, context=context, progress=progress)


def import_path(
    importer: Importer,
    path,
    *,
    dry_run: bool = False,
    context: dict | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    try:
        sheet = read_path(path)
    except (SpreadsheetError, OSError) as exc:
        return ImportReport(errors=[RowError(0, str(exc))])
    return run_import(importer, sheet, dry_run=dry_run, context=context, progress=progress)


# Field parsers: each raises RowInvalid with a Japanese message naming the column.


def _shown(value: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut short: a message must stay readable."""
    return value if len(value) <= limit else value[:limit] + "…"


def required(row: Row, column: str) -> str:
    value = row[column]
    if not value:
        raise RowInvalid(_("%(column)s が空です。") % {"column": column})
    return value


def choice(row: Row, column: str, allowed, *, blank_ok: bool = False) -> str:
    value = row[column]
    if blank_ok and not value:
        return ""
    if value not in allowed:
        raise RowInvalid(
            _("%(column)s の値「%(value)s」は使えません（使える値: %(allowed)s）。")
            % {
                "column": column,
                "value": _shown(value),
                "allowed": ", ".join(a for a in allowed if a),
            }
        )
    return value


def integer(
    row: Row,
    column: str,
    *,
    blank_ok: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    value = row[column].replace(",", "")
    if not value:
        if blank_ok:
            return None
        raise RowInvalid(_("%(column)s が空です。") % {"column": column})
    try:
        number = int(value)
    except ValueError:
        raise RowInvalid(
            _("%(column)s は整数で入力してください（「%(value)s」）。")
            % {"column": column, "value": _shown(value)}
        ) from None
    if minimum is not None and number < minimum:
        raise RowInvalid(
            _("%(column)s は%(minimum)s以上にしてください。")
            % {"column": column, "minimum": minimum}
        )
    if maximum is not None and number > maximum:
        raise RowInvalid(
            _("%(column)s は%(maximum)s以下にしてください。")
            % {"column": column, "maximum": maximum}
        )
    return number


def decimal_degrees(row: Row, column: str, limit: float) -> float | None:
    value = row[column]
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowInvalid(
            _("%(column)s は数値で入力してください（「%(value)s」）。")
            % {"column": column, "value": _shown(value)}
        ) from None
    if not -limit <= number <= limit:
        raise RowInvalid(
            _("%(column)s は -%(limit)s〜%(limit)s の範囲で入力してください。")
            % {"column": column, "limit": f"{limit:g}"}
        )
    return number


def lat_lon(row: Row) -> tuple[float | None, float | None]:
    errors = []
    lat = lon = None
    try:
        lat = decimal_degrees(row, "lat", 90)
    except RowInvalid as exc:
        errors += exc.messages
    try:
        lon = decimal_degrees(row, "lon", 180)
    except RowInvalid as exc:
        errors += exc.messages
    if not errors and (lat is None) != (lon is None):
        errors.append(_("lat と lon は両方入力するか、両方空にしてください。"))
    if errors:
        raise RowInvalid(*errors)
    return lat, lon


def split_list(value: str) -> list[str]:
    """'a; b;;c' → ['a', 'b', 'c'] (a full-width ； is accepted too)."""
    return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]


def parse_date(
    row: Row, column: str, *, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE
) -> date:
    value = required(row, column).replace("/", "-")
    try:
        day = date.fromisoformat(value[:10] if len(value) > 10 else value)
    except ValueError:
        try:
            y, m, d = (int(x) for x in value.split("-"))
            day = date(y, m, d)
        except ValueError:
            raise RowInvalid(
                _("%(column)s は YYYY-MM-DD の形で入力してください（「%(value)s」）。")
                % {"column": column, "value": _shown(value)}
            ) from None
    if not earliest <= day <= latest:
        raise RowInvalid(
            _(
                "%(column)s は %(earliest)s から %(latest)s までの日付にしてください（「%(value)s」）。"
            )
            % {
                "column": column,
                "earliest": earliest.isoformat(),
                "latest": latest.isoformat(),
                "value": _shown(value),
            }
        )
    return day


def parse_time(row: Row, column: str) -> time:
    value = required(row, column)
    try:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        raise RowInvalid(
            _("%(column)s は HH:MM の形で入力してください（「%(value)s」）。")
            % {"column": column, "value": _shown(value)}
        ) from None


def collect(*parsers: Callable[[], Any]) -> list[Any]:
    """Run several field parsers and raise all their messages together."""
    values, errors = [], []
    for parse in parsers:
        try:
            values.append(parse())
        except RowInvalid as exc:
            values.append(None)
            errors += exc.messages
    if errors:
        raise RowInvalid(*errors)
    return values


def duplicates(cleaned, key: Callable[[Any], Any], label: str) -> list[RowError]:
    seen: dict[Any, int] = {}
    errors = []
    for row, values in cleaned:
        k = key(values)
        if k in seen:
            errors.append(
                RowError(
                    row.number,
                    _("%(label)s「%(key)s」が%(row)s行目と重複しています。")
                    % {"label": label, "key": k, "row": seen[k]},
                )
            )
        else:
            seen[k] = row.number
    return errors


def update_fields(obj, values: dict) -> bool:
    """Set attributes that differ; True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
