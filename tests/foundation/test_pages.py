from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import User
from tests.builders import make_opportunity, make_session, make_user

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    User.Role.PARTICIPANT,
    User.Role.COACH,
    User.Role.PARTNER_STAFF,
    User.Role.SECRETARIAT,
]


def client_for(client, role, partner=None):
    if role is not None:
        extra = {"partner": partner} if role == User.Role.PARTNER_STAFF else {}
        client.force_login(make_user(role=role, **extra))
    return client


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_public_pages_render_for_every_role(client, role, partner):
    opportunity = make_opportunity(title="古本のクリーニング", partner=partner)
    client = client_for(client, role, partner)
    for url in [
        reverse("home"),
        reverse("opportunity_list"),
        reverse("opportunity_detail", args=[opportunity.code]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="ja">' in response.content.decode()


def test_list_filters_by_kind_and_municipality(client):
    make_opportunity(title="薪割り", kind="farm_welfare", municipality="東金市")
    make_opportunity(title="カフェの接客", kind="supported_work", municipality="山武市")
    page = client.get(reverse("opportunity_list"), {"kind": "farm_welfare"}).content.decode()
    assert "薪割り" in page and "カフェの接客" not in page
    page = client.get(reverse("opportunity_list"), {"municipality": "山武市"}).content.decode()
    assert "カフェの接客" in page and "薪割り" not in page


def test_list_filters_by_weekday_of_upcoming_sessions(client):
    monday = make_opportunity(title="月曜の収穫")
    friday = make_opportunity(title="金曜の仕分け")
    today = timezone.localdate()
    next_monday = today + timedelta(days=(7 - today.weekday()) or 7)
    make_session(
        opportunity=monday,
        starts_at=timezone.make_aware(
            timezone.datetime.combine(next_monday, timezone.datetime.min.time())
        )
        + timedelta(hours=10),
    )
    make_session(
        opportunity=friday,
        starts_at=timezone.make_aware(
            timezone.datetime.combine(next_monday + timedelta(days=4), timezone.datetime.min.time())
        )
        + timedelta(hours=10),
    )
    page = client.get(reverse("opportunity_list"), {"weekday": 0}).content.decode()
    assert "月曜の収穫" in page and "金曜の仕分け" not in page


def test_list_results_come_as_a_fragment_for_htmx(client):
    make_opportunity(title="畑の草取り")
    response = client.get(reverse("opportunity_list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "畑の草取り" in body
    assert "<html" not in body


def test_draft_opportunity_is_not_public(client):
    draft = make_opportunity(status="draft")
    assert client.get(reverse("opportunity_detail", args=[draft.code])).status_code == 404


def test_english_on_demand(client):
    make_opportunity()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("opportunity_list"))
    assert '<html lang="en">' in response.content.decode()


def test_login_and_logout(client):
    make_user(username="tanaka", password="correct horse battery")
    response = client.post(
        reverse("login"), {"username": "tanaka", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    client.post(reverse("logout"))
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_login_error_is_explained_in_japanese(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert "ユーザー名またはパスワードが違います" in response.content.decode()


def test_health_check_answers_with_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
