"""Spreadsheet import of participants (see core/importing.py for the frame)."""

from __future__ import annotations

from core.importing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Importer,
    collect,
    duplicates,
    importer_register,
    integer,
    lat_lon,
    required,
    split_list,
    update_fields,
)
from people.models import ParticipantProfile
from people.services import readiness_record

PARTICIPANT_COLUMNS = [
    "code",
    "display_name",
    "name_kana",
    "municipality",
    "lat",
    "lon",
    "readiness",
    "self_description",
    "skills",
    "interests",
]


def _clean_participant(row, ctx) -> dict:
    code, name, latlon, readiness = collect(
        lambda: required(row, "code"),
        lambda: required(row, "display_name"),
        lambda: lat_lon(row),
        lambda: integer(row, "readiness", blank_ok=True, minimum=1, maximum=5),
    )
    return {
        "fields": {
            "code": code,
            "display_name": name,
            "name_kana": row["name_kana"],
            "municipality": row["municipality"],
            "lat": latlon[0],
            "lon": latlon[1],
            "self_description": row["self_description"],
            "skills": split_list(row["skills"]),
            "interests": split_list(row["interests"]),
        },
        "readiness": readiness,
    }


def _write_participant(values: dict, ctx) -> str:
    fields, readiness = values["fields"], values["readiness"]
    participant = ParticipantProfile.objects.filter(code=fields["code"]).first()
    if participant is None:
        participant = ParticipantProfile(**fields)
        participant.full_clean()
        participant.save()
        if readiness is not None:
            readiness_record(participant=participant, step=readiness, notes="一括取り込み")
        return CREATED
    changed = update_fields(participant, fields)
    if changed:
        participant.full_clean()
        participant.save()
    # Only a changed step becomes a new assessment, so a re-import adds none.
    if readiness is not None and readiness != participant.readiness:
        readiness_record(participant=participant, step=readiness, notes="一括取り込み")
        changed = True
    return UPDATED if changed else UNCHANGED


participant_importer = importer_register(
    Importer(
        name="participants",
        columns=PARTICIPANT_COLUMNS,
        clean=_clean_participant,
        write=_write_participant,
        check_all=lambda cleaned: duplicates(cleaned, lambda v: v["fields"]["code"], "code"),
    )
)
