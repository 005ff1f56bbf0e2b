"""Spreadsheet imports of partners and opportunities (see core/importing.py
for the all-or-nothing frame they run in)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.importing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Importer,
    RowInvalid,
    choice,
    collect,
    duplicates,
    importer_register,
    integer,
    lat_lon,
    required,
    split_list,
    update_fields,
)
from opportunities.models import Opportunity, Partner
from opportunities.services import opportunity_save

PARTNER_COLUMNS = [
    "code",
    "name",
    "name_kana",
    "category",
    "municipality",
    "address",
    "lat",
    "lon",
    "offers",
]
OPPORTUNITY_COLUMNS = [
    "code",
    "partner_code",
    "title",
    "description",
    "kind",
    "employment_type",
    "min_readiness",
    "capacity",
    "skills",
]


def _clean_partner(row, ctx) -> dict:
    def offers():
        codes = split_list(row["offers"])
        unknown = [c for c in codes if c not in Partner.OFFER_FIELDS]
        if unknown:
            raise RowInvalid(
                _("offers の値「%(values)s」は使えません（使える値: %(allowed)s）。")
                % {"values": "、".join(unknown), "allowed": ", ".join(Partner.OFFER_FIELDS)}
            )
        return {field: code in codes for code, field in Partner.OFFER_FIELDS.items()}

    code, name, category, municipality, latlon, flags = collect(
        lambda: required(row, "code"),
        lambda: required(row, "name"),
        lambda: choice(row, "category", Partner.Category.values),
        lambda: required(row, "municipality"),
        lambda: lat_lon(row),
        offers,
    )
    if len(code) > 20:
        raise RowInvalid(_("code は20文字以内にしてください。"))
    return {
        "code": code,
        "name": name,
        "name_kana": row["name_kana"],
        "category": category,
        "municipality": municipality,
        "address": row["address"],
        "lat": latlon[0],
        "lon": latlon[1],
        **flags,
    }


def _write_partner(values: dict, ctx) -> str:
    partner = Partner.objects.filter(code=values["code"]).first()
    if partner is None:
        partner = Partner(**values)
        partner.full_clean()
        partner.save()
        return CREATED
    if not update_fields(partner, values):
        return UNCHANGED
    partner.full_clean()
    partner.save()
    return UPDATED


partner_importer = importer_register(
    Importer(
        name="partners",
        columns=PARTNER_COLUMNS,
        clean=_clean_partner,
        write=_write_partner,
        check_all=lambda cleaned: duplicates(cleaned, lambda v: v["code"], "code"),
    )
)


def _prepare_opportunities(rows) -> dict:
    codes = {row["partner_code"] for row in rows}
    return {"partners": {p.code: p for p in Partner.objects.filter(code__in=codes)}}


def _clean_opportunity(row, ctx) -> dict:
    def partner():
        code = required(row, "partner_code")
        if code not in ctx["partners"]:
            raise RowInvalid(
                _("partner_code「%(code)s」の協力機関が登録されていません。") % {"code": code}
            )
        return ctx["partners"][code]

    def employment():
        kind = row["kind"]
        value = choice(row, "employment_type", ["non_employment", "employment"], blank_ok=True)
        # The database insists on this too (opportunities_opportunity_employment_type_matches_kind).
        if kind == Opportunity.Kind.INTERMEDIATE_EMPLOYMENT and not value:
            raise RowInvalid(
                _(
                    "中間的就労（intermediate_employment）では employment_type に non_employment か employment を入れてください。"
                )
            )
        if kind != Opportunity.Kind.INTERMEDIATE_EMPLOYMENT and value:
            raise RowInvalid(
                _(
                    "employment_type は中間的就労（intermediate_employment）のときだけ入れてください。"
                )
            )
        return value

    code, partner, title, kind, employment_type, min_readiness, capacity = collect(
        lambda: required(row, "code"),
        partner,
        lambda: required(row, "title"),
        lambda: choice(row, "kind", Opportunity.Kind.values),
        employment,
        lambda: integer(row, "min_readiness", blank_ok=True, minimum=1, maximum=5),
        lambda: integer(row, "capacity", blank_ok=True, minimum=1, maximum=1000),
    )
    return {
        "code": code,
        "partner": partner,
        "title": title,
        "description": row["description"],
        "kind": kind,
        "employment_type": employment_type,
        "min_readiness": min_readiness or 1,
        "capacity": capacity or 3,
        "skills": split_list(row["skills"]),
    }


def _write_opportunity(values: dict, ctx) -> str:
    opportunity = Opportunity.objects.filter(code=values["code"]).first()
    if opportunity is None:
        # New opportunities are published; the location is left empty so that
        # opportunity_save fills in the partner's.
        opportunity = Opportunity(status=Opportunity.Status.OPEN, **values)
        opportunity_save(opportunity=opportunity)
        return CREATED
    if not update_fields(opportunity, values):
        return UNCHANGED
    opportunity_save(opportunity=opportunity)
    return UPDATED


opportunity_importer = importer_register(
    Importer(
        name="opportunities",
        columns=OPPORTUNITY_COLUMNS,
        clean=_clean_opportunity,
        write=_write_opportunity,
        prepare=_prepare_opportunities,
        check_all=lambda cleaned: duplicates(cleaned, lambda v: v["code"], "code"),
    )
)
