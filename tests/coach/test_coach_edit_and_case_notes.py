"""The coach's edit page for a participant, case notes (append-only, coach and
secretariat only), the participant page's order, and the date picker marking
dates that clash."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coach.selectors import sessions_placeable
from opportunities.models import Signup
from people.case_notes import case_note_add
from people.models import CaseNote, ProfileChange, User
from tests.builders import make_opportunity, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_coach(db):
    return make_user(role=User.Role.COACH, username="coach_b")


@pytest.fixture
def coach_client(client, coach):
    client.force_login(coach)
    return client


def edit_post(**overrides):
    data = {
        "display_name": "佐藤",
        "name_kana": "さとう",
        "self_description": "朝の作業が得意です。",
        "skills": "草取り、袋詰め",
        "interests": "畑",
        "municipality": "東金市",
        "max_travel_km": "7.5",
        "emergency_contact": "姉 090-1111-2222",
        "support_notes": "NEW-SUPPORT-CANARY",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "14",
        "slots-0-weekday": "0",
        "slots-0-start": "09:00",
        "slots-0-end": "12:00",
        "slots-1-weekday": "",
        "slots-1-start": "",
        "slots-1-end": "",
    }
    data.update(overrides)
    return data


def test_the_assigned_coach_edits_the_profile_and_it_is_audited(coach_client, participant, coach):
    url = reverse("coach_participant_edit", args=[participant.code])
    page = coach_client.get(url)
    assert page.status_code == 200
    assert "CANARY-SUPPORT-NOTE" in page.content.decode()  # the form shows the current text

    response = coach_client.post(url, edit_post())
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.municipality == "東金市"
    assert participant.max_travel_km == 7.5
    assert participant.emergency_contact == "姉 090-1111-2222"
    assert participant.support_notes == "NEW-SUPPORT-CANARY"
    assert [(s.weekday, f"{s.start:%H:%M}") for s in participant.availability.all()] == [
        (0, "09:00")
    ]
    change = ProfileChange.objects.get(participant=participant)
    assert change.actor == coach
    assert "support_notes" in change.fields and "availability" in change.fields
    # The sensitive text is never in the history.
    assert "NEW-SUPPORT-CANARY" not in str(change.changes)
    assert "CANARY-SUPPORT-NOTE" not in str(change.changes)


def test_bad_input_is_a_sentence_and_changes_nothing(coach_client, participant):
    url = reverse("coach_participant_edit", args=[participant.code])
    response = coach_client.post(url, edit_post(**{"max_travel_km": "900", "slots-0-end": "08:00"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "移動できる距離は0〜500kmの間で入力してください。" in html
    participant.refresh_from_db()
    assert participant.support_notes == "CANARY-SUPPORT-NOTE"
    assert not ProfileChange.objects.filter(participant=participant).exists()
    response = coach_client.post(url, edit_post(**{"slots-0-end": "08:00"}))
    assert response.status_code == 400
    assert "終わりの時刻は始まりの時刻より後にしてください" in response.content.decode()
    assert not participant.availability.exists()


@pytest.mark.parametrize("who", ["other_coach", "partner_staff", "participant_user"])
def test_only_the_assigned_coach_and_secretariat_can_edit(
    client, participant, who, other_coach, partner_staff
):
    user = {
        "other_coach": other_coach,
        "partner_staff": partner_staff,
        "participant_user": participant.user,
    }[who]
    client.force_login(user)
    url = reverse("coach_participant_edit", args=[participant.code])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, edit_post()).status_code in (403, 404)
    participant.refresh_from_db()
    assert participant.support_notes == "CANARY-SUPPORT-NOTE"


def test_secretariat_can_edit(client, secretariat, participant):
    client.force_login(secretariat)
    url = reverse("coach_participant_edit", args=[participant.code])
    assert client.post(url, edit_post()).status_code == 302


def test_case_notes_are_kept_with_history_on_the_participant_page(coach_client, participant):
    url = reverse("coach_case_note_add", args=[participant.code])
    assert coach_client.post(url, {"body": "初回面談。朝は苦手。"}).status_code == 302
    assert coach_client.post(url, {"body": "訂正: 朝も大丈夫な日がある。"}).status_code == 302
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    first, second = html.index("訂正: 朝も大丈夫な日がある。"), html.index("初回面談。朝は苦手。")
    assert first < second  # newest first, both kept
    assert CaseNote.objects.filter(participant=participant).count() == 2


def test_an_empty_case_note_is_refused_with_a_sentence(coach_client, participant):
    url = reverse("coach_case_note_add", args=[participant.code])
    response = coach_client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "記録の内容を書いてください。" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_case_notes_are_append_only(participant, coach):
    note = case_note_add(participant=participant, author=coach, body="記録")
    note.body = "書き換え"
    with pytest.raises(ValueError):
        note.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseNote.objects.filter(pk=note.pk).update(body="書き換え")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseNote.objects.filter(pk=note.pk).delete()
    assert CaseNote.objects.get(pk=note.pk).body == "記録"


def test_case_notes_never_reach_partners_the_participant_or_another_coach(
    client, participant, coach, other_coach, partner_staff, partner
):
    case_note_add(participant=participant, author=coach, body="CASE-NOTE-CANARY")
    # The partner's staff see this participant on a roster of theirs.
    session = make_session(opportunity=make_opportunity(partner=partner))
    Signup.objects.create(session=session, participant=participant, status="confirmed")
    with pytest.raises(Exception, match="ケース記録"):
        case_note_add(participant=participant, author=other_coach, body="x")
    pages = {
        other_coach: [reverse("coach_participant", args=[participant.code])],
        partner_staff: [
            reverse("partner_session", args=[session.pk]),
            reverse("partner_dashboard"),
        ],
        participant.user: [reverse("my_schedule"), "/my/profile/", "/my/"],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            assert "CASE-NOTE-CANARY" not in client.get(url).content.decode(), (user, url)
        for path in (
            "/api/me/",
            "/api/signups/",
            f"/api/partner/sessions/{session.pk}/signups",
        ):
            assert "CASE-NOTE-CANARY" not in client.get(path).content.decode(), (user, path)
        response = client.post(
            reverse("coach_case_note_add", args=[participant.code]), {"body": "x"}
        )
        assert response.status_code in (403, 404)
    assert CaseNote.objects.count() == 1


def test_participant_page_puts_readiness_profile_and_upcoming_above_matches(
    coach_client, participant
):
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    matches = html.index('id="matches-heading"')
    for heading in ('id="readiness-heading"', 'id="profile-heading"', 'id="upcoming-heading"'):
        assert html.index(heading) < matches, heading
    assert reverse("coach_participant_edit", args=[participant.code]) in html


def test_date_picker_marks_dates_that_clash(coach_client, participant):
    starts = (timezone.localtime() + timedelta(days=5)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    busy = make_session(
        opportunity=make_opportunity(title="朝市の準備"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
    )
    Signup.objects.create(session=busy, participant=participant, status="confirmed")
    wanted = make_opportunity(title="袋詰め", skills=["整理整頓"])
    clashing = make_session(
        opportunity=wanted,
        starts_at=starts + timedelta(hours=1),
        ends_at=starts + timedelta(hours=4),
    )
    free = make_session(opportunity=wanted, starts_at=starts + timedelta(days=1))

    placeable = sessions_placeable(opportunities=[wanted], participant=participant)[wanted.pk]
    marks = {s.pk: s.clash for s in placeable}
    assert marks[clashing.pk].session_id == busy.pk  # type: ignore[attr-defined]
    assert marks[free.pk] is None
    html = coach_client.get(reverse("coach_participant", args=[participant.code])).content.decode()
    picker = f'id="place-{wanted.code}"'
    html = html[html.index(picker) :]
    option = html[html.index(f'<option value="{clashing.pk}"') :]
    option = option[: option.index("</option>")]
    assert "disabled" in option and "朝市の準備" in option
    option = html[html.index(f'<option value="{free.pk}"') :]
    assert "disabled" not in option[: option.index("</option>")]
