"""The search's prefilter (issue 11): postings far from the text are dropped
before their rows are read, using a per-process cache of each posting's
haystack keyed by its text in the database, so an edit is seen at once."""

import pytest

from matching.selectors import opportunities_search
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


def titles(query: str, **kwargs) -> set[str]:
    return {m.opportunity.title for m in opportunities_search(query=query, limit=None, **kwargs)}


def test_an_edit_that_bypasses_save_is_seen_by_the_next_search(farm_lover, postings):
    farm = postings["farm"]
    assert farm.title not in titles("ピアノ")  # nothing embedded: words only
    # A bulk update leaves updated_at alone; the cache must not serve the old text.
    Opportunity.objects.filter(pk=farm.pk).update(description="ピアノの調律を手伝います。")
    assert titles("ピアノ") == {farm.title}
    assert titles("ピアノ", participant=farm_lover) == {farm.title}
    Opportunity.objects.filter(pk=farm.pk).update(description="静かな畑で作業します。")
    assert titles("ピアノ") == set()


def test_a_search_reads_only_the_matching_rows(farm_lover, postings, django_assert_max_num_queries):
    opportunities_search(query="水やり", participant=farm_lover)  # texts now cached
    with django_assert_max_num_queries(5) as captured:
        results = opportunities_search(query="水やり", participant=farm_lover)
    assert [m.opportunity.title for m in results] == ["夕方の畑の水やり"]
    # availability, candidate ids, their similarity and text key, the kept
    # postings, their sessions; the person's vectors are not read for a search.
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "matching_participantembedding" not in sql
    assert '"opportunities_opportunity"."description"' in captured.captured_queries[3]["sql"]


def test_the_database_counts_japanese_words_and_english_ones_are_checked_whole(postings):
    farm, office = postings["farm"], postings["office"]
    # Japanese: a word in the text, in the skills, or in the kind's words is found.
    assert titles("収穫") >= {farm.title}
    assert farm.title in titles("農作業")  # only in KIND_WORDS of farm_welfare
    # English: "art" inside "start" is a substring, not a word; "arts" is the word.
    Opportunity.objects.filter(pk=farm.pk).update(description="We start early in the field.")
    Opportunity.objects.filter(pk=office.pk).update(description="Arts and crafts with the kids.")
    assert titles("art") == {office.title}
    # LIKE wildcards in the text are plain characters.
    assert titles("%_%") == set()
