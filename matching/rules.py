"""Small pure rules of matching: distance, weekly schedules, keyword overlap.
The readiness rule lives with the ladder, in people.readiness."""

import math
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import time

# Mean Earth radius (IUGG), the usual choice for great-circle distances.
EARTH_RADIUS_KM = 6371.0088


def distance_km(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """Great-circle (haversine) distance, or None when either place is unknown."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class WeeklySlot:
    """A weekly time range: 0 = Monday, local wall-clock times."""

    weekday: int
    start: time
    end: time

    @property
    def minutes(self) -> int:
        return _minutes(self.end) - _minutes(self.start)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def overlap_minutes(a: WeeklySlot, b: WeeklySlot) -> int:
    if a.weekday != b.weekday:
        return 0
    return max(0, min(_minutes(a.end), _minutes(b.end)) - max(_minutes(a.start), _minutes(b.start)))


@dataclass(frozen=True)
class ScheduleFit:
    """How the sessions of an opportunity sit in a person's week.

    ``fraction`` is the best share of one session that falls inside the person's
    availability (1.0 = a whole session fits); ``full_slots`` are the sessions that
    fit completely and ``partial_slots`` those that overlap only in part."""

    fraction: float
    full_slots: tuple[WeeklySlot, ...]
    partial_slots: tuple[WeeklySlot, ...]

    @property
    def feasible(self) -> bool:
        # A partial overlap is still feasible: the person can come for part of it
        # (the judges' scale grades it "good, with one soft weakness").
        return self.fraction > 0


def schedule_fit(sessions: Iterable[WeeklySlot], availability: Iterable[WeeklySlot]) -> ScheduleFit:
    availability = list(availability)
    best = 0.0
    full, partial = [], []
    for session in dict.fromkeys(sessions):  # keeps order, drops repeated weeks
        if session.minutes <= 0:
            continue
        inside = sum(overlap_minutes(session, slot) for slot in availability)
        share = min(1.0, inside / session.minutes)
        if share >= 0.999:
            full.append(session)
        elif share > 0:
            partial.append(session)
        best = max(best, share)
    return ScheduleFit(best, tuple(full), tuple(partial))


def bigrams(text: str) -> set[str]:
    """Keyword tokens that work without a Japanese segmenter.

    Japanese has no spaces, so each run of Japanese script becomes character
    bigrams, which catch most two-character words (畑作, 調理, 清掃); bigrams made
    only of hiragana are dropped because they are mostly grammar (です, して).
    Latin-script words stay whole words (a plural "s" removed), since English
    bigrams such as "in" or "er" match everything.
    """
    grams: set[str] = set()
    for chunk in _TOKEN.findall(text.lower()):
        if chunk.isascii():
            if len(chunk) > 2 and chunk not in _ENGLISH_STOP:
                grams.add(chunk[:-1] if chunk.endswith("s") and len(chunk) > 3 else chunk)
            continue
        if len(chunk) == 1 and not _is_hiragana(chunk):
            grams.add(chunk)
        for i in range(len(chunk) - 1):
            pair = chunk[i : i + 2]
            if not (_is_hiragana(pair[0]) and _is_hiragana(pair[1])):
                grams.add(pair)
    return grams


# Runs of Latin letters/digits, or runs of Japanese script (kana, kanji, long vowel mark).
_TOKEN = re.compile(r"[a-z0-9]+|[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff\u30fc々〆]+")
_ENGLISH_STOP = frozenset(
    "the and for with you your are was were can not but from this that have has all any into "
    "our out who what when will one two some more most they them their its just like want".split()
)


def _is_hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def containment(needle: AbstractSet[str], haystack: AbstractSet[str]) -> float:
    """Share of the needle's bigrams found in the haystack (asymmetric: a short
    query or an interest is "in" a long description, Jaccard would punish length)."""
    if not needle:
        return 0.0
    return len(needle & haystack) / len(needle)


_JAPANESE_CHAR = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def japanese_share(text: str) -> float:
    """How Japanese a text is, 0 (English) … 1: Japanese characters against
    English words counted as two characters each (a word carries about as much
    as two kanji). 0.5 for a text with neither."""
    ja = len(_JAPANESE_CHAR.findall(text))
    en = 2 * len(_LATIN_WORD.findall(text))
    return ja / (ja + en) if ja + en else 0.5
