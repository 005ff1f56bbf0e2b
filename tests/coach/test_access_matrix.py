"""Role × endpoint × foreign object for the coach and partner-staff pages:
every cell that must be denied answers 302 (to log in), 403 or 404, and
nothing changes."""

import pytest
from django.urls import reverse

from opportunities.models import Session, Signup
from people.models import User
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user
from training.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coach, partner_staff):
    """Objects that belong to a coach / partner the actors below are not."""
    other_coach = make_user(role=User.Role.COACH)
    other_partner = make_partner(name="よその機関")
    their_participant = make_participant(coach=other_coach)
    opportunity = make_opportunity(partner=other_partner, min_readiness=3)
    session = make_session(opportunity=opportunity)
    signup = Signup.objects.create(
        session=session, participant=their_participant, status=Signup.Status.REQUESTED
    )
    own_participant = make_participant(coach=coach)
    return {
        "participant": their_participant,
        "own_participant": own_participant,
        "opportunity": opportunity,
        "session": session,
        "signup": signup,
    }


def _endpoints(w):
    p, o, s, su = w["participant"].code, w["opportunity"].code, w["session"].pk, w["signup"].pk
    own = w["own_participant"].code
    return [
        ("get", reverse("coach_participant", args=[p]), {}),
        ("post", reverse("coach_assess", args=[p]), {"step": 5}),
        ("post", reverse("coach_place", args=[p]), {"session": s}),
        ("post", reverse("coach_login_code", args=[p]), {}),
        ("post", reverse("coach_signup_approve", args=[su]), {}),
        ("post", reverse("coach_signup_decline", args=[su]), {}),
        ("get", reverse("coach_signup_decline", args=[su]), {}),
        # A coach's own participant placed into the foreign session is fine for a
        # coach, but partner staff and participants must not reach it at all.
        ("post", reverse("coach_place", args=[own]), {"session": s}),
        ("get", reverse("partner_session", args=[s]), {}),
        ("post", reverse("partner_attendance", args=[s]), {"participant": p, "status": "present"}),
        ("post", reverse("partner_supporter_add", args=[s]), {"name": "誰か"}),
        ("get", reverse("partner_session_cancel", args=[s]), {}),
        ("post", reverse("partner_session_cancel", args=[s]), {}),
        ("get", reverse("partner_opportunity", args=[o]), {}),
        ("get", reverse("partner_opportunity_edit", args=[o]), {}),
        ("post", reverse("partner_opportunity_close", args=[o]), {}),
        ("post", reverse("partner_session_create", args=[o]), {}),
        ("post", reverse("partner_sessions_weekly", args=[o]), {}),
    ]


ACTORS = ["anonymous", "participant", "coach", "partner_staff"]


@pytest.mark.parametrize("actor", ACTORS)
def test_foreign_objects_are_denied(client, actor, world, coach, partner_staff, participant):
    users = {
        "anonymous": None,
        "participant": participant.user,
        "coach": coach,
        "partner_staff": partner_staff,
    }
    if users[actor] is not None:
        client.force_login(users[actor])
    for method, url, data in _endpoints(world):
        if actor == "coach" and url == reverse("coach_place", args=[world["own_participant"].code]):
            continue  # allowed: placing one's own participant in any open session
        response = getattr(client, method)(url, data)
        assert response.status_code in (302, 403, 404), (actor, method, url, response.status_code)
        if response.status_code == 302:
            assert actor == "anonymous" and "/accounts/login/" in response["Location"], (actor, url)
    world["signup"].refresh_from_db()
    assert world["signup"].status == Signup.Status.REQUESTED
    assert Session.objects.get(pk=world["session"].pk).status == Session.Status.SCHEDULED
    assert not Attendance.objects.exists()
    assert world["participant"].assessments.count() == 0
    assert (
        not Signup.objects.filter(participant=world["own_participant"]).exists() or actor == "coach"
    )


@pytest.mark.parametrize("name", ["coach_caseload", "coach_participant_create"])
@pytest.mark.parametrize("actor", ["participant", "partner_staff"])
def test_coach_only_pages(client, name, actor, participant, partner_staff):
    client.force_login(participant.user if actor == "participant" else partner_staff)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name",
    ["partner_dashboard", "partner_profile", "partner_opportunity_new", "partner_opportunity_list"],
)
@pytest.mark.parametrize("actor", ["participant", "coach"])
def test_partner_only_pages(client, name, actor, participant, coach):
    client.force_login(participant.user if actor == "participant" else coach)
    assert client.get(reverse(name)).status_code == 403


def test_caseload_query_count_does_not_grow_with_participants(
    client, coach, django_assert_max_num_queries
):
    client.force_login(coach)
    for _ in range(3):
        make_participant(coach=coach)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("coach_caseload"))
    for _ in range(15):
        make_participant(coach=coach)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("coach_caseload"))
