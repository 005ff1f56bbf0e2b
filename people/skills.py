"""The bilingual vocabulary of skills and interests.

Profiles store the Japanese label (what coaches typed before the vocabulary
existed); ``term_label`` shows a term in the active language and matching reads
both labels. Terms outside the vocabulary are shown as typed.

A term typed in English (``"gardening"``) is stored as its Japanese label
(``"園芸"``) by ``canonical_term``; lookups ignore case and surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

SKILL = "skill"
INTEREST = "interest"


@dataclass(frozen=True)
class Term:
    key: str
    ja: str
    en: str
    group: str
    kinds: frozenset[str]
    # Other English spellings that mean the same term (typed input, old data).
    aliases: tuple[str, ...] = field(default=())

    def label(self, language: str | None) -> str:
        return self.en if (language or "").startswith("en") else self.ja


# Groups in the order the profile page shows them.
GROUPS: dict[str, object] = {
    "outdoor": _("外の仕事・体を動かす"),
    "food": _("食べもの・料理"),
    "tidy": _("そうじ・片付け・軽作業"),
    "people": _("人と関わる"),
    "office": _("パソコン・事務"),
    "hands": _("手仕事・ものづくり"),
    "nature": _("自然・生きもの"),
    "hobby": _("趣味・好きなこと"),
}

S, IN, B = frozenset({SKILL}), frozenset({INTEREST}), frozenset({SKILL, INTEREST})

# (key, ja, en, group, kinds, aliases)
_TERMS: list[tuple] = [
    # 外の仕事・体を動かす
    ("farm_work", "農作業", "Farm work", "outdoor", B, ("farming work",)),
    ("agriculture", "農業", "Agriculture", "outdoor", IN, ("farming",)),
    ("field", "畑", "Vegetable fields", "outdoor", IN, ("fields",)),
    ("vegetables", "野菜", "Vegetables", "outdoor", IN, ()),
    ("weeding", "草取り", "Weeding", "outdoor", S, ()),
    ("mowing", "草刈り", "Mowing grass", "outdoor", S, ("mowing",)),
    ("brush_cutter", "刈払機", "Brush cutter", "outdoor", S, ()),
    ("chainsaw", "チェーンソー", "Chainsaw", "outdoor", S, ()),
    ("heavy_work", "力仕事", "Physical work", "outdoor", S, ("heavy lifting", "lifting")),
    ("stamina", "体力", "Stamina", "outdoor", S, ()),
    ("driving", "運転", "Driving", "outdoor", S, ()),
    ("fishing_trade", "漁業", "Fishing (trade)", "outdoor", B, ()),
    # 食べもの・料理
    ("cooking", "調理", "Cooking", "food", S, ("cook",)),
    ("food", "料理", "Food and cooking", "food", IN, ("food",)),
    ("baking", "お菓子作り", "Baking sweets", "food", B, ("baking",)),
    ("dishwashing", "皿洗い", "Washing dishes", "food", S, ()),
    ("hygiene", "衛生管理", "Food hygiene", "food", S, ("hygiene",)),
    ("coffee", "コーヒー", "Coffee", "food", B, ()),
    ("cafe", "カフェ", "Cafés", "food", IN, ("café", "cafe")),
    ("kids_cafeteria", "子ども食堂", "Children's cafeteria", "food", IN, ()),
    # そうじ・片付け・軽作業
    ("cleaning", "清掃", "Cleaning", "tidy", S, ()),
    ("tidying", "整理整頓", "Keeping things tidy", "tidy", S, ()),
    ("clearing_up", "片付け", "Clearing up", "tidy", B, ()),
    ("storage", "収納", "Storage and organising", "tidy", IN, ()),
    ("sorting", "仕分け", "Sorting", "tidy", S, ()),
    ("packing", "梱包", "Packing", "tidy", S, ()),
    ("shelf_stocking", "品出し", "Stocking shelves", "tidy", S, ()),
    ("recycling", "リサイクル", "Recycling", "tidy", IN, ()),
    # 人と関わる
    ("customer_service", "接客", "Customer service", "people", S, ()),
    ("cashier", "レジ", "Cash register", "people", S, ("till",)),
    ("reception", "受付", "Reception desk", "people", S, ()),
    ("listening", "傾聴", "Listening to people", "people", S, ()),
    ("chatting", "おしゃべり", "Chatting", "people", B, ()),
    ("with_children", "子どもと関わる", "Working with children", "people", S, ()),
    ("children", "子ども", "Children", "people", IN, ()),
    ("teaching", "勉強を教える", "Teaching", "people", S, ("tutoring",)),
    ("care", "介護の経験", "Care experience", "people", S, ()),
    ("english", "英語", "English", "people", S, ()),
    ("phone", "電話応対", "Answering the phone", "people", S, ()),
    ("punctual", "時間を守る", "Being on time", "people", S, ("punctuality",)),
    # パソコン・事務
    ("computer", "パソコン", "Computers", "office", B, ("computer", "pc")),
    ("typing", "タイピング", "Typing", "office", S, ()),
    ("data_entry", "入力作業", "Computer input", "office", S, ("data entry",)),
    ("excel", "Excel", "Excel", "office", S, ()),
    ("office_work", "事務", "Office work", "office", S, ()),
    ("arithmetic", "計算", "Arithmetic", "office", S, ()),
    ("programming", "プログラミング", "Programming", "office", B, ()),
    ("online_selling", "ネット販売", "Selling online", "office", B, ()),
    ("handwriting", "字を書く", "Handwriting", "office", S, ()),
    # 手仕事・ものづくり
    ("handwork", "手先の作業", "Handwork", "hands", S, ()),
    ("careful_work", "丁寧な作業", "Careful work", "hands", S, ()),
    ("concentration", "集中力", "Concentration", "hands", S, ()),
    ("crafts", "手芸", "Crafts", "hands", B, ()),
    ("sewing", "裁縫", "Sewing", "hands", S, ()),
    ("woodwork", "木工", "Woodwork", "hands", B, ("woodworking",)),
    ("diy", "DIY", "DIY", "hands", B, ()),
    ("tools", "工具", "Tools", "hands", S, ()),
    ("machines", "機械の操作", "Operating machines", "hands", S, ()),
    ("repair", "電気製品の修理", "Repairing appliances", "hands", S, ()),
    ("painting_walls", "ペンキ塗り", "Painting (walls)", "hands", S, ()),
    ("illustration", "イラスト", "Illustration", "hands", B, ()),
    ("drawing", "絵", "Drawing", "hands", B, ("drawing",)),
    ("photography", "写真", "Photography", "hands", B, ("photos",)),
    # 自然・生きもの
    ("animal_care", "動物の世話", "Caring for animals", "nature", S, ()),
    ("animals", "動物", "Animals", "nature", IN, ()),
    ("cats", "猫", "Cats", "nature", IN, ()),
    ("gardening", "園芸", "Gardening", "nature", B, ()),
    ("flowers", "花", "Flowers", "nature", IN, ()),
    ("sea", "海", "The sea", "nature", IN, ()),
    ("fish", "魚", "Fish", "nature", IN, ()),
    ("fishing", "釣り", "Fishing", "nature", IN, ()),
    ("outdoors", "アウトドア", "The outdoors", "nature", IN, ()),
    ("walking", "散歩", "Walking", "nature", IN, ()),
    ("hiking", "ハイキング", "Hiking", "nature", IN, ()),
    ("quiet_places", "静かな場所", "Quiet places", "nature", IN, ()),
    # 趣味・好きなこと
    ("books", "本", "Books", "hobby", IN, ()),
    ("reading", "読書", "Reading", "hobby", IN, ()),
    ("library", "図書館", "Libraries", "hobby", IN, ()),
    ("games", "ゲーム", "Games", "hobby", IN, ()),
    ("board_games", "ボードゲーム", "Board games", "hobby", IN, ()),
    ("shogi", "将棋", "Shogi", "hobby", B, ()),
    ("music", "音楽", "Music", "hobby", IN, ()),
    ("history", "歴史", "History", "hobby", IN, ()),
    ("temples", "お寺", "Temples", "hobby", IN, ()),
    ("festivals", "祭り", "Festivals", "hobby", IN, ()),
    ("cars", "車", "Cars", "hobby", IN, ()),
    ("surfing", "サーフィン", "Surfing", "hobby", IN, ()),
    ("soccer", "サッカー", "Soccer", "hobby", IN, ("football",)),
    ("baseball", "野球", "Baseball", "hobby", IN, ()),
    ("church", "教会", "Church", "hobby", IN, ()),
    ("travel", "旅行", "Travel", "hobby", IN, ()),
]

TERMS: tuple[Term, ...] = tuple(
    Term(key=k, ja=ja, en=en, group=g, kinds=kinds, aliases=aliases)
    for k, ja, en, g, kinds, aliases in _TERMS
)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}
_BY_LABEL: dict[str, Term] = {}
for _term in TERMS:
    for _label in (_term.ja, _term.en, *_term.aliases):
        _BY_LABEL.setdefault(_fold(_label), _term)


def term_lookup(term: str) -> Term | None:
    """The vocabulary entry for a key, a Japanese or an English label (or None)."""
    if not term:
        return None
    return _BY_KEY.get(term) or _BY_LABEL.get(_fold(term))


def canonical_term(term: str) -> str:
    """What a profile stores for ``term``: its Japanese label when the vocabulary
    knows it (in either language), else the text as typed, trimmed."""
    found = term_lookup(term)
    return found.ja if found else " ".join(term.split())


def canonical_terms(terms: Iterable[str]) -> list[str]:
    """``canonical_term`` of each, without blanks or repeats, in order."""
    return list(dict.fromkeys(c for c in (canonical_term(t) for t in terms) if c))


def term_label(term: str) -> str:
    """``term`` in the active language (as typed when unknown)."""
    found = term_lookup(term)
    if found is None:
        return term
    return found.label(translation.get_language())


def term_labels_all(term: str) -> list[str]:
    """Every label of ``term`` (Japanese first, then English); for matching, so
    a posting in either language meets the person's words."""
    found = term_lookup(term)
    if found is None:
        cleaned = term.strip()
        return [cleaned] if cleaned else []
    return list(dict.fromkeys([found.ja, found.en]))


def terms_grouped(kind: str) -> list[tuple[str, object, list[Term]]]:
    """``(group key, group name, terms)`` of one kind (SKILL or INTEREST), in page order."""
    grouped = []
    for key, name in GROUPS.items():
        members = [t for t in TERMS if t.group == key and kind in t.kinds]
        if members:
            grouped.append((key, name, members))
    return grouped
