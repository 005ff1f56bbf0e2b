"""Sign up and cancel in place: htmx gets the session row, plain POSTs redirect."""

import pytest
from django.core import mail
from django.urls import reverse

from opportunities.models import Signup
from opportunities.services import signup_create
from tests.builders import make_opportunity, make_session

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_signup_via_htmx_returns_only_the_session_row(
    participant_client, participant, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(reverse("session_signup", args=[session.pk]), headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li id="session-{session.pk}" data-session-id="{session.pk}"')
    assert "<html" not in body and "申し込み済み" in body and "キャンセルする" in body
    signup = Signup.objects.get(session=session, participant=participant)
    assert signup.status == Signup.Status.CONFIRMED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [participant.user.email]


def test_signup_without_javascript_redirects_back_to_the_detail(participant_client, session):
    response = participant_client.post(reverse("session_signup", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#session-{session.pk}")
    page = participant_client.get(response["Location"].split("#")[0]).content.decode()
    assert "申し込みました" in page


def test_full_session_offers_the_waitlist(
    participant_client, participant, other_participant, session, coach
):
    signup_create(session=session, participant=other_participant, by=other_participant.user)
    detail = participant_client.get(
        reverse("opportunity_detail", args=[session.opportunity.code])
    ).content.decode()
    assert "満員" in detail and "キャンセル待ちに登録する" in detail
    body = participant_client.post(
        reverse("session_signup", args=[session.pk]), headers=HX
    ).content.decode()
    assert Signup.objects.get(participant=participant).status == Signup.Status.WAITLISTED
    assert "キャンセル待ち（1番目）" in body


def test_next_step_creates_a_request_for_the_coach(
    participant_client, participant, farm, coach, django_capture_on_commit_callbacks
):
    session = make_session(
        opportunity=make_opportunity(partner=farm, min_readiness=participant.readiness + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        body = participant_client.post(
            reverse("session_signup", args=[session.pk]), headers=HX
        ).content.decode()
    assert Signup.objects.get(participant=participant).status == Signup.Status.REQUESTED
    assert "支援員に相談の依頼を送りました" in body and "支援員の承認待ち" in body
    assert [m.to for m in mail.outbox] == [[coach.email]]
    assert participant.support_notes not in mail.outbox[0].body


def test_two_steps_up_shows_no_button_and_the_error_if_posted(
    participant_client, participant, farm
):
    session = make_session(
        opportunity=make_opportunity(partner=farm, min_readiness=participant.readiness + 2)
    )
    detail = participant_client.get(
        reverse("opportunity_detail", args=[session.opportunity.code])
    ).content.decode()
    assert "今のステップからはまだ申し込めません" in detail
    body = participant_client.post(
        reverse("session_signup", args=[session.pk]), headers=HX
    ).content.decode()
    assert 'role="alert"' in body and "2段階以上先" in body
    assert not Signup.objects.exists()


def test_cancel_promotes_the_first_waitlisted_and_sends_one_email(
    participant_client, participant, other_participant, session, django_capture_on_commit_callbacks
):
    mine = signup_create(session=session, participant=participant, by=participant.user)
    theirs = signup_create(
        session=session, participant=other_participant, by=other_participant.user
    )
    assert theirs.status == Signup.Status.WAITLISTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(reverse("signup_cancel", args=[mine.pk]), headers=HX)
    assert "キャンセルしました" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Signup.Status.CONFIRMED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [other_participant.user.email]
    # The subject carries the title in either language.
    assert session.opportunity.title in mail.outbox[0].subject


def test_cancel_without_javascript_has_a_confirm_page(participant_client, participant, session):
    signup = signup_create(session=session, participant=participant, by=participant.user)
    confirm = participant_client.get(reverse("signup_cancel", args=[signup.pk]))
    assert confirm.status_code == 200 and "はい、キャンセルします" in confirm.content.decode()
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED  # GET changes nothing
    response = participant_client.post(
        reverse("signup_cancel", args=[signup.pk]), {"from": "schedule"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("my_schedule")
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_cancel_from_schedule_via_htmx_swaps_the_schedule_item(
    participant_client, participant, session
):
    signup = signup_create(session=session, participant=participant, by=participant.user)
    body = participant_client.post(
        reverse("signup_cancel", args=[signup.pk]), {"from": "schedule"}, headers=HX
    ).content.decode()
    assert body.lstrip().startswith(f'<li id="signup-{signup.pk}"') and "もう一度申し込む" in body


def test_participant_cannot_cancel_someone_elses_signup(
    participant_client, other_participant, session
):
    theirs = signup_create(
        session=session, participant=other_participant, by=other_participant.user
    )
    assert participant_client.get(reverse("signup_cancel", args=[theirs.pk])).status_code == 404
    assert participant_client.post(reverse("signup_cancel", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Signup.Status.CONFIRMED


def test_anonymous_is_sent_to_login(client, session):
    response = client.post(reverse("session_signup", args=[session.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    htmx = client.post(reverse("session_signup", args=[session.pk]), headers=HX)
    assert htmx["HX-Redirect"].startswith(reverse("login"))
    assert not Signup.objects.exists()


@pytest.mark.parametrize("role_fixture", ["coach", "partner_staff", "secretariat"])
def test_staff_cannot_use_participant_pages(client, session, role_fixture, request):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.post(reverse("session_signup", args=[session.pk])).status_code == 403
    assert client.get(reverse("my_schedule")).status_code == 403


def test_my_schedule_lists_upcoming_signups(participant_client, participant, session):
    signup_create(session=session, participant=participant, by=participant.user)
    body = participant_client.get(reverse("my_schedule")).content.decode()
    assert 'id="my-schedule"' in body and session.opportunity.title in body
    assert f'data-session-id="{session.pk}"' in body
