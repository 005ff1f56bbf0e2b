"""The secretariat's people pages: staff accounts with family name first,
a one-time set-password link, deactivation, and coach caseloads moved
between coaches with an audit entry for each participant."""

import pytest
from django.urls import reverse

from people.models import ParticipantProfile, User
from tests.builders import make_participant, make_user
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec_client(client, secretariat):
    client.force_login(secretariat)
    return client


def test_create_partner_staff_shown_family_name_first(sec_client, partner):
    response = sec_client.post(
        reverse("secretariat:people_new"),
        {
            "username": "tanaka_k",
            "last_name": "田中",
            "first_name": "健一",
            "email": "tanaka@example.jp",
            "role": "partner_staff",
            "partner": partner.pk,
            "language": "ja",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="tanaka_k")
    assert (user.role, user.partner, user.has_usable_password()) == (
        "partner_staff",
        partner,
        False,
    )
    assert user.display_name == "田中 健一"
    assert str(user) == "田中 健一"
    assert user.get_full_name() == "田中 健一"
    html = sec_client.get(reverse("secretariat:people_list")).content.decode()
    assert "田中 健一" in html
    assert "健一 田中" not in html


def test_bad_accounts_are_refused_with_a_reason(sec_client, partner):
    base = {"username": "x1", "last_name": "山田", "first_name": "", "language": "ja"}
    response = sec_client.post(reverse("secretariat:people_new"), {**base, "role": "partner_staff"})
    assert response.status_code == 400
    assert "所属する協力機関を選んでください" in response.content.decode()
    make_user(role=User.Role.COACH, username="taken")
    response = sec_client.post(
        reverse("secretariat:people_new"), {**base, "username": "TAKEN", "role": "coach"}
    )
    assert "そのユーザー名はすでに使われています" in response.content.decode()
    response = sec_client.post(reverse("secretariat:people_new"), {**base, "role": "participant"})
    assert response.status_code == 400
    response = sec_client.post(
        reverse("secretariat:people_new"), {**base, "username": "名前 に 空白", "role": "coach"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="名前 に 空白").exists()
    assert not User.objects.filter(username="x1").exists()


def test_the_password_link_lets_the_person_choose_a_password_once(sec_client, client):
    coach = make_user(role=User.Role.COACH, username="new_coach", last_name="佐々木")
    coach.set_unusable_password()
    coach.save()
    response = sec_client.post(reverse("secretariat:people_password_link", args=[coach.pk]))
    assert response.status_code == 302
    page = sec_client.get(reverse("secretariat:people_edit", args=[coach.pk])).content.decode()
    link = page.split('value="http://testserver')[1].split('"')[0]
    assert link.startswith("/accounts/set-password/")
    # The link is shown once only.
    again = sec_client.get(reverse("secretariat:people_edit", args=[coach.pk])).content.decode()
    assert "/accounts/set-password/" not in again

    sec_client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "Kakunin-2026-tsuki"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password(new)
    assert "このリンクは使えません" in client.get(link, follow=True).content.decode()


def test_deactivate_an_account_with_confirmation(sec_client, secretariat, partner):
    staff = make_user(role=User.Role.PARTNER_STAFF, partner=partner)
    url = reverse("secretariat:people_active", args=[staff.pk])
    assert sec_client.get(url).status_code == 200
    staff.refresh_from_db()
    assert staff.is_active
    sec_client.post(url)
    staff.refresh_from_db()
    assert staff.is_active is False
    # Nobody locks themself out.
    response = sec_client.post(
        reverse("secretariat:people_active", args=[secretariat.pk]), follow=True
    )
    assert "自分自身のアカウントは無効にできません" in response.content.decode()
    secretariat.refresh_from_db()
    assert secretariat.is_active


def test_participants_are_not_managed_here(sec_client):
    participant_user = make_user(role=User.Role.PARTICIPANT)
    assert (
        sec_client.get(reverse("secretariat:people_edit", args=[participant_user.pk])).status_code
        == 404
    )
    assert (
        sec_client.post(
            reverse("secretariat:people_active", args=[participant_user.pk])
        ).status_code
        == 404
    )


def test_caseload_moves_participants_between_coaches_audited(sec_client, secretariat):
    old = make_user(role=User.Role.COACH, last_name="山田", first_name="太郎")
    new = make_user(role=User.Role.COACH, last_name="鈴木", first_name="花子")
    moving = make_participant(coach=old, display_name="移る人")
    staying = make_participant(coach=old, display_name="残る人")
    page = sec_client.get(reverse("secretariat:caseload"), {"coach": old.pk}).content.decode()
    assert "移る人" in page and "残る人" in page
    assert "山田 太郎" in page

    response = sec_client.post(
        reverse("secretariat:caseload"),
        {"from": old.pk, "participants": [moving.code], "to": new.pk},
    )
    assert response.status_code == 302
    moving.refresh_from_db()
    staying.refresh_from_db()
    assert (moving.coach, staying.coach) == (new, old)
    (entry,) = AuditEntry.objects.filter(action="caseload_reassigned")
    assert entry.target_id == str(moving.pk)
    assert entry.actor == secretariat
    assert (entry.before, entry.after) == ({"coach": "山田 太郎"}, {"coach": "鈴木 花子"})


def test_caseload_refuses_an_empty_choice_or_an_inactive_coach(sec_client):
    old = make_user(role=User.Role.COACH)
    gone = make_user(role=User.Role.COACH, is_active=False)
    person = make_participant(coach=old)
    url = reverse("secretariat:caseload")
    response = sec_client.post(url, {"from": old.pk, "participants": [], "to": gone.pk})
    assert response.status_code == 400
    assert "1人以上選んでください" in response.content.decode()
    response = sec_client.post(url, {"from": old.pk, "participants": [person.code], "to": gone.pk})
    assert response.status_code == 400
    assert "引き継ぎ先の支援員を選んでください" in response.content.decode()
    person.refresh_from_db()
    assert person.coach == old
    assert not AuditEntry.objects.filter(action="caseload_reassigned").exists()


def test_only_the_secretariat_reaches_the_people_pages(client, coach, partner_staff):
    participant_user = make_user(role=User.Role.PARTICIPANT)
    urls = [
        reverse("secretariat:people_list"),
        reverse("secretariat:people_new"),
        reverse("secretariat:caseload"),
        reverse("secretariat:people_edit", args=[coach.pk]),
        reverse("secretariat:people_active", args=[coach.pk]),
    ]
    for user in (coach, partner_staff, participant_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
        assert (
            client.post(reverse("secretariat:people_password_link", args=[coach.pk])).status_code
            == 403
        )
    mover = make_participant(coach=coach)
    client.force_login(coach)
    client.post(
        reverse("secretariat:caseload"),
        {"from": coach.pk, "participants": [mover.code], "to": "none"},
    )
    assert ParticipantProfile.objects.get(pk=mover.pk).coach == coach


def test_every_account_action_is_in_the_audit_log_without_the_link(sec_client, partner):
    def actions():
        return list(
            AuditEntry.objects.filter(target_type="people.user")
            .order_by("pk")
            .values_list("action", flat=True)
        )

    fields = {
        "last_name": "田中",
        "first_name": "健一",
        "email": "tanaka@example.jp",
        "role": "partner_staff",
        "partner": partner.pk,
        "language": "ja",
    }
    sec_client.post(reverse("secretariat:people_new"), {"username": "tanaka_k", **fields})
    user = User.objects.get(username="tanaka_k")
    sec_client.post(reverse("secretariat:people_edit", args=[user.pk]), {**fields, "role": "coach"})
    sec_client.post(reverse("secretariat:people_password_link", args=[user.pk]))
    sec_client.post(reverse("secretariat:people_active", args=[user.pk]))
    assert actions() == [
        "staff_account_created",
        "staff_account_changed",
        "staff_password_link_issued",
        "staff_account_deactivated",
    ]
    changed = AuditEntry.objects.get(action="staff_account_changed")
    assert (changed.before["role"], changed.after["role"]) == ("partner_staff", "coach")
    assert not any(
        "set-password" in str(entry.before) + str(entry.after) for entry in AuditEntry.objects.all()
    )
    page = sec_client.get(reverse("secretariat:audit_log")).content.decode()
    assert "パスワード設定のリンクを発行" in page and "職員のアカウントを作成" in page
