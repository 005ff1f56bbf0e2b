from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from core.clock import local_today
from opportunities.models import Opportunity, Session, Signup
from people.models import Supporter, User
from tests.builders import (
    make_opportunity,
    make_participant,
    make_partner,
    make_session,
    make_user,
    started_an_hour_ago,
)
from training.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, partner_staff):
    client.force_login(partner_staff)
    return client


@pytest.fixture
def opportunity(partner):
    return make_opportunity(partner=partner, title="朝市の準備")


@pytest.fixture
def session(opportunity):
    # Attendance is taken on the day: the session started an hour ago.
    return make_session(opportunity=opportunity, starts_at=started_an_hour_ago())


@pytest.fixture
def confirmed(session, participant):
    participant.emergency_contact = "母 090-0000-0000"
    participant.self_description = "SELF-DESCRIPTION-CANARY"
    participant.save()
    Session.objects.filter(pk=session.pk).update(seats_taken=1)
    return Signup.objects.create(
        session=session, participant=participant, status=Signup.Status.CONFIRMED
    )


@pytest.fixture
def foreign_session(db):
    return make_session(opportunity=make_opportunity(partner=make_partner(name="よその機関")))


def test_dashboard_lists_todays_and_upcoming_sessions(staff_client, opportunity, foreign_session):
    make_session(opportunity=opportunity)
    response = staff_client.get(reverse("partner_dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "朝市の準備" in html
    assert f'data-session-id="{foreign_session.pk}"' not in html


def test_only_partner_staff_reach_partner_pages(client, coach, participant):
    for user in (coach, participant.user):
        client.force_login(user)
        assert client.get(reverse("partner_dashboard")).status_code == 403


def test_profile_edit_saves_offers_and_opening_slots(staff_client, partner):
    data = {
        "name": partner.name,
        "name_kana": "",
        "description": "",
        "municipality": "山武市",
        "address": "山武市殿台1",
        "phone": "0475-00-0000",
        "lat": "35.6",
        "lon": "140.41",
        "offers_place": "on",
        "offers_cool_station": "on",
        "offers_food_bank": "on",
        "opening_notes": "雨の日は休み",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
        "slots-0-weekday": "0",
        "slots-0-start": "10:00",
        "slots-0-end": "14:00",
        "slots-1-weekday": "",
        "slots-1-start": "",
        "slots-1-end": "",
    }
    response = staff_client.post(reverse("partner_profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    partner.refresh_from_db()
    assert (
        partner.offers_cool_station and partner.offers_food_bank and not partner.offers_consultation
    )
    assert partner.opening_notes == "雨の日は休み"
    slot = partner.opening_slots.get()
    assert (slot.weekday, slot.start, slot.end) == (0, time(10), time(14))


def test_create_edit_and_close_opportunity(staff_client, partner):
    data = {
        "title": "草取り",
        "description": "畑の草取り",
        "kind": "volunteering",
        "employment_type": "",
        "min_readiness": "1",
        "skills": "草取り、収穫",
        "useful_skills": "",
        "status": "open",
        "capacity": "4",
        "municipality": "",
        "address": "",
        "what_to_bring": "",
        "contact_name": "",
    }
    response = staff_client.post(reverse("partner_opportunity_new"), data)
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(title="草取り")
    assert opportunity.partner == partner and opportunity.skills == ["草取り", "収穫"]
    assert opportunity.municipality == partner.municipality
    response = staff_client.post(
        reverse("partner_opportunity_edit", args=[opportunity.code]), {**data, "capacity": "6"}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.capacity == 6
    close_url = reverse("partner_opportunity_close", args=[opportunity.code])
    assert "募集を終了しますか" in staff_client.get(close_url).content.decode()
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN
    staff_client.post(close_url)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.CLOSED


def test_weekly_pattern_creates_sessions(staff_client, opportunity):
    start = local_today() + timedelta(days=7)
    response = staff_client.post(
        reverse("partner_sessions_weekly", args=[opportunity.code]),
        {
            "weekdays": ["0", "3"],
            "start": "09:00",
            "end": "12:00",
            "date_from": start.isoformat(),
            "date_to": (start + timedelta(days=13)).isoformat(),
            "capacity": "",
            "instructor_name": "田中",
        },
    )
    assert response.status_code == 302
    sessions = Session.objects.filter(opportunity=opportunity)
    assert sessions.count() == 4
    assert all(s.duration_minutes == 180 and s.instructor_name == "田中" for s in sessions)


def test_one_session_create(staff_client, opportunity):
    day = local_today() + timedelta(days=3)
    response = staff_client.post(
        reverse("partner_session_create", args=[opportunity.code]),
        {
            "day": day.isoformat(),
            "start": "13:00",
            "end": "15:00",
            "capacity": "2",
            "instructor_name": "",
        },
    )
    assert response.status_code == 302
    assert Session.objects.get(opportunity=opportunity).capacity == 2


def test_cancel_session_confirms_then_notifies(
    staff_client, session, confirmed, django_capture_on_commit_callbacks
):
    url = reverse("partner_session_cancel", args=[session.pk])
    assert "中止しますか" in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    # The notification itself is opportunities.tasks' business; here: it reaches
    # the person who was signed up (Q_CLUSTER is synchronous in tests).
    assert any(confirmed.participant.user.email in m.to for m in mail.outbox)


def test_roster_shows_name_and_emergency_contact_only(
    staff_client, session, confirmed, participant
):
    html = staff_client.get(reverse("partner_session", args=[session.pk])).content.decode()
    assert participant.display_name in html
    assert "090-0000-0000" in html
    assert "CANARY-SUPPORT-NOTE" not in html
    assert "SELF-DESCRIPTION-CANARY" not in html
    assert f'data-participant-code="{participant.code}"' in html
    assert "出席" in html


def test_attendance_one_tap_with_htmx_returns_row_and_saves(
    staff_client, session, confirmed, participant, partner_staff
):
    response = staff_client.post(
        reverse("partner_attendance", args=[session.pk]),
        {"participant": participant.code, "status": "present", "minutes": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<li") and "<html" not in html
    assert 'data-status="present"' in html
    assert "CANARY-SUPPORT-NOTE" not in html
    attendance = Attendance.objects.get(session=session, participant=participant)
    assert attendance.status == "present" and attendance.recorded_by == partner_staff
    # Minutes default to the session length.
    assert attendance.minutes == session.duration_minutes == 180
    session.refresh_from_db()
    assert session.status == Session.Status.HELD


def test_attendance_correction_and_edited_minutes_without_js(
    staff_client, session, confirmed, participant
):
    url = reverse("partner_attendance", args=[session.pk])
    staff_client.post(url, {"participant": participant.code, "status": "present", "minutes": "90"})
    assert Attendance.objects.get(participant=participant).minutes == 90
    response = staff_client.post(
        url, {"participant": participant.code, "status": "absent", "minutes": "90"}
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(participant=participant)
    assert attendance.status == "absent" and attendance.minutes == 0


def test_attendance_for_someone_not_on_the_roster_is_404(staff_client, session, coach):
    outsider = make_participant(coach=coach)
    response = staff_client.post(
        reverse("partner_attendance", args=[session.pk]),
        {"participant": outsider.code, "status": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_add_new_and_existing_supporter(staff_client, session):
    url = reverse("partner_supporter_add", args=[session.pk])
    response = staff_client.post(
        url, {"code": "", "name": "鈴木", "minutes": "120"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="supporters"' in response.content.decode()
    supporter = Supporter.objects.get(name="鈴木")
    row = Attendance.objects.get(session=session, supporter=supporter)
    assert row.role == "supporter" and row.minutes == 120 and row.status == "present"
    existing = Supporter.objects.create(code="SP-1", name="高橋")
    staff_client.post(url, {"code": "sp-1", "name": "", "minutes": ""})
    assert Attendance.objects.get(session=session, supporter=existing).minutes == 180
    assert Supporter.objects.count() == 2


def test_foreign_partner_objects_are_404(staff_client, foreign_session, participant):
    opportunity = foreign_session.opportunity
    for url in (
        reverse("partner_session", args=[foreign_session.pk]),
        reverse("partner_session_cancel", args=[foreign_session.pk]),
        reverse("partner_opportunity", args=[opportunity.code]),
        reverse("partner_opportunity_edit", args=[opportunity.code]),
        reverse("partner_opportunity_close", args=[opportunity.code]),
    ):
        assert staff_client.get(url).status_code == 404, url
    for url, data in (
        (
            reverse("partner_attendance", args=[foreign_session.pk]),
            {"participant": participant.code, "status": "present"},
        ),
        (reverse("partner_supporter_add", args=[foreign_session.pk]), {"name": "x"}),
        (reverse("partner_session_cancel", args=[foreign_session.pk]), {}),
        (reverse("partner_sessions_weekly", args=[opportunity.code]), {}),
        (reverse("partner_session_create", args=[opportunity.code]), {}),
        (reverse("partner_opportunity_close", args=[opportunity.code]), {}),
    ):
        assert staff_client.post(url, data).status_code == 404, url
    foreign_session.refresh_from_db()
    assert foreign_session.status == Session.Status.SCHEDULED


def test_secretariat_can_open_any_roster(client, secretariat, foreign_session):
    client.force_login(secretariat)
    assert client.get(reverse("partner_session", args=[foreign_session.pk])).status_code == 200


def test_staff_without_partner_is_refused(client):
    user = make_user(role=User.Role.PARTNER_STAFF)
    client.force_login(user)
    assert client.get(reverse("partner_dashboard")).status_code == 403


def test_profile_keeps_and_deletes_existing_slots(staff_client, partner):
    from opportunities.models import OpeningSlot

    OpeningSlot.objects.create(partner=partner, weekday=2, start=time(9), end=time(12))
    OpeningSlot.objects.create(partner=partner, weekday=4, start=time(13), end=time(16))
    page = staff_client.get(reverse("partner_profile")).content.decode()
    assert 'name="slots-INITIAL_FORMS" value="2"' in page
    data = {
        "name": partner.name,
        "municipality": partner.municipality,
        "offers_place": "on",
        "slots-TOTAL_FORMS": "4",
        "slots-INITIAL_FORMS": "2",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
        "slots-0-weekday": "2",
        "slots-0-start": "09:00",
        "slots-0-end": "12:00",
        "slots-1-weekday": "4",
        "slots-1-start": "13:00",
        "slots-1-end": "16:00",
        "slots-1-DELETE": "on",
        "slots-2-weekday": "",
        "slots-2-start": "",
        "slots-2-end": "",
        "slots-3-weekday": "",
        "slots-3-start": "",
        "slots-3-end": "",
    }
    assert staff_client.post(reverse("partner_profile"), data).status_code == 302
    assert [(s.weekday, s.start) for s in partner.opening_slots.all()] == [(2, time(9))]


def test_profile_slot_with_end_before_start_is_an_error(staff_client, partner):
    data = {
        "name": partner.name,
        "municipality": partner.municipality,
        "slots-TOTAL_FORMS": "1",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
        "slots-0-weekday": "1",
        "slots-0-start": "15:00",
        "slots-0-end": "10:00",
    }
    response = staff_client.post(reverse("partner_profile"), data)
    assert response.status_code == 200
    assert "終了時刻は開始時刻より後" in response.content.decode()
    assert not partner.opening_slots.exists()


def test_attendance_bad_minutes_returns_the_row_with_a_message(
    staff_client, session, confirmed, participant
):
    response = staff_client.post(
        reverse("partner_attendance", args=[session.pk]),
        {"participant": participant.code, "status": "present", "minutes": "-5"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<li") and 'role="alert"' in html
    assert not Attendance.objects.exists()
