"""The participant's own profile at /my/profile/: saved through
people.services.participant_profile_update, audited, re-embedded, and only ever
her own."""

from datetime import time

import pytest
from django.urls import reverse

from core.errors import DomainError, NotAllowed
from matching import embeddings
from matching.models import ParticipantEmbedding, TermEmbedding
from matching.services import participant_document
from people.models import AvailabilitySlot, ParticipantProfile, ProfileChange, User
from people.services import participant_profile_update
from tests.builders import make_user

pytestmark = pytest.mark.django_db
URL = "/my/profile/"


def _post_data(**overrides) -> dict:
    """A complete, valid form as the browser sends it, with two slot rows."""
    data = {
        "self_description": "土いじりが好きです。",
        "skills": ["農作業", "調理"],
        "skills_other": "薪割り、Chainsaw",
        "interests": ["園芸"],
        "interests_other": "",
        "max_travel_km": "7.5",
        "language": "ja",
        "email": "sato@example.jp",
        "notify_signup": "on",
        "notify_reminder": "on",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
        "slots-0-weekday": "0",
        "slots-0-start": "09:00",
        "slots-0-end": "12:00",
        "slots-1-weekday": "",
        "slots-1-start": "",
        "slots-1-end": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_shows_her_profile(participant_client, participant):
    participant.skills = ["調理", "薪ストーブ"]
    participant.save()
    AvailabilitySlot.objects.create(
        participant=participant, weekday=2, start=time(10), end=time(15)
    )
    response = participant_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form.initial["skills"] == ["調理"]
    assert form.initial["skills_other"] == "薪ストーブ"  # not in the vocabulary: free text
    assert response.context["slots"].initial == [{"weekday": 2, "start": time(10), "end": time(15)}]
    assert reverse("my_profile") in html  # linked from the participant nav


def test_saving_stores_japanese_labels_decimal_km_and_slots(participant_client, participant):
    response = participant_client.post(URL, _post_data(), follow=True)
    assert response.status_code == 200
    assert "プロフィールを保存しました。" in response.content.decode()
    participant.refresh_from_db()
    participant.user.refresh_from_db()
    # "Chainsaw" typed in English is stored as the vocabulary's Japanese label.
    assert participant.skills == ["農作業", "調理", "薪割り", "チェーンソー"]
    assert participant.interests == ["園芸"]
    assert participant.max_travel_km == 7.5
    assert participant.self_description == "土いじりが好きです。"
    assert participant.user.email == "sato@example.jp"
    assert (participant.notify_signup, participant.notify_reminder, participant.notify_changes) == (
        True,
        True,
        False,
    )
    assert list(participant.availability.values_list("weekday", "start", "end")) == [
        (0, time(9), time(12))
    ]
    change = ProfileChange.objects.get(participant=participant)
    assert change.actor == participant.user
    assert "skills" in change.fields and "availability" in change.fields
    assert change.changes["max_travel_km"] == [10.0, 7.5]


def _assert_nothing_saved(participant: ParticipantProfile) -> None:
    fresh = ParticipantProfile.objects.get(pk=participant.pk)
    assert fresh.skills == participant.skills
    assert fresh.max_travel_km == participant.max_travel_km
    assert fresh.user.email == participant.user.email
    assert not fresh.availability.exists()
    assert not ProfileChange.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        ({"max_travel_km": "abc"}, "移動できる距離は数字で入力してください。"),
        ({"max_travel_km": "600"}, "移動できる距離は0〜500kmの間で入力してください。"),
        ({"max_travel_km": "2.55"}, "小数点以下1けたまで"),
        ({"email": "not-an-address"}, "メールアドレスの形が正しくありません。"),
        (
            {"slots-0-start": "15:00", "slots-0-end": "12:00"},
            "終わりの時刻は始まりの時刻より後にしてください。",
        ),
        (
            {"slots-1-weekday": "0", "slots-1-start": "11:00", "slots-1-end": "14:00"},
            "の時間が重なっています。",
        ),
        ({"slots-0-start": "9時"}, "時刻は 9:30 のように入力してください。"),
        ({"skills": ["存在しない技能"]}, "一覧にない項目が選ばれました。"),
    ],
)
def test_bad_input_is_a_sentence_and_nothing_is_saved(
    participant_client, participant, overrides, sentence
):
    response = participant_client.post(URL, _post_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert sentence in html
    assert "保存できませんでした。" in html
    _assert_nothing_saved(participant)


def test_overlapping_slots_name_both(participant_client, participant):
    response = participant_client.post(
        URL,
        _post_data(**{"slots-1-weekday": "0", "slots-1-start": "11:00", "slots-1-end": "14:00"}),
    )
    assert (
        "月曜 09:00–12:00 と 月曜 11:00–14:00 の時間が重なっています。" in response.content.decode()
    )


def test_a_removed_slot_is_deleted_and_a_blank_row_ignored(participant_client, participant):
    AvailabilitySlot.objects.create(participant=participant, weekday=1, start=time(9), end=time(12))
    AvailabilitySlot.objects.create(
        participant=participant, weekday=3, start=time(13), end=time(16)
    )
    data = _post_data(
        **{
            "slots-TOTAL_FORMS": "3",
            "slots-INITIAL_FORMS": "2",
            "slots-0-weekday": "1",
            "slots-0-start": "09:00",
            "slots-0-end": "12:00",
            "slots-0-DELETE": "on",
            "slots-1-weekday": "3",
            "slots-1-start": "13:00",
            "slots-1-end": "16:00",
            "slots-2-weekday": "",
            "slots-2-start": "",
            "slots-2-end": "",
        }
    )
    response = participant_client.post(URL, data)
    assert response.status_code == 302
    assert list(participant.availability.values_list("weekday", "start", "end")) == [
        (3, time(13), time(16))
    ]


@pytest.mark.parametrize("role", ["coach", "partner_staff", "secretariat"])
def test_other_roles_cannot_use_it(client, participant, role, partner):
    extra = {"partner": partner} if role == "partner_staff" else {}
    client.force_login(make_user(role=role, **extra))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post_data()).status_code == 403
    _assert_nothing_saved(participant)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_she_edits_only_her_own_profile(participant_client, participant, other_participant):
    """The page has no id to change: whatever is posted lands on her own profile."""
    before = ParticipantProfile.objects.get(pk=other_participant.pk)
    participant_client.post(URL, _post_data(participant=other_participant.pk, code="S9999"))
    after = ParticipantProfile.objects.get(pk=other_participant.pk)
    assert (after.skills, after.max_travel_km, after.updated_at) == (
        before.skills,
        before.max_travel_km,
        before.updated_at,
    )
    assert ParticipantProfile.objects.get(pk=participant.pk).skills[0] == "農作業"


def test_the_service_refuses_another_participant(participant, other_participant):
    with pytest.raises(NotAllowed):
        participant_profile_update(
            participant=other_participant, actor=participant.user, changes={"skills": ["調理"]}
        )
    assert ParticipantProfile.objects.get(pk=other_participant.pk).skills == ["整理整頓"]


def test_the_service_refuses_fields_she_may_not_change(participant):
    with pytest.raises(NotAllowed):
        participant_profile_update(
            participant=participant, actor=participant.user, changes={"support_notes": "x"}
        )
    with pytest.raises(NotAllowed):
        participant_profile_update(
            participant=participant, actor=participant.user, changes={"readiness": 5}
        )


def test_her_coach_may_change_more_and_sensitive_values_are_not_in_the_history(participant, coach):
    participant_profile_update(
        participant=participant,
        actor=coach,
        changes={"support_notes": "NEW-SECRET", "max_travel_km": 3},
    )
    change = ProfileChange.objects.get()
    assert change.actor == coach
    assert change.changes["support_notes"] == [None, None]
    assert "NEW-SECRET" not in str(change.changes) and "CANARY" not in str(change.changes)
    assert ParticipantProfile.objects.get(pk=participant.pk).support_notes == "NEW-SECRET"


def test_another_coach_may_not(participant):
    stranger = make_user(role=User.Role.COACH)
    with pytest.raises(NotAllowed):
        participant_profile_update(
            participant=participant, actor=stranger, changes={"max_travel_km": 3}
        )


def test_the_service_rejects_bad_slots_and_saves_nothing(participant):
    with pytest.raises(DomainError) as caught:
        participant_profile_update(
            participant=participant,
            actor=participant.user,
            changes={
                "max_travel_km": 4,
                "availability": [(0, time(9), time(12)), (0, time(10), time(11))],
            },
        )
    assert "重なっています" in caught.value.message
    assert ParticipantProfile.objects.get(pk=participant.pk).max_travel_km == 10
    assert not AvailabilitySlot.objects.exists()


def test_an_unchanged_save_records_nothing(participant):
    participant_profile_update(
        participant=participant, actor=participant.user, changes={"skills": ["整理整頓"]}
    )
    assert not ProfileChange.objects.exists()


def test_saving_re_embeds_her_with_both_labels(
    participant_client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(URL, _post_data())
    assert response.status_code == 302
    fresh = ParticipantProfile.objects.get(pk=participant.pk)
    stored = ParticipantEmbedding.objects.get(participant=participant)
    backend = embeddings.get_backend()
    assert stored.source_hash == embeddings.source_hash(
        backend.model_name, participant_document(fresh)
    )
    # Each term is matched on its own in both languages.
    cached = set(TermEmbedding.objects.values_list("term", flat=True))
    assert {"園芸", "Gardening", "調理", "Cooking"} <= cached


def test_saving_only_slots_still_records_and_keeps_the_embedding(
    participant_client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participant_client.post(URL, _post_data())
    first = ParticipantEmbedding.objects.get(participant=participant)
    with django_capture_on_commit_callbacks(execute=True):
        participant_client.post(URL, _post_data(**{"slots-0-end": "13:00"}))
    assert ParticipantEmbedding.objects.get(participant=participant).updated_at == first.updated_at
    assert ProfileChange.objects.filter(participant=participant).count() == 2
