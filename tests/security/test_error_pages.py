"""Friendly 403, 404 and 500 pages, in Japanese and in English, each with a
way home; the 500 page renders with no request, no context processors and no
database, as Django's server_error view does."""

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client, override_settings
from django.utils import translation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.security.error_urls"),
]

PAGES = {
    403: ("/test-errors/403/", "このページは表示できません", "This page cannot be shown"),
    404: ("/no-such-page/", "ページが見つかりません", "Page not found"),
    500: ("/test-errors/500/", "エラーが起きました", "Something went wrong"),
}


@pytest.mark.parametrize("status", sorted(PAGES))
@pytest.mark.parametrize("language", ["ja", "en"])
@override_settings(DEBUG=False)
def test_error_page_is_friendly_and_translated(status, language):
    url, japanese, english = PAGES[status]
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert (japanese if language == "ja" else english) in page
    assert (english if language == "ja" else japanese) not in page
    assert 'href="/"' in page  # the way home
    assert "Traceback" not in page and "a bug, on purpose" not in page


def test_500_page_needs_no_request_and_no_database(django_assert_num_queries):
    with translation.override("ja"), django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert "エラーが起きました" in page and 'href="/"' in page
