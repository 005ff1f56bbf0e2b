"""Spreadsheet imports of attendance sheets and fee rules (the frame is in
core/importing.py: all rows are checked first, nothing is written if one
is bad, and a second import of the same file changes nothing).

An attendance row obeys the same rules as the roster page and the API
(training/attendance.py): no attendance for a day that has not come yet, none
for a cancelled session, and an import never turns a cancelled session back
into a held one. A ``cancelled`` row goes through ``session_cancel``, so
everyone signed up is told, and a held session cannot be cancelled."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import at
from core.errors import Conflict
from core.importing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Importer,
    RowError,
    RowInvalid,
    choice,
    collect,
    duplicates,
    importer_register,
    integer,
    parse_date,
    parse_time,
    required,
    split_list,
    update_fields,
)
from opportunities.models import Opportunity, Session
from opportunities.services import session_cancel, session_create
from people.models import ParticipantProfile, Supporter
from training.attendance import (
    attendance_check_allowed,
    session_mark_held,
    supporter_find_or_create,
)
from training.models import Attendance, FeeRule
from training.services import (
    attendance_correct,
    attendance_snapshot,
    audit_record,
    fee_rule_save,
)

ATTENDANCE_COLUMNS = [
    "date",
    "start",
    "end",
    "partner_code",
    "opportunity_code",
    "instructor",
    "person_code",
    "role",
    "status",
]
FEE_RULE_COLUMNS = [
    "code",
    "name",
    "payee",
    "basis",
    "rate_yen",
    "monthly_cap_yen",
    "budget_yen",
    "fiscal_year",
    "kinds",
]
ATTENDANCE_STATUSES = ["present", "absent", "excused", "cancelled"]
INSTRUCTOR_MAX: int = Session._meta.get_field("instructor_name").max_length or 100
SUPPORTER_CODE_MAX: int = Supporter._meta.get_field("code").max_length or 20


def _prepare_attendance(rows) -> dict:
    opp_codes = {r["opportunity_code"] for r in rows}
    person_codes = {r["person_code"] for r in rows if r["person_code"]}
    return {
        "opportunities": {
            o.code: o
            for o in Opportunity.objects.filter(code__in=opp_codes).select_related("partner")
        },
        "participants": {
            p.code: p for p in ParticipantProfile.objects.filter(code__in=person_codes)
        },
        "supporters": {s.code: s for s in Supporter.objects.filter(code__in=person_codes)},
    }


def _clean_attendance(row, ctx) -> dict:
    def opportunity():
        code = required(row, "opportunity_code")
        opp = ctx["opportunities"].get(code)
        if opp is None:
            raise RowInvalid(
                _("opportunity_code「%(code)s」の活動が登録されていません。") % {"code": code}
            )
        if row["partner_code"] and row["partner_code"] != opp.partner.code:
            raise RowInvalid(
                _("活動「%(code)s」の協力機関は %(partner)s です（partner_code は「%(given)s」）。")
                % {"code": code, "partner": opp.partner.code, "given": row["partner_code"]}
            )
        return opp

    day, start, end, opp, status = collect(
        lambda: parse_date(row, "date"),
        lambda: parse_time(row, "start"),
        lambda: parse_time(row, "end"),
        opportunity,
        lambda: choice(row, "status", ATTENDANCE_STATUSES),
    )
    if end <= start:
        raise RowInvalid(_("end は start より後の時刻にしてください。"))
    if len(row["instructor"]) > INSTRUCTOR_MAX:
        raise RowInvalid(_("instructor は%(n)s文字以内にしてください。") % {"n": INSTRUCTOR_MAX})
    values = {
        "opportunity": opp,
        "starts_at": at(day, start),
        "ends_at": at(day, end),
        "instructor": row["instructor"],
        "status": status,
        "person_code": row["person_code"],
        "role": "",
    }
    if status == "cancelled":
        if row["person_code"]:
            raise RowInvalid(
                _("cancelled の行は person_code を空にしてください（開催回の中止を表します）。")
            )
        return values
    # The attendance rules of the roster page, checked on the row as the
    # session would be: no attendance for a day that has not come yet.
    attendance_check_allowed(
        session=Session(
            opportunity=opp,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            status=Session.Status.SCHEDULED,
        )
    )
    role, code = collect(
        lambda: choice(row, "role", ["trainee", "supporter"]), lambda: required(row, "person_code")
    )
    if role == "trainee" and code not in ctx["participants"]:
        raise RowInvalid(
            _("person_code「%(code)s」の参加者が登録されていません。") % {"code": code}
        )
    if role == "supporter" and code not in ctx["participants"] and len(code) > SUPPORTER_CODE_MAX:
        raise RowInvalid(
            _("サポーターの person_code は%(n)s文字以内にしてください。")
            % {"n": SUPPORTER_CODE_MAX}
        )
    values["role"] = role
    return values


def _check_attendance(cleaned) -> list[RowError]:
    errors = duplicates(
        [(r, v) for r, v in cleaned if v["status"] != "cancelled"],
        lambda v: f"{v['opportunity'].code} {v['starts_at']:%Y-%m-%d %H:%M} {v['person_code']}",
        _("同じ開催回・同じ人"),
    )
    sessions: dict = {}
    for row, v in cleaned:
        key = (v["opportunity"].code, v["starts_at"])
        first = sessions.setdefault(key, (row, v))
        if first[1]["ends_at"] != v["ends_at"]:
            errors.append(
                RowError(
                    row.number,
                    _("同じ開催回の終了時刻が%(row)s行目と違います。") % {"row": first[0].number},
                )
            )
        if (first[1]["status"] == "cancelled") != (v["status"] == "cancelled"):
            errors.append(
                RowError(
                    row.number,
                    _("%(row)s行目と同じ開催回で、中止（cancelled）と出欠が混ざっています。")
                    % {"row": first[0].number},
                )
            )
    return errors


def _session_label(session: Session) -> str:
    return _("活動「%(code)s」の %(when)s の回") % {
        "code": session.opportunity.code,
        "when": f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}",
    }


def _session_snapshot(session: Session) -> dict:
    return {
        "status": session.status,
        "ends_at": session.ends_at.isoformat(),
        "instructor_name": session.instructor_name,
    }


def _session_for(values: dict, ctx) -> tuple[Session, bool]:
    """The row's session, created or brought in line with the row through the
    same services as the pages; (session, whether anything changed)."""
    opportunity = values["opportunity"]
    session = (
        Session.objects.select_for_update()
        .select_related("opportunity")
        .filter(opportunity=opportunity, starts_at=values["starts_at"])
        .first()
    )
    created = session is None
    if session is None:
        session = session_create(
            opportunity=opportunity,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            instructor_name=values["instructor"],
        )
    before = _session_snapshot(session)
    try:
        if values["status"] == "cancelled":
            # Tells everyone signed up; a held session cannot be cancelled.
            session = session_cancel(session=session)
        else:
            # Never un-cancels: attendance for a cancelled session is refused.
            attendance_check_allowed(session=session)
    except Conflict as exc:
        raise RowInvalid(
            _("%(session)s: %(message)s")
            % {"session": _session_label(session), "message": exc.message}
        ) from None
    changes = {"ends_at": values["ends_at"]}
    if values["instructor"]:
        changes["instructor_name"] = values["instructor"]
    if update_fields(session, changes):
        session.full_clean()
        session.save(update_fields=["ends_at", "instructor_name"])
    if values["status"] != "cancelled":
        session_mark_held(session=session)
    after = _session_snapshot(session)
    if created:
        return session, True
    if before != after:
        audit_record(
            by=ctx.get("by"), action="session_corrected", target=session, before=before, after=after
        )
        return session, True
    return session, False


def _write_attendance(values: dict, ctx) -> str:
    session, session_changed = _session_for(values, ctx)
    if values["status"] == "cancelled":
        return UPDATED if session_changed else UNCHANGED
    code = values["person_code"]
    participant = ctx["participants"].get(code)
    supporter = None
    if participant is None:  # only supporters get here (trainees were checked)
        supporter = ctx["supporters"].get(code)
        if supporter is None:
            supporter = supporter_find_or_create(code=code, name=code)
            ctx["supporters"][code] = supporter
    minutes = (
        int((values["ends_at"] - values["starts_at"]) / timedelta(minutes=1))
        if values["status"] == "present"
        else 0
    )
    person = {"participant": participant} if participant else {"supporter": supporter}
    attendance = Attendance.objects.select_for_update().filter(session=session, **person).first()
    if attendance is None:
        attendance = Attendance(
            session=session,
            role=values["role"],
            status=values["status"],
            minutes=minutes,
            recorded_by=ctx.get("by"),
            **person,
        )
        attendance.full_clean()
        attendance.save()
        # As on the roster page: the first record makes the session count
        # for fees, so it is audited too.
        audit_record(
            by=ctx.get("by"),
            action="attendance_recorded",
            target=attendance,
            before=None,
            after=attendance_snapshot(attendance),
        )
        return CREATED
    before = (attendance.status, attendance.minutes, attendance.role)
    attendance_correct(
        attendance=attendance,
        status=values["status"],
        minutes=minutes,
        role=values["role"],
        by=ctx.get("by"),
    )
    changed = before != (attendance.status, attendance.minutes, attendance.role)
    return UPDATED if changed or session_changed else UNCHANGED


attendance_importer = importer_register(
    Importer(
        name="attendance",
        columns=ATTENDANCE_COLUMNS,
        clean=_clean_attendance,
        write=_write_attendance,
        prepare=_prepare_attendance,
        check_all=_check_attendance,
        label_columns=["date", "start", "opportunity_code", "person_code", "status"],
    )
)


def _clean_fee_rule(row, ctx) -> dict:
    def kinds():
        values = split_list(row["kinds"])
        unknown = [k for k in values if k not in Opportunity.Kind.values]
        if unknown:
            raise RowInvalid(
                _("kinds の値「%(values)s」は使えません（使える値: %(allowed)s）。")
                % {"values": "、".join(unknown), "allowed": ", ".join(Opportunity.Kind.values)}
            )
        return sorted(set(values))

    code, name, payee, basis, rate, cap, budget, fy, kind_list = collect(
        lambda: required(row, "code"),
        lambda: required(row, "name"),
        lambda: choice(row, "payee", FeeRule.Payee.values),
        lambda: choice(row, "basis", FeeRule.Basis.values),
        lambda: integer(row, "rate_yen", minimum=0, maximum=10_000_000),
        lambda: integer(row, "monthly_cap_yen", blank_ok=True, minimum=0, maximum=100_000_000),
        lambda: integer(row, "budget_yen", blank_ok=True, minimum=0, maximum=10_000_000_000),
        lambda: integer(row, "fiscal_year", minimum=2000, maximum=2100),
        kinds,
    )
    if payee == "supporter" and basis != "hour":
        raise RowInvalid(_("サポーターへの支払（payee=supporter）は basis=hour にしてください。"))
    if payee == "partner" and basis == "hour":
        raise RowInvalid(
            _("協力機関への支払（payee=partner）は session・day・month のいずれかにしてください。")
        )
    return {
        "code": code,
        "name": name,
        "payee": payee,
        "basis": basis,
        "rate_yen": rate,
        "monthly_cap_yen": cap,
        "budget_yen": budget,
        "fiscal_year": fy,
        "kinds": kind_list,
    }


def _write_fee_rule(values: dict, ctx) -> str:
    values = dict(values)
    code = values.pop("code")
    return fee_rule_save(code=code, values=values, by=ctx.get("by"))[1]


fee_rule_importer = importer_register(
    Importer(
        name="fee_rules",
        columns=FEE_RULE_COLUMNS,
        clean=_clean_fee_rule,
        write=_write_fee_rule,
        check_all=lambda cleaned: duplicates(cleaned, lambda v: v["code"], "code"),
    )
)
