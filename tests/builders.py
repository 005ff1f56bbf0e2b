"""Plain builders with valid defaults. Override any field by keyword."""

import itertools
from datetime import timedelta

from django.utils import timezone

from opportunities.models import Opportunity, Partner, Session
from people.models import ParticipantProfile, User

_seq = itertools.count(1)


def make_user(*, role: str = User.Role.PARTICIPANT, **overrides) -> User:
    n = next(_seq)
    fields = {"username": f"user{n}", "role": role, "email": f"user{n}@example.jp", **overrides}
    password = fields.pop("password", "pass-for-tests")
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


def make_partner(**overrides) -> Partner:
    n = next(_seq)
    fields = {
        "code": f"P{n:04d}",
        "name": f"協力機関{n}",
        "category": Partner.Category.COMMERCE,
        "municipality": "山武市",
        "address": "山武市殿台1",
        "lat": 35.60,
        "lon": 140.41,
        **overrides,
    }
    return Partner.objects.create(**fields)


def make_opportunity(**overrides) -> Opportunity:
    n = next(_seq)
    partner = overrides.pop("partner", None) or make_partner()
    fields = {
        "code": f"O{n:04d}",
        "partner": partner,
        "title": f"活動{n}",
        "description": "畑で野菜の収穫を手伝います。",
        "kind": Opportunity.Kind.VOLUNTEERING,
        "min_readiness": 1,
        "status": Opportunity.Status.OPEN,
        "capacity": 3,
        "municipality": partner.municipality,
        "lat": partner.lat,
        "lon": partner.lon,
        **overrides,
    }
    return Opportunity.objects.create(**fields)


def started_an_hour_ago():
    return (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)


def make_session(**overrides) -> Session:
    opportunity = overrides.pop("opportunity", None) or make_opportunity()
    starts_at = overrides.pop("starts_at", None) or (timezone.now() + timedelta(days=3)).replace(
        microsecond=0
    )
    fields = {
        "opportunity": opportunity,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "capacity": opportunity.capacity,
        **overrides,
    }
    return Session.objects.create(**fields)


def make_participant(**overrides) -> ParticipantProfile:
    n = next(_seq)
    fields = {
        "code": f"S{n:04d}",
        "display_name": f"参加者{n}",
        "self_description": "静かな作業が好きです。",
        "skills": ["整理整頓"],
        "interests": ["畑"],
        "municipality": "山武市",
        "lat": 35.59,
        "lon": 140.42,
        "readiness": 2,
        **overrides,
    }
    return ParticipantProfile.objects.create(**fields)
