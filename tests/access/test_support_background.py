"""A participant's support background (support notes, self-description,
assessment notes) never reaches partner staff: not on their pages, not in
the API for partners, not in the public pages. The canaries of
``tests.api.world`` are planted in exactly those fields."""

import zipfile

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opportunities.services import signup_approve
from people.auth import api_token_issue
from tests.api.world import assert_no_canary, move_to_today
from training.attendance import attendance_record

pytestmark = pytest.mark.django_db


def _urls(pairs):
    for name, args in pairs:
        try:
            yield reverse(name, args=args)
        except NoReverseMatch:  # a page not built (yet)
            continue


@pytest.fixture
def busy_world(world):
    """Participant A confirmed on two of organisation A's sessions, one with attendance."""
    signup_approve(signup=world.request_a, by=world.coach_a)
    move_to_today(world.session_a)
    attendance_record(
        session=world.session_a, participant=world.participant_a, status="present", by=world.staff_a
    )
    return world


def test_partner_pages_never_show_the_support_background(busy_world):
    w = busy_world
    client = Client()
    client.force_login(w.staff_a)
    urls = list(
        _urls(
            [
                ("partner_dashboard", []),
                ("partner_opportunity_list", []),
                ("partner_opportunity", [w.opp_a.code]),
                ("partner_opportunity", [w.opp_a_next.code]),
                ("partner_session", [w.session_a.pk]),
                ("partner_session", [w.session_a_next.pk]),
                ("partner_session_cancel", [w.session_a_next.pk]),
            ]
        )
    )
    assert urls, "no partner pages to check"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_canary(response.content)
    # The roster does show who is coming: the check above is not vacuous.
    roster = client.get(reverse("partner_session", args=[w.session_a.pk])).content.decode()
    assert "参加者A" in roster


def test_partner_api_responses_never_carry_the_support_background(busy_world):
    w = busy_world
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=w.staff_a)}"})
    paths = [
        "/api/partner/opportunities",
        f"/api/partner/opportunities/{w.opp_a.pk}",
        f"/api/partner/opportunities/{w.opp_a.pk}/sessions",
        f"/api/partner/sessions/{w.session_a.pk}/signups",
        f"/api/partner/sessions/{w.session_a_next.pk}/signups",
        f"/api/partner/sessions/{w.session_a.pk}/attendance",
        "/api/me/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_canary(response.content)
    roster = client.get(f"/api/partner/sessions/{w.session_a.pk}/signups").json()["items"]
    assert set(roster[0]["participant"]) == {"id", "display_name", "emergency_contact"}


def test_public_pages_never_show_the_support_background(busy_world):
    w = busy_world
    for url in _urls(
        [
            ("home", []),
            ("opportunity_list", []),
            ("opportunity_detail", [w.opp_a.code]),
            ("partner_map", []),
        ]
    ):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert_no_canary(response.content)


def test_the_coach_does_see_it_so_the_canary_is_real(world):
    client = Client()
    client.force_login(world.coach_a)
    url = reverse("coach_participant", args=[world.participant_a.code])
    assert "CANARY-SUPPORT-NOTE" in client.get(url).content.decode()


def test_payout_exports_never_carry_the_support_background(busy_world):
    import io

    from pypdf import PdfReader

    from core.clock import fiscal_year_bounds, fiscal_year_of
    from training.exports import EXPORTERS
    from training.models import FeeRule
    from training.services import payout_run_compute

    day = timezone.localtime(busy_world.session_a.starts_at).date()
    fiscal_year = fiscal_year_of(day)
    first, last = fiscal_year_bounds(fiscal_year)
    rule = FeeRule.objects.create(
        code="CANARY-RULE",
        name="指導料",
        payee="partner",
        basis="session",
        rate_yen=1000,
        fiscal_year=fiscal_year,
        valid_from=first,
        valid_to=last,
    )
    run = payout_run_compute(rule=rule, month=day.replace(day=1), by=busy_world.secretariat)
    assert run.total_yen > 0  # the session A attendance is counted, so the statement is not empty
    assert_no_canary(EXPORTERS["csv"](run).decode("utf-8-sig"))
    with zipfile.ZipFile(io.BytesIO(EXPORTERS["xlsx"](run))) as xlsx:
        for name in xlsx.namelist():
            assert_no_canary(xlsx.read(name).decode("utf-8", "replace"))
    pdf = PdfReader(io.BytesIO(EXPORTERS["pdf"](run)))
    # pypdf reads this font's two-byte codes with a NUL before each character.
    pdf_text = "".join(page.extract_text() for page in pdf.pages).replace("\x00", "")
    assert busy_world.org_a.name in pdf_text  # the text layer is readable: the scan means something
    assert_no_canary(pdf_text)


def test_notifications_never_carry_the_support_background(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    from opportunities.services import session_cancel, signup_cancel, signup_create, signup_decline

    for person in (world.participant_a, world.participant_b):
        person.user.email = f"{person.code}@example.jp"
        person.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        signup_approve(signup=world.request_a, by=world.coach_a)
        signup_decline(signup=world.request_b, by=world.coach_b)
        extra = signup_create(
            session=world.session_b, participant=world.participant_a, by=world.coach_a
        )
        signup_cancel(signup=extra, by=world.participant_a.user)
        session_cancel(session=world.session_a)
    assert mailoutbox, "no notification was sent: the scan would be vacuous"
    for message in mailoutbox:
        assert_no_canary(
            message.subject + message.body + "".join(str(a[0]) for a in message.alternatives)
        )
