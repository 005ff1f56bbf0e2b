"""What a person says about the setting they can cope with, and what a posting
says about its setting: quiet and alone, with people, physically heavy.

Sentence embeddings are poor at this: 「人と話すのは苦手」 sits close to 「人と
話す仕事」 because negation barely moves the vector. Coaches care about it most,
so a short list of phrases (Japanese and English, as participants and partners
actually write them) catches the common cases, and the match can say why.
"""

from dataclasses import dataclass

QUIET = "quiet"
SOCIAL = "social"
PHYSICAL = "physical"

# Cues in a posting's title, description and skills.
POSTING_CUES = {
    QUIET: (
        "静か",
        "一人で",
        "ひとりで",
        "黙々",
        "もくもく",
        "自分のペース",
        "奥の作業場",
        "作業場で",
        "裏側",
        "バックヤード",
        "人が少な",
        "お客さんの来ない",
        "お客さんはいない",
        "事務室",
        "quiet",
        "alone",
        "on your own",
        "own pace",
        "back room",
        "back office",
        "nobody will ask",
        "no phone",
    ),
    SOCIAL: (
        "接客",
        "お客さん",
        "お客様",
        "話し相手",
        "おしゃべり",
        "声をかけ",
        "声かけ",
        "案内",
        "受付",
        "レジ",
        "にぎや",
        "みんなで",
        "配膳",
        "ホール",
        "電話",
        "観光客",
        "参加者のそば",
        "customer",
        "greet",
        "chat",
        "serve",
        "serving",
        "reception",
        "front desk",
        "guests",
        "lively",
        "phone",
        "visitors",
        "tourists",
    ),
    PHYSICAL: (
        "力仕事",
        "重い",
        "運搬",
        "体力",
        "運ぶ",
        "運び出",
        "立ち仕事",
        "体を使う",
        "体を動かす",
        "積み込み",
        "薪割り",
        "physical",
        "heavy",
        "carry",
        "carrying",
        "stamina",
        "lifting",
        "load and unload",
    ),
}

# What a person writes about themselves. "avoid" wins over "like" for the same
# trait (「話すのは苦手ですが、黙々と作業するのは好き」 avoids SOCIAL, likes QUIET).
PERSON_LIKES = {
    QUIET: (
        "静かな",
        "静かに",
        "一人で",
        "ひとりで",
        "黙々",
        "もくもく",
        "決まった手順",
        "自分のペース",
        "quiet",
        "work alone",
        "working alone",
        "on my own",
        "routine",
    ),
    SOCIAL: (
        "話すのが好き",
        "話すのも好き",
        "話すのもすき",
        "話すのが得意",
        "話すのは嫌いではない",
        "にぎやかな所が好き",
        "にぎやかな場所が好き",
        "人と接する",
        "おしゃべりが好き",
        "接客していた",
        "接客の経験",
        "talking with",
        "talking to",
        "chatting",
        "people person",
        "like people",
        "sociable",
    ),
    PHYSICAL: (
        "力仕事もできます",
        "力仕事が得意",
        "体を動かすこと",
        "体はまだよく動く",
        "体力には自信",
        "physical work",
        "outdoors with my hands",
        "standing all day",
        "fit and strong",
    ),
}
PERSON_AVOIDS = {
    SOCIAL: (
        "話すのは苦手",
        "話すのが苦手",
        "話すと疲れ",
        "話すとすごく疲れ",
        "人が多い",
        "人が苦手",
        "人込み",
        "人混み",
        "にぎやかな場所は",
        "にぎやかな所は",
        "大きい音",
        "大きな音",
        "大きな声",
        "大きな こえ",
        "電話は苦手",
        "電話が苦手",
        "話すのは少し苦手",
        "人がたくさんいる",
        "loud",
        "crowd",
        "noisy",
        "don't like phone",
        "anxious around people",
        "shy",
    ),
    PHYSICAL: (
        "重い物は持てない",
        "重いものは持てない",
        "重い物は持て",
        "重いものは持て",
        "腰を痛め",
        "体力に自信がない",
        "体力がない",
        "can't lift",
        "cannot lift",
        "bad back",
        "hurt my back",
    ),
}


@dataclass(frozen=True)
class PersonTraits:
    likes: frozenset[str]
    avoids: frozenset[str]


def _found(text: str, cues: tuple[str, ...]) -> bool:
    return any(cue in text for cue in cues)


def posting_traits(text: str) -> frozenset[str]:
    text = text.lower()
    return frozenset(trait for trait, cues in POSTING_CUES.items() if _found(text, cues))


def person_traits(text: str) -> PersonTraits:
    text = text.lower()
    avoids = {trait for trait, cues in PERSON_AVOIDS.items() if _found(text, cues)}
    likes = {
        trait for trait, cues in PERSON_LIKES.items() if _found(text, cues) and trait not in avoids
    }
    if SOCIAL in avoids:
        likes.add(QUIET)  # someone worn out by people is better off somewhere quiet
    return PersonTraits(frozenset(likes), frozenset(avoids))


def setting_fit(person: PersonTraits, posting: frozenset[str]) -> tuple[float, list[str]]:
    """-1 (the setting is what the person avoids) … +1 (what they asked for),
    with the traits behind it: ("+quiet", "-social", ...)."""
    score, why = 0.0, []
    for trait in sorted(person.avoids & posting):
        # A quiet back room with one customer-facing word is still mostly quiet.
        if trait == SOCIAL and QUIET in posting:
            continue
        score -= 1.0
        why.append(f"-{trait}")
    for trait in sorted(person.likes & posting):
        score += 0.5
        why.append(f"+{trait}")
    return max(-1.0, min(1.0, score)), why
