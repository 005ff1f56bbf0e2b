import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Signup
from people.models import ParticipantProfile, User
from tests.builders import make_opportunity, make_participant, make_session, make_user
from training.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_coach(db):
    return make_user(role=User.Role.COACH, username="coach_b")


@pytest.fixture
def stranger(other_coach):
    return make_participant(coach=other_coach, display_name="よその人", support_notes="OTHER-NOTES")


@pytest.fixture
def coach_client(client, coach):
    client.force_login(coach)
    return client


def test_caseload_shows_only_own_participants(coach_client, participant, stranger):
    response = coach_client.get(reverse("coach_caseload"))
    assert response.status_code == 200
    html = response.content.decode()
    assert participant.display_name in html
    assert stranger.display_name not in html


def test_caseload_empty_state(client, other_coach):
    client.force_login(other_coach)
    response = client.get(reverse("coach_caseload"))
    assert "担当の参加者はまだいません" in response.content.decode()


def test_coach_cannot_open_a_participant_outside_caseload(coach_client, stranger):
    assert coach_client.get(reverse("coach_participant", args=[stranger.code])).status_code == 404
    response = coach_client.post(reverse("coach_assess", args=[stranger.code]), {"step": 3})
    assert response.status_code == 404


def test_participant_and_partner_staff_cannot_use_coach_pages(client, participant, partner_staff):
    client.force_login(participant.user)
    assert client.get(reverse("coach_caseload")).status_code == 403
    client.force_login(partner_staff)
    assert client.get(reverse("coach_participant", args=[participant.code])).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("coach_caseload"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_secretariat_sees_everyone(client, secretariat, participant, stranger):
    client.force_login(secretariat)
    html = client.get(reverse("coach_caseload")).content.decode()
    assert participant.display_name in html and stranger.display_name in html


def test_support_notes_visible_to_own_coach(coach_client, participant):
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    assert "CANARY-SUPPORT-NOTE" in html


def test_assessment_form_updates_readiness_with_htmx_partial(coach_client, participant, coach):
    url = reverse("coach_assess", args=[participant.code])
    response = coach_client.post(
        url, {"step": 4, "notes": "安定して通えている"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="readiness"' in html and "<html" not in html
    participant.refresh_from_db()
    assert participant.readiness == 4
    assessment = participant.assessments.get()
    assert assessment.coach == coach and assessment.notes == "安定して通えている"


def test_assessment_without_js_redirects(coach_client, participant):
    response = coach_client.post(reverse("coach_assess", args=[participant.code]), {"step": 3})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.readiness == 3


def test_invalid_assessment_is_rejected(coach_client, participant):
    response = coach_client.post(
        reverse("coach_assess", args=[participant.code]),
        {"step": 9},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.readiness == 2
    assert 'class="errorlist' in response.content.decode()


@pytest.fixture
def next_step_request(participant):
    session = make_session(opportunity=make_opportunity(min_readiness=3, title="中間的な作業"))
    return Signup.objects.create(
        session=session,
        participant=participant,
        status=Signup.Status.REQUESTED,
        created_by=participant.user,
    )


def test_request_shows_on_caseload_with_buttons(coach_client, next_step_request):
    html = coach_client.get(reverse("coach_caseload")).content.decode()
    assert f'data-signup-id="{next_step_request.pk}"' in html
    assert "承認する" in html and "見送る" in html


def test_approve_with_htmx_returns_the_row(
    coach_client, next_step_request, coach, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coach_client.post(
            reverse("coach_signup_approve", args=[next_step_request.pk]),
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<li") and f'data-signup-id="{next_step_request.pk}"' in html
    next_step_request.refresh_from_db()
    assert next_step_request.status == Signup.Status.CONFIRMED
    assert next_step_request.decided_by == coach
    assert (
        next_step_request.session.__class__.objects.get(pk=next_step_request.session_id).seats_taken
        == 1
    )


def test_decline_needs_confirmation_without_js(coach_client, next_step_request):
    url = reverse("coach_signup_decline", args=[next_step_request.pk])
    response = coach_client.get(url)
    assert response.status_code == 200 and "見送りますか" in response.content.decode()
    next_step_request.refresh_from_db()
    assert next_step_request.status == Signup.Status.REQUESTED
    response = coach_client.post(url, {"next": reverse("coach_caseload")})
    assert response.status_code == 302
    next_step_request.refresh_from_db()
    assert next_step_request.status == Signup.Status.CANCELLED


def test_other_coach_cannot_approve(client, other_coach, next_step_request):
    client.force_login(other_coach)
    assert (
        client.post(reverse("coach_signup_approve", args=[next_step_request.pk])).status_code == 404
    )
    next_step_request.refresh_from_db()
    assert next_step_request.status == Signup.Status.REQUESTED


def test_place_on_behalf_confirms_a_next_step(coach_client, participant, coach):
    session = make_session(opportunity=make_opportunity(min_readiness=3))
    response = coach_client.post(
        reverse("coach_place", args=[participant.code]), {"session": session.pk}
    )
    assert response.status_code == 302
    signup = Signup.objects.get(participant=participant, session=session)
    assert signup.status == Signup.Status.CONFIRMED
    assert signup.created_by == coach and signup.decided_by == coach


def test_place_two_steps_up_is_refused_with_a_message(coach_client, participant):
    session = make_session(opportunity=make_opportunity(min_readiness=5))
    response = coach_client.post(
        reverse("coach_place", args=[participant.code]), {"session": session.pk}, follow=True
    )
    assert not Signup.objects.filter(participant=participant).exists()
    assert "2段階以上先" in response.content.decode()


def test_participant_page_lists_matches_with_place_form(coach_client, participant):
    opportunity = make_opportunity(min_readiness=2, title="やさしい畑しごと")
    make_session(opportunity=opportunity)
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    assert "やさしい畑しごと" in html
    assert reverse("coach_place", args=[participant.code]) in html


def test_training_days_count_distinct_local_dates(coach_client, participant):
    opportunity = make_opportunity()
    # Two sessions on the same local day count once; an absence does not count.
    base = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=5)
    s1 = make_session(opportunity=opportunity, starts_at=base)
    s2 = make_session(opportunity=opportunity, starts_at=base + timedelta(hours=4))
    s3 = make_session(opportunity=opportunity, starts_at=base + timedelta(days=1))
    s4 = make_session(opportunity=opportunity, starts_at=base + timedelta(days=2))
    for s, status in [(s1, "present"), (s2, "present"), (s3, "present"), (s4, "absent")]:
        Attendance.objects.create(session=s, participant=participant, status=status, minutes=60)
    from coach.selectors import attendance_summary

    summary = attendance_summary(participant=participant)
    assert summary.training_days == 2
    assert summary.present == 3 and summary.absent == 1
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    assert "訓練日数 2日" in html


def test_opportunity_page_ranks_only_own_caseload(coach_client, participant, stranger):
    opportunity = make_opportunity(min_readiness=2)
    make_session(opportunity=opportunity)
    html = coach_client.get(reverse("coach_opportunity", args=[opportunity.code])).content.decode()
    assert f'data-participant-code="{participant.code}"' in html
    assert stranger.code not in html and stranger.display_name not in html


def test_create_participant_account(coach_client, coach):
    response = coach_client.post(
        reverse("coach_participant_create"),
        {"display_name": "山田", "name_kana": "やまだ", "municipality": "東金市"},
    )
    assert response.status_code == 200
    participant = ParticipantProfile.objects.get(display_name="山田")
    assert participant.coach == coach
    assert participant.user.role == User.Role.PARTICIPANT
    assert not participant.user.has_usable_password()
    assert participant.code in response.content.decode()


def test_create_participant_with_taken_code_shows_error(coach_client, participant):
    response = coach_client.post(
        reverse("coach_participant_create"), {"display_name": "重複", "code": participant.code}
    )
    assert response.status_code == 200
    assert "すでに使われています" in response.content.decode()
    assert not ParticipantProfile.objects.filter(display_name="重複").exists()


def test_new_participant_gets_a_printable_first_login_code(coach_client):
    response = coach_client.post(
        reverse("coach_participant_create"), {"display_name": "初めて", "code": "NEW001"}
    )
    html = response.content.decode()
    assert 'id="login-code"' in html
    assert re.search(r'id="login-code">[A-Z0-9]{4}-[A-Z0-9]{4}<', html)
    assert reverse("first_login") in html


def test_reissue_login_code_for_own_participant_only(coach_client, participant, stranger):
    assert (
        coach_client.post(reverse("coach_login_code", args=[participant.code])).status_code == 200
    )
    assert coach_client.post(reverse("coach_login_code", args=[stranger.code])).status_code == 404


def test_place_choices_leave_out_sessions_already_signed_up(coach_client, participant):
    opportunity = make_opportunity(min_readiness=2, title="図書の整理")
    taken = make_session(opportunity=opportunity)
    free = make_session(opportunity=opportunity, starts_at=taken.starts_at + timedelta(days=7))
    Signup.objects.create(session=taken, participant=participant, status=Signup.Status.CONFIRMED)
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    assert f'<option value="{free.pk}">' in html
    assert f'<option value="{taken.pk}">' not in html


def test_assessment_htmx_response_updates_the_step_tag_out_of_band(coach_client, participant):
    response = coach_client.post(
        reverse("coach_assess", args=[participant.code]),
        {"step": 3},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="current-step" hx-swap-oob="true"' in html and "3 参加" in html
