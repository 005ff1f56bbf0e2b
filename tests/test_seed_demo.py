"""``python manage.py seed_demo`` builds the whole demo network, and a second run
adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from core.clock import local_now
from opportunities.models import OpeningSlot, Opportunity, Partner, Session, Signup
from people.models import AvailabilitySlot, ParticipantProfile, ReadinessAssessment, Supporter, User
from training.models import Attendance, AuditEntry, FeeRule, PayoutLine, PayoutRun

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    Partner,
    OpeningSlot,
    Opportunity,
    Session,
    Signup,
    ParticipantProfile,
    AvailabilitySlot,
    ReadinessAssessment,
    Supporter,
    Attendance,
    FeeRule,
    PayoutRun,
    PayoutLine,
    AuditEntry,
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_network_and_a_second_run_adds_nothing():
    output = seed()
    first = row_counts()

    # Partners: at least 30, every category, every offer, in the Sanbu area.
    assert first["Partner"] >= 30
    assert set(Partner.objects.values_list("category", flat=True)) == set(Partner.Category.values)
    for field in Partner.OFFER_FIELDS.values():
        assert Partner.objects.filter(**{field: True}).exists(), field
    assert not Partner.objects.exclude(
        lat__range=(35.50, 35.72), lon__range=(140.30, 140.55)
    ).exists()
    assert Partner.objects.filter(open_during_business_hours=True).exists()
    assert first["OpeningSlot"] > first["Partner"]

    # Opportunities: at least 60, every kind, both employment types, every step.
    assert first["Opportunity"] >= 60
    assert set(Opportunity.objects.values_list("kind", flat=True)) == set(Opportunity.Kind.values)
    assert {"employment", "non_employment"} <= set(
        Opportunity.objects.values_list("employment_type", flat=True)
    )
    assert set(Opportunity.objects.values_list("min_readiness", flat=True)) == {1, 2, 3, 4, 5}
    assert set(Opportunity.objects.values_list("status", flat=True)) == {"open", "draft", "closed"}
    assert not Opportunity.objects.filter(
        Q(contact_name="") | Q(description="") | Q(lat__isnull=True)
    ).exists()

    # People: participants with a readiness history, coaches, staff, secretariat.
    assert first["ParticipantProfile"] >= 40
    assert not ParticipantProfile.objects.filter(coach__isnull=True).exists()
    assert (
        not ParticipantProfile.objects.annotate(n=Count("assessments"))
        .filter(Q(n=0) | Q(n__gt=3))
        .exists()
    )
    for profile in ParticipantProfile.objects.all():
        assert profile.readiness == profile.assessments.first().step
    assert set(ParticipantProfile.objects.values_list("readiness", flat=True)) == {1, 2, 3, 4, 5}
    assert ParticipantProfile.objects.filter(user__language="en").exists()
    assert User.objects.filter(role="coach").count() >= 3
    assert User.objects.filter(role="secretariat").exists()
    assert User.objects.filter(role="partner_staff").values("partner").distinct().count() >= 5
    assert ParticipantProfile.objects.filter(user__role="participant").count() >= 3
    assert User.objects.get(username="coach_sato").check_password("demo2026!")

    # Sessions ahead, sign-ups of every kind, three months of attendance behind.
    now = local_now()
    assert Session.objects.filter(starts_at__gt=now, status="scheduled").count() >= 100
    statuses = set(Signup.objects.values_list("status", flat=True))
    assert {"confirmed", "requested", "waitlisted", "cancelled"} <= statuses
    past = Session.objects.filter(starts_at__lt=now)
    assert past.filter(status="held").exists() and past.filter(status="cancelled").exists()
    assert not Session.objects.filter(starts_at__gt=now).exclude(status="scheduled").exists()
    assert {"present", "absent", "excused"} <= set(
        Attendance.objects.values_list("status", flat=True)
    )
    assert Attendance.objects.filter(
        supporter__isnull=False, status="present", minutes__gt=0
    ).exists()
    assert not Attendance.objects.exclude(session__status="held").exists()
    assert not Attendance.objects.filter(status="present", minutes=0).exists()

    # No session is overbooked, and seats_taken is the number of confirmed sign-ups.
    sessions = Session.objects.annotate(
        confirmed=Count("signups", filter=Q(signups__status="confirmed"))
    )
    assert not sessions.exclude(seats_taken=F("confirmed")).exists()
    assert not Session.objects.filter(seats_taken__gt=F("capacity")).exists()

    assert "demo2026!" in output and "coach_sato" in output

    # A session under way today at each demo staff member's partner, with people
    # on the roster, so attendance can be tried at once.
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    under_way = Session.objects.filter(
        starts_at__gte=today_start, starts_at__lte=now, status="scheduled"
    ).annotate(n=Count("signups", filter=Q(signups__status="confirmed")))
    staffed = set(User.objects.filter(role="partner_staff").values_list("partner", flat=True))
    assert set(under_way.filter(n__gt=0).values_list("opportunity__partner", flat=True)) == staffed

    # Budgets last the year at the plan's rates: nothing is cut by the budget, and
    # the months computed so far, spread over twelve, stay within each budget.
    assert first["PayoutRun"] > 0
    assert not PayoutLine.objects.filter(cut_by_budget=True).exists()
    for rule in FeeRule.objects.all():
        runs = PayoutRun.objects.filter(rule=rule)
        spent = sum(line.amount_yen for run in runs for line in run.lines.all())
        assert spent > 0, rule.code
        assert spent / runs.count() * 12 <= rule.budget_yen, rule.code

    # A second run changes nothing, not even the audit log.
    seed()
    assert row_counts() == first
