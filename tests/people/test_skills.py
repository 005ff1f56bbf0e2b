"""The bilingual vocabulary of skills and interests (people/skills.py): labels
in the reader's language, English input stored as the Japanese label, both
labels used by matching, and shown translated on the pages."""

import pytest
from django.utils import translation

from devtools import demo_data
from matching.services import participant_document, participant_own_text, participant_terms
from people import skills
from people.models import User
from tests.builders import make_participant, make_user


def test_each_key_and_label_is_unique_and_both_languages_are_filled():
    keys = [t.key for t in skills.TERMS]
    assert len(keys) == len(set(keys))
    assert 40 <= len(skills.TERMS) <= 100
    assert len({t.ja for t in skills.TERMS}) == len(skills.TERMS)
    for term in skills.TERMS:
        assert term.ja and term.en and term.group in skills.GROUPS and term.kinds


def test_term_label_follows_the_active_language():
    with translation.override("en"):
        assert skills.term_label("調理") == "Cooking"
        assert skills.term_label("動物の世話") == "Caring for animals"
        assert skills.term_label("薪ストーブ") == "薪ストーブ"  # unknown: as typed
    with translation.override("ja"):
        assert skills.term_label("調理") == "調理"
        assert skills.term_label("gardening") == "園芸"  # old English data reads in Japanese


def test_english_input_is_stored_as_the_japanese_label():
    assert skills.canonical_term("  Gardening ") == "園芸"
    assert skills.canonical_term("café") == "カフェ"
    assert skills.canonical_term("computer input") == "入力作業"
    assert skills.canonical_term("Farm work") == "農作業"
    assert skills.canonical_term("薪  ストーブ") == "薪 ストーブ"
    assert skills.canonical_terms(["cooking", "調理", "", "Cooking"]) == ["調理"]


def test_term_labels_all_gives_both_languages():
    assert skills.term_labels_all("園芸") == ["園芸", "Gardening"]
    assert skills.term_labels_all("gardening") == ["園芸", "Gardening"]
    assert skills.term_labels_all("DIY") == ["DIY"]
    assert skills.term_labels_all("薪ストーブ") == ["薪ストーブ"]
    assert skills.term_labels_all("  ") == []


def test_the_vocabulary_covers_most_words_of_the_demo_profiles():
    words = {w for p in demo_data.PARTICIPANTS for w in [*p["skills"], *p["interests"]]}
    known = {w for w in words if skills.term_lookup(w)}
    assert len(known) / len(words) >= 0.7, sorted(words - known)


@pytest.mark.django_db
def test_matching_reads_both_labels_but_judges_her_language_by_her_own_words():
    person = make_participant(skills=["調理"], interests=["gardening"], self_description="")
    assert participant_terms(person) == ["園芸", "Gardening", "調理", "Cooking"]
    document = participant_document(person)
    assert "Gardening" in document and "調理" in document and "Cooking" in document
    assert participant_own_text(person) == "gardening、調理"


@pytest.mark.django_db
def test_the_coach_page_shows_terms_in_the_coachs_language(client, coach):
    person = make_participant(coach=coach, skills=["調理", "薪ストーブ"], interests=["園芸"])
    coach.language = User.Language.EN
    coach.save()
    client.force_login(coach)
    html = client.get(f"/coach/participants/{person.code}/").content.decode()
    assert "Cooking、薪ストーブ" in html
    assert "Gardening" in html


@pytest.mark.django_db
def test_the_posting_page_shows_its_skills_in_the_readers_language(client, opportunity_en):
    reader = make_user(language="en")
    make_participant(user=reader)
    client.force_login(reader)
    html = client.get(f"/opportunities/{opportunity_en.code}/").content.decode()
    assert "Cooking" in html and "調理" not in html.split("Cooking")[0][-50:]


@pytest.fixture
def opportunity_en(db):
    from tests.builders import make_opportunity

    return make_opportunity(skills=["調理"])
