"""やさしい日本語: furigana (<ruby>) over kanji on the participant's pages, and
the phone layout of the browse and detail pages (server side; the browser
checks are in tests/browser/test_participant_layout.py)."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse

from core import furigana
from core.furigana import furigana_markup, ruby_html
from participant.context_processors import EASY_JA_COOKIE
from tests.builders import make_opportunity, make_session
from tests.participant.conftest import days_from_now

FIELD = "<ruby>畑<rt>はたけ</rt></ruby>"


def _plain(html: str) -> str:
    """The text a reader sees without the readings."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<rt>.*?</rt>", "", html))


# --- the pure function ------------------------------------------------------------


def test_ruby_for_field_work():
    assert ruby_html("畑作業") == "<ruby>畑<rt>はたけ</rt></ruby><ruby>作業<rt>さぎょう</rt></ruby>"


def test_ruby_for_library_reads_toshokan_in_hiragana():
    html = str(ruby_html("図書館"))
    assert re.findall(r"<rt>(.*?)</rt>", html) == ["としょ", "かん"]
    assert _plain(html) == "図書館"


def test_only_kanji_get_readings_and_okurigana_stay_outside():
    assert ruby_html("本を読む") == "<ruby>本<rt>ほん</rt></ruby>を<ruby>読<rt>よ</rt></ruby>む"
    assert ruby_html("ホッとステーション") == "ホッとステーション"
    # Line breaks and spaces survive (MeCab drops some white space).
    assert _plain(str(ruby_html("今日は 雨\n明日 晴れ "))) == "今日は 雨\n明日 晴れ "


def test_input_is_escaped_before_anything_else():
    html = str(ruby_html('<script>alert("畑")</script><img src=x onerror=alert(1)>'))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and FIELD in html
    assert ruby_html("a & b <b>") == "a &amp; b &lt;b&gt;"


def test_readings_are_cached_per_text():
    furigana._ruby_cached.cache_clear()
    ruby_html("畑の草取り")
    before = furigana._ruby_cached.cache_info()
    ruby_html("畑の草取り")
    after = furigana._ruby_cached.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses


def test_markup_keeps_tags_attributes_fields_and_existing_ruby():
    html = (
        '<p title="畑">畑へ<a href="/x?a=1&amp;b=2">行く</a></p>'
        "<select><option>山武市</option></select><textarea>畑</textarea>"
        '<span data-no-furigana>畑</span><input translate="no">畑'
        "<ruby>畑<rt>はたけ</rt></ruby>&lt;b&gt;"
    )
    out = str(furigana_markup(html))
    assert out.startswith(
        f'<p title="畑">{FIELD}へ<a href="/x?a=1&amp;b=2"><ruby>行<rt>い</rt></ruby>く'
    )
    assert "<option>山武市</option>" in out and "<textarea>畑</textarea>" in out
    assert "<span data-no-furigana>畑</span>" in out
    assert out.endswith(f'<input translate="no">{FIELD}{FIELD}&lt;b&gt;')


def test_filter_and_block_tag_do_nothing_when_the_switch_is_off():
    template = Template(
        "{% load furigana %}{{ title|furigana:easy_ja }}|{% furigana %}<b>{{ title }}</b>{% endfurigana %}"
    )
    off = template.render(Context({"title": "<i>畑</i>", "easy_ja": False}))
    assert off == "&lt;i&gt;畑&lt;/i&gt;|<b>&lt;i&gt;畑&lt;/i&gt;</b>"
    on = template.render(Context({"title": "<i>畑</i>", "easy_ja": True}))
    assert on == f"&lt;i&gt;{FIELD}&lt;/i&gt;|<b>&lt;i&gt;{FIELD}&lt;/i&gt;</b>"


# --- the switch on the pages ------------------------------------------------------


@pytest.fixture
def field_work(db):
    return make_opportunity(title="畑作業のお手伝い")


def _switch(client, on: bool, next_url: str = "/opportunities/"):
    return client.post(reverse("easy_japanese"), {"on": "1" if on else "0", "next": next_url})


def test_switch_on_shows_ruby_in_titles_and_interface_and_off_removes_it(client, field_work):
    list_url = reverse("opportunity_list")
    body = client.get(list_url).content.decode()
    assert "<ruby>" not in body and 'aria-pressed="false"' in body

    response = _switch(client, True)
    assert response.status_code == 302 and response["Location"] == "/opportunities/"
    assert response.cookies[EASY_JA_COOKIE].value == "1"
    body = client.get(list_url).content.decode()
    assert (
        f"{FIELD}<ruby>作業<rt>さぎょう</rt></ruby>のお<ruby>手伝<rt>てつだ</rt></ruby>い" in body
    )
    assert "<ruby>活動<rt>かつどう</rt></ruby>をさがす" in body  # the menu and the heading
    assert 'aria-pressed="true"' in body
    # The form fields keep their values and options as they are.
    assert "<option" in body and "<option><ruby>" not in body

    detail = client.get(reverse("opportunity_detail", args=[field_work.code])).content.decode()
    assert "<h1>" + FIELD in detail and "<ruby>場所<rt>ばしょ</rt></ruby>" in detail

    _switch(client, False)
    assert "<ruby>" not in client.get(list_url).content.decode()


def test_switch_works_for_htmx_results_and_my_schedule(participant_client, field_work):
    participant_client.cookies[EASY_JA_COOKIE] = "1"
    partial = participant_client.get(
        reverse("opportunity_list"), {"kind": "volunteering"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and FIELD in partial
    schedule = participant_client.get(reverse("my_schedule")).content.decode()
    assert "<ruby>予定<rt>よてい</rt></ruby>" in schedule
    # From htmx, the whole page is reloaded with the new setting.
    response = participant_client.post(
        reverse("easy_japanese"), {"on": "0", "next": "/"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true" and response.cookies[EASY_JA_COOKIE].value == ""


def test_titles_typed_by_partners_stay_escaped_with_furigana(client, db):
    evil = make_opportunity(title='<script>alert("x")</script>畑')
    client.cookies[EASY_JA_COOKIE] = "1"
    for url in (reverse("opportunity_list"), reverse("opportunity_detail", args=[evil.code])):
        body = client.get(url).content.decode()
        assert '<script>alert("x")' not in body
        assert "&lt;script&gt;" in body and FIELD in body


def test_only_japanese_participant_pages_get_furigana(client, coach, field_work):
    client.cookies[EASY_JA_COOKIE] = "1"
    # Not a participant page: the login page and the coach's pages.
    assert "<ruby>" not in client.get(reverse("login")).content.decode()
    client.force_login(coach)
    body = client.get(reverse("coach_caseload")).content.decode()
    assert "<ruby>" not in body and 'name="on"' not in body
    client.logout()
    # The English interface: no readings and no switch.
    english = client.get(reverse("opportunity_list"), headers={"accept-language": "en"})
    assert english.content.decode().count("<ruby>") == 0
    assert 'name="on"' not in english.content.decode()


def test_switch_goes_back_only_to_this_site(client):
    response = _switch(client, True, next_url="https://evil.example/")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("easy_japanese")).status_code == 405


# --- phone layout, server side ------------------------------------------------------


def test_filters_wait_behind_one_button_unless_one_is_set(client, field_work):
    body = client.get(reverse("opportunity_list")).content.decode()
    assert '<details class="more-filters" data-open-when-wide>' in body
    assert body.index('name="q"') < body.index("<details")
    assert body.index("<details") < body.index('name="kind"') < body.index("</details>")
    body = client.get(reverse("opportunity_list"), {"kind": "volunteering"}).content.decode()
    assert '<details class="more-filters" data-open-when-wide open>' in body


def test_detail_shows_place_before_a_long_list_of_dates(participant_client, participant):
    opportunity = make_opportunity(title="畑の収穫", min_readiness=1)
    sessions = [
        make_session(opportunity=opportunity, starts_at=days_from_now(1 + i)) for i in range(11)
    ]
    body = participant_client.get(
        reverse("opportunity_detail", args=[opportunity.code])
    ).content.decode()
    assert body.index('id="place"') < body.index('id="place-map"') < body.index('id="sessions"')
    first, more = body.split('<details class="more-sessions"')
    assert all(f'id="session-{s.pk}"' in first for s in sessions[:8])
    assert all(f'id="session-{s.pk}"' in more for s in sessions[8:])
    assert more.startswith(">")  # closed: none of the later dates is hers
    assert "あと3件" in more

    # One of the later dates is hers: the rest is open.
    participant_client.post(reverse("session_signup", args=[sessions[9].pk]))
    body = participant_client.get(
        reverse("opportunity_detail", args=[opportunity.code])
    ).content.decode()
    assert '<details class="more-sessions" open>' in body


def test_a_short_list_of_dates_has_no_show_more(client, field_work):
    make_session(opportunity=field_work, starts_at=days_from_now(2) + timedelta(hours=1))
    body = client.get(reverse("opportunity_detail", args=[field_work.code])).content.decode()
    assert "more-sessions" not in body
