"""Plain builders for the training tests (valid defaults, keyword overrides)."""

from datetime import date, time
from itertools import count

from core.clock import at, fiscal_year_bounds
from opportunities.models import Opportunity, Partner, Session
from people.models import ParticipantProfile, Supporter, User
from training.models import Attendance, FeeRule

_seq = count(1)


def make_partner(**kw) -> Partner:
    n = next(_seq)
    defaults = {
        "code": f"P{n:04d}",
        "name": f"協力機関{n}",
        "category": "commerce",
        "municipality": "山武市",
    }
    return Partner.objects.create(**{**defaults, **kw})


def make_opportunity(*, partner=None, **kw) -> Opportunity:
    n = next(_seq)
    defaults = {
        "code": f"O{n:04d}",
        "title": f"活動{n}",
        "kind": "supported_work",
        "status": "open",
    }
    return Opportunity.objects.create(partner=partner or make_partner(), **{**defaults, **kw})


def make_session(
    *, opportunity=None, day=date(2026, 5, 11), start=time(10), end=time(12), **kw
) -> Session:
    opportunity = opportunity or make_opportunity()
    defaults = {"capacity": 5, "status": "held"}
    return Session.objects.create(
        opportunity=opportunity,
        starts_at=at(day, start),
        ends_at=at(day, end),
        **{**defaults, **kw},
    )


def make_participant(**kw) -> ParticipantProfile:
    n = next(_seq)
    return ParticipantProfile.objects.create(
        **{"code": f"U{n:04d}", "display_name": f"参加者{n}", **kw}
    )


def make_supporter(**kw) -> Supporter:
    n = next(_seq)
    return Supporter.objects.create(**{"code": f"S{n:04d}", "name": f"サポーター{n}", **kw})


def attend(session, person=None, *, status="present", minutes=0) -> Attendance:
    person = person or make_participant()
    if isinstance(person, Supporter):
        return Attendance.objects.create(
            session=session, supporter=person, role="supporter", status=status, minutes=minutes
        )
    return Attendance.objects.create(
        session=session, participant=person, role="trainee", status=status, minutes=minutes
    )


def make_rule(**kw) -> FeeRule:
    n = next(_seq)
    fy = kw.pop("fiscal_year", 2026)
    first, last = fiscal_year_bounds(fy)
    defaults = {
        "code": f"R{n:04d}",
        "name": f"ルール{n}",
        "payee": "partner",
        "basis": "day",
        "rate_yen": 2_500,
        "fiscal_year": fy,
        "valid_from": first,
        "valid_to": last,
    }
    return FeeRule.objects.create(**{**defaults, **kw})


def make_user(role="secretariat", **kw) -> User:
    n = next(_seq)
    return User.objects.create_user(username=f"user{n}", password="pw", role=role, **kw)
