"""After login the interface follows User.language, not the browser's
Accept-Language; the footer's language switcher (its cookie) still wins; and
saving the profile's language switches at once."""

import pytest
from django.conf import settings

from people.models import User
from tests.builders import make_participant, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pass-for-tests"


@pytest.fixture
def emma(coach):
    user = make_user(role=User.Role.PARTICIPANT, username="p_emma", language="en")
    return make_participant(user=user, coach=coach, display_name="Emma Wilson")


def _lang(response) -> str:
    return response.headers.get("Content-Language", "")


def _log_in(client, username: str, accept: str):
    return client.post(
        "/accounts/login/?next=/",
        {"username": username, "password": PASSWORD},
        headers={"accept-language": accept},
        follow=True,
    )


def test_an_english_user_on_a_japanese_browser_sees_english_after_login(client, emma):
    before = client.get("/", headers={"accept-language": "ja"})
    assert _lang(before) == "ja"
    response = _log_in(client, "p_emma", accept="ja")
    assert response.redirect_chain and response.status_code == 200
    assert _lang(response) == "en"
    assert '<html lang="en">' in response.content.decode()
    # …and on every page after, whatever the browser asks for.
    assert _lang(client.get("/my/schedule/", headers={"accept-language": "ja"})) == "en"


def test_a_japanese_user_on_an_english_browser_sees_japanese(client, participant):
    _log_in(client, "sato", accept="en")
    assert _lang(client.get("/", headers={"accept-language": "en"})) == "ja"


def test_the_switcher_still_overrides(client, emma):
    _log_in(client, "p_emma", accept="ja")
    switched = client.post("/i18n/setlang/", {"language": "ja", "next": "/"}, follow=True)
    assert _lang(switched) == "ja"
    assert _lang(client.get("/my/schedule/")) == "ja"


def test_a_language_chosen_by_the_previous_user_of_a_shared_pc_gives_way_at_login(client, emma):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"  # left by the last person
    assert _lang(_log_in(client, "p_emma", accept="ja")) == "en"
    assert _lang(client.get("/my/schedule/", headers={"accept-language": "ja"})) == "en"
    # Her own choice in the switcher holds from then on.
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert _lang(client.get("/my/schedule/")) == "ja"


def test_logged_out_visitors_still_get_their_browsers_language(client, emma):
    assert _lang(client.get("/", headers={"accept-language": "en"})) == "en"
    assert _lang(client.get("/", headers={"accept-language": "ja"})) == "ja"


def test_saving_the_profiles_language_switches_at_once(client, emma):
    _log_in(client, "p_emma", accept="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # she used the switcher once
    page = client.get("/my/profile/")
    form = page.context["form"]
    data = {
        "self_description": "",
        "skills_other": "",
        "interests_other": "",
        "max_travel_km": "15",
        "language": "ja",
        "email": "emma@example.jp",
        "slots-TOTAL_FORMS": "0",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
    }
    assert form.initial["language"] == "en"
    response = client.post("/my/profile/", data, follow=True)
    assert response.status_code == 200
    assert User.objects.get(username="p_emma").language == "ja"
    assert _lang(response) == "ja"
    assert "プロフィールを保存しました。" in response.content.decode()
    assert _lang(client.get("/my/schedule/", headers={"accept-language": "en"})) == "ja"
