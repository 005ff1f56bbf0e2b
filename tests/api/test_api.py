"""The JSON API through the full Django stack (middleware, auth, error handlers)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from opportunities.models import Opportunity, Session, Signup
from people.auth import api_token_issue, api_token_user
from tests.api.world import CANARIES, assert_no_canary, move_to_today
from training.models import Attendance

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- public opportunities --------------------------------------------------------


def test_open_opportunities_are_public_and_drafts_are_not(world):
    response = Client().get("/api/opportunities/")
    assert response.status_code == 200
    body = response.json()
    codes = {item["code"] for item in body["items"]}
    assert world.opp_a.code in codes and world.opp_b.code in codes
    assert world.opp_a_draft.code not in codes
    assert body["count"] == len(codes)
    assert Client().get(f"/api/opportunities/{world.opp_a_draft.pk}").status_code == 404


def test_opportunities_can_be_found_by_free_text(world):
    response = Client().get("/api/opportunities/", {"q": "皿洗い"})
    assert [item["code"] for item in response.json()["items"]] == [world.opp_b.code]


def test_public_opportunity_sessions_show_seats_left_not_who(world):
    response = Client().get(f"/api/opportunities/{world.opp_a.pk}/sessions")
    assert response.status_code == 200
    (session,) = response.json()["items"]
    assert session["seats_left"] == world.session_a.capacity - 1
    assert "seats_taken" not in session
    assert "参加者A" not in response.content.decode()


def test_invalid_input_is_400_with_a_detail(world):
    response = Client().get("/api/opportunities/", {"kind": "nonsense"})
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    assert Client().get("/api/opportunities/", {"q": "a\x00b"}).status_code == 400
    assert Client().get("/api/opportunities/", {"offset": 10**12}).status_code == 400


# --- authentication ----------------------------------------------------------------


def test_anonymous_calls_get_401_even_for_posts(world):
    assert Client().get("/api/partner/opportunities").status_code == 401
    response = post(Client(), f"/api/partner/sessions/{world.session_a.pk}/cancel")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_issue_api_token_command_prints_a_working_token(world):
    out = StringIO()
    call_command("issue_api_token", world.staff_a.username, stdout=out)
    token = out.getvalue().strip()
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == world.staff_a.username


def test_issue_api_token_refuses_people_who_are_not_partner_staff(world):
    with pytest.raises(CommandError):
        call_command("issue_api_token", world.coach_a.username, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", stdout=StringIO())


def test_changing_the_password_revokes_the_token(world):
    token = api_token_issue(user=world.staff_a)
    assert api_token_user(token) == world.staff_a
    world.staff_a.set_password("a-new-password-123")
    world.staff_a.save()
    assert api_token_user(token) is None
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(
        "/api/partner/opportunities"
    )
    assert response.status_code == 401


def test_forged_and_inactive_tokens_are_refused(world):
    token = api_token_issue(user=world.staff_a)
    user_id, rest = token.split(":", 1)
    forged = f"{world.staff_b.pk}:{rest}"
    assert api_token_user(forged) is None
    assert api_token_user("garbage") is None
    world.staff_a.is_active = False
    world.staff_a.save()
    assert api_token_user(token) is None


def test_session_auth_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.participant_a.user)
    response = post(client, f"/api/signups/{world.signup_a.pk}/cancel")
    assert response.status_code == 403
    assert Signup.objects.get(pk=world.signup_a.pk).status == Signup.Status.CONFIRMED


# --- partner staff -------------------------------------------------------------------


def test_partner_lists_only_their_own_opportunities_including_drafts(world, bearer):
    response = bearer(world.staff_a).get("/api/partner/opportunities")
    codes = {item["code"] for item in response.json()["items"]}
    assert codes == set(
        Opportunity.objects.filter(partner=world.org_a).values_list("code", flat=True)
    )
    assert world.opp_a_draft.code in codes


def test_partner_creates_updates_and_closes_an_opportunity(world, bearer):
    client = bearer(world.staff_a)
    response = post(
        client,
        "/api/partner/opportunities",
        {
            "code": "API-001",
            "title": "落ち葉はき",
            "kind": "volunteering",
            "status": "open",
            "skills": ["掃除"],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["partner"]["code"] == world.org_a.code
    assert created["municipality"] == world.org_a.municipality  # filled from the partner

    response = patch(
        client,
        f"/api/partner/opportunities/{created['id']}",
        {"title": "境内の落ち葉はき", "capacity": 5},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "境内の落ち葉はき" and response.json()["capacity"] == 5

    response = post(client, f"/api/partner/opportunities/{created['id']}/close")
    assert response.json()["status"] == "closed"


def test_model_rules_come_back_as_400(world, bearer):
    client = bearer(world.staff_a)
    # Intermediate employment needs an employment type (a model constraint).
    response = post(
        client,
        "/api/partner/opportunities",
        {"code": "API-002", "title": "x", "kind": "intermediate_employment"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    # A duplicate code.
    response = post(
        client,
        "/api/partner/opportunities",
        {"code": world.opp_b.code, "title": "x", "kind": "volunteering"},
    )
    assert response.status_code == 400


def test_partner_cannot_touch_another_organisations_opportunity(world, bearer):
    client = bearer(world.staff_a)
    assert client.get(f"/api/partner/opportunities/{world.opp_b.pk}").status_code == 404
    assert (
        patch(client, f"/api/partner/opportunities/{world.opp_b.pk}", {"title": "x"}).status_code
        == 404
    )
    assert post(client, f"/api/partner/opportunities/{world.opp_b.pk}/close").status_code == 404
    assert (
        post(
            client,
            f"/api/partner/opportunities/{world.opp_b.pk}/sessions",
            {
                "starts_at": "2030-04-01T10:00:00+09:00",
                "ends_at": "2030-04-01T12:00:00+09:00",
            },
        ).status_code
        == 404
    )
    assert Opportunity.objects.get(pk=world.opp_b.pk).status == Opportunity.Status.OPEN


def test_partner_creates_lists_and_cancels_sessions(world, bearer):
    client = bearer(world.staff_a)
    url = f"/api/partner/opportunities/{world.opp_a.pk}/sessions"
    response = post(
        client,
        url,
        {"starts_at": "2030-04-01T10:00:00+09:00", "ends_at": "2030-04-01T12:00:00+09:00"},
    )
    assert response.status_code == 201, response.content
    session = response.json()
    assert session["capacity"] == world.opp_a.capacity
    assert {s["id"] for s in client.get(url).json()["items"]} == {world.session_a.pk, session["id"]}

    response = post(client, f"/api/partner/sessions/{session['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert post(client, f"/api/partner/sessions/{world.session_b.pk}/cancel").status_code == 404
    assert Session.objects.get(pk=world.session_b.pk).status == Session.Status.SCHEDULED


def test_session_times_must_be_sane(world, bearer):
    client = bearer(world.staff_a)
    url = f"/api/partner/opportunities/{world.opp_a.pk}/sessions"
    backwards = post(
        client,
        url,
        {"starts_at": "2030-04-01T12:00:00+09:00", "ends_at": "2030-04-01T10:00:00+09:00"},
    )
    assert backwards.status_code == 400
    naive = post(
        client, url, {"starts_at": "2030-04-01T10:00:00", "ends_at": "2030-04-01T12:00:00"}
    )
    assert naive.status_code == 400
    far = post(
        client,
        url,
        {"starts_at": "0001-01-01T00:00:00+14:00", "ends_at": "0001-01-01T01:00:00+14:00"},
    )
    assert far.status_code == 400


def test_roster_shows_only_display_name_and_emergency_contact(world, bearer):
    response = bearer(world.staff_a).get(f"/api/partner/sessions/{world.session_a.pk}/signups")
    assert response.status_code == 200
    (entry,) = response.json()["items"]
    assert entry["participant"] == {
        "id": world.participant_a.pk,
        "display_name": "参加者A",
        "emergency_contact": world.participant_a.emergency_contact,
    }
    assert_no_canary(response.content)


def test_roster_leaves_out_requests_and_other_organisations(world, bearer):
    client = bearer(world.staff_a)
    # Participant A's next-step request is not confirmed yet: not on the roster.
    assert (
        client.get(f"/api/partner/sessions/{world.session_a_next.pk}/signups").json()["items"] == []
    )
    assert client.get(f"/api/partner/sessions/{world.session_b.pk}/signups").status_code == 404


def test_partner_records_and_lists_attendance(world, bearer):
    move_to_today(world.session_a)
    client = bearer(world.staff_a)
    url = f"/api/partner/sessions/{world.session_a.pk}/attendance"
    response = post(client, url, {"participant_id": world.participant_a.pk, "status": "present"})
    assert response.status_code == 200, response.content
    assert response.json()["minutes"] == world.session_a.duration_minutes
    response = post(client, url, {"participant_id": world.participant_a.pk, "status": "absent"})
    assert response.json()["status"] == "absent"
    listed = client.get(url).json()["items"]
    assert [(row["participant_name"], row["status"]) for row in listed] == [("参加者A", "absent")]
    assert_no_canary(client.get(url).content)


def test_partner_cannot_record_attendance_for_strangers_or_other_sessions(world, bearer):
    move_to_today(world.session_a)
    move_to_today(world.session_b)
    client = bearer(world.staff_a)
    url = f"/api/partner/sessions/{world.session_a.pk}/attendance"
    # Participant B never signed up with organisation A: not visible at all.
    assert (
        post(
            client, url, {"participant_id": world.participant_b.pk, "status": "present"}
        ).status_code
        == 404
    )
    other = f"/api/partner/sessions/{world.session_b.pk}/attendance"
    assert (
        post(
            client, other, {"participant_id": world.participant_b.pk, "status": "present"}
        ).status_code
        == 404
    )
    assert client.get(other).status_code == 404
    assert not Attendance.objects.exists()


def test_participants_and_coaches_cannot_use_partner_endpoints(world, as_user):
    for user in (world.participant_a.user, world.coach_a):
        assert as_user(user).get("/api/partner/opportunities").status_code == 403


# --- sign-ups --------------------------------------------------------------------------


def test_participant_lists_only_their_own_signups(world, as_user):
    response = as_user(world.participant_a.user).get("/api/signups/")
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {world.signup_a.pk, world.request_a.pk}


def test_participant_signs_up_and_cancels(world, as_user):
    client = as_user(world.participant_b.user)
    response = post(client, "/api/signups/", {"session_id": world.session_a.pk})
    assert response.status_code == 201, response.content
    signup = response.json()
    assert signup["status"] == "confirmed" and signup["opportunity_title"] == world.opp_a.title
    assert post(client, "/api/signups/", {"session_id": world.session_a.pk}).status_code == 409
    response = post(client, f"/api/signups/{signup['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_participant_cannot_sign_up_someone_else_or_for_a_draft(world, as_user):
    client = as_user(world.participant_a.user)
    body = {"session_id": world.session_b.pk, "participant_id": world.participant_b.pk}
    assert post(client, "/api/signups/", body).status_code == 404
    draft_session = world.opp_a_draft.sessions.create(
        starts_at=world.session_a.starts_at, ends_at=world.session_a.ends_at, capacity=3
    )
    assert post(client, "/api/signups/", {"session_id": draft_session.pk}).status_code == 404


def test_participant_cannot_cancel_or_see_someone_elses_signup(world, as_user):
    client = as_user(world.participant_a.user)
    assert client.get(f"/api/signups/{world.signup_b.pk}").status_code == 404
    assert post(client, f"/api/signups/{world.signup_b.pk}/cancel").status_code == 404
    assert Signup.objects.get(pk=world.signup_b.pk).status == Signup.Status.CONFIRMED


def test_coach_approves_their_participants_next_step(world, as_user):
    response = post(as_user(world.coach_a), f"/api/signups/{world.request_a.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    # Approving twice is a conflict, not a second seat.
    assert (
        post(as_user(world.coach_a), f"/api/signups/{world.request_a.pk}/approve").status_code
        == 409
    )


def test_coach_declines_a_next_step(world, as_user):
    response = post(as_user(world.coach_a), f"/api/signups/{world.request_a.pk}/decline")
    assert response.json()["status"] == "cancelled"


def test_only_the_coach_decides(world, as_user):
    # The participant sees their request but may not approve it.
    assert (
        post(
            as_user(world.participant_a.user), f"/api/signups/{world.request_a.pk}/approve"
        ).status_code
        == 403
    )
    # Another coach does not even see it.
    assert (
        post(as_user(world.coach_b), f"/api/signups/{world.request_a.pk}/approve").status_code
        == 404
    )
    assert (
        post(as_user(world.staff_a), f"/api/signups/{world.request_a.pk}/approve").status_code
        == 404
    )
    assert Signup.objects.get(pk=world.request_a.pk).status == Signup.Status.REQUESTED


def test_coach_places_someone_from_their_caseload_only(world, as_user):
    client = as_user(world.coach_a)
    response = post(
        client,
        "/api/signups/",
        {"session_id": world.session_b.pk, "participant_id": world.participant_a.pk},
    )
    assert response.status_code == 201
    body = {"session_id": world.session_a.pk, "participant_id": world.participant_b.pk}
    assert post(client, "/api/signups/", body).status_code == 404
    # A coach must say whom they place.
    assert post(client, "/api/signups/", {"session_id": world.session_a.pk}).status_code == 400


def test_partner_staff_cannot_create_signups(world, bearer):
    body = {"session_id": world.session_a.pk, "participant_id": world.participant_a.pk}
    assert post(bearer(world.staff_a), "/api/signups/", body).status_code == 403


# --- the schema -----------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_documents_errors(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    from openapi_spec_validator import validate

    validate(schema)
    cancel = schema["paths"]["/api/partner/sessions/{session_id}/cancel"]["post"]
    assert {"401", "403", "404", "409"} <= set(cancel["responses"])
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_no_partner_facing_schema_can_carry_the_support_background(db):
    schema = Client().get("/api/openapi.json").content.decode()
    for field in ("support_notes", "self_description", "readiness_history", "assessments"):
        assert field not in schema
    assert all(canary not in schema for canary in CANARIES)


def test_api_docs_page_is_served(db):
    assert Client().get("/api/docs").status_code == 200


def test_an_opportunity_code_is_made_when_left_out(world, bearer):
    response = post(
        bearer(world.staff_a),
        "/api/partner/opportunities",
        {"title": "草刈り", "kind": "volunteering"},
    )
    assert response.status_code == 201
    assert response.json()["code"].startswith(world.org_a.code)


def test_partner_lists_their_sessions_by_date(world, bearer):
    client = bearer(world.staff_a)
    response = client.get("/api/partner/sessions")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {world.session_a.pk, world.session_a_next.pk}  # never organisation B's
    day = timezone.localtime(world.session_a.starts_at).date()
    next_day = (day + timedelta(days=1)).isoformat()
    assert client.get("/api/partner/sessions", {"date_from": next_day}).json()["items"] == []
    backwards = client.get(
        "/api/partner/sessions", {"date_from": next_day, "date_to": day.isoformat()}
    )
    assert backwards.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "0001-01-01"},
        {"date_from": "9999-12-31"},
        {"date_to": "9999-12-31"},
        {"date_from": "2026-02-30"},
    ],
)
def test_partner_session_dates_out_of_range_are_400(world, bearer, query):
    assert bearer(world.staff_a).get("/api/partner/sessions", query).status_code == 400


def test_tokens_expire_after_a_year(world):
    import time_machine

    token = api_token_issue(user=world.staff_a)
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert api_token_user(token) is None
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        assert api_token_user(token) == world.staff_a


def test_attendance_for_a_day_that_has_not_come_is_409(world, bearer):
    url = f"/api/partner/sessions/{world.session_a.pk}/attendance"
    response = post(
        bearer(world.staff_a), url, {"participant_id": world.participant_a.pk, "status": "present"}
    )
    assert response.status_code == 409
