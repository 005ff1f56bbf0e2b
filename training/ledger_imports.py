"""The spreadsheet import of the activity ledger (``import_activities FILE``
and the secretariat's import page), in the frame of core/importing.py: every
row is checked first, nothing is written if one is bad, and importing the same
file again changes nothing (a line is found again by partner, activity, date
and counterpart type, and updated rather than added twice).

Columns: date,partner_code,activity,count,persons,weight_kg,note, and an
optional counterpart_type (who gave or received the food). The rules are those
of the ledger pages (training.ledger.activity_record_problems): no dates to
come, weight only (and always) for food, counts within sense."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.clock import local_today
from core.importing import (
    Importer,
    RowInvalid,
    choice,
    collect,
    duplicates,
    importer_register,
    integer,
    parse_date,
    required,
)
from opportunities.models import Partner
from training.ledger import (
    MAX_COUNT,
    MAX_PERSONS,
    activity_record_problems,
    activity_record_save,
)
from training.models import ActivityRecord

ACTIVITY_COLUMNS = ["date", "partner_code", "activity", "count", "persons", "weight_kg", "note"]
OPTIONAL_COLUMNS = ["counterpart_type"]
NOTE_MAX = 1_000


def _prepare(rows) -> dict:
    codes = {r["partner_code"] for r in rows if r["partner_code"]}
    return {"partners": {p.code: p for p in Partner.objects.filter(code__in=codes)}}


def _weight(row) -> Decimal | None:
    value = row["weight_kg"].replace(",", "")
    if not value:
        return None
    try:
        weight = Decimal(value)
    except InvalidOperation:
        raise RowInvalid(
            _("weight_kg は数値（kg）で入力してください（「%(value)s」）。") % {"value": value[:40]}
        ) from None
    if not weight.is_finite():
        raise RowInvalid(
            _("weight_kg は数値（kg）で入力してください（「%(value)s」）。") % {"value": value[:40]}
        )
    return weight


def _clean(row, ctx) -> dict:
    def partner():
        code = required(row, "partner_code")
        found = ctx["partners"].get(code)
        if found is None:
            raise RowInvalid(
                _("partner_code「%(code)s」の協力機関が登録されていません。") % {"code": code[:40]}
            )
        return found

    held_on, found, activity, count, persons, weight, counterpart = collect(
        lambda: parse_date(row, "date", latest=local_today()),
        partner,
        lambda: choice(row, "activity", ActivityRecord.Activity.values),
        lambda: integer(row, "count", minimum=1, maximum=MAX_COUNT),
        lambda: integer(row, "persons", minimum=0, maximum=MAX_PERSONS),
        lambda: _weight(row),
        lambda: choice(
            row, "counterpart_type", ActivityRecord.CounterpartType.values, blank_ok=True
        ),
    )
    if len(row["note"]) > NOTE_MAX:
        raise RowInvalid(_("note は%(n)s文字以内にしてください。") % {"n": NOTE_MAX})
    values = {
        "partner": found,
        "held_on": held_on,
        "activity": activity,
        "count": count,
        "persons": persons,
        "weight_kg": weight,
        "counterpart_type": counterpart,
        "note": row["note"],
    }
    problems = activity_record_problems(values)
    if problems:
        raise RowInvalid(*problems)
    return values


def _key(values: dict) -> str:
    return " ".join(
        str(v)
        for v in (
            values["held_on"],
            values["partner"].code,
            values["activity"],
            values["counterpart_type"],
        )
        if v
    )


def _write(values: dict, ctx) -> str:
    return activity_record_save(values=values, by=ctx.get("by"), upsert=True)[1]


activity_importer = importer_register(
    Importer(
        name="activities",
        columns=ACTIVITY_COLUMNS,
        clean=_clean,
        write=_write,
        prepare=_prepare,
        check_all=lambda cleaned: duplicates(
            cleaned, _key, _("同じ日・協力機関・活動・寄付元/配布先の種類")
        ),
        label_columns=["date", "partner_code", "activity", "counterpart_type"],
    )
)
