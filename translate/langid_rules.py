"""Orthographic and function-word evidence for the languages statistical detectors mix up.

Each rule scores how strongly the spelling of a text points at one language, from the
letters only that language's alphabet has (Uzbek oʻ gʻ and ў ҳ, Kazakh ә ұ і, Tajik ӣ ӯ ҷ,
Turkmen ň ý ž, ...) and from short lists of function words. The word lists are matched
after *folding* special letters to their Russian-keyboard look-alikes (қ→к, ў→у, oʻ→o),
because Kazakh and Uzbek are often typed without their own letters.

Scores are evidence, not decisions: ``translate.langid`` adds them to the detectors' votes.
``classify`` turns them into a decision on their own, for the benchmark.
"""

from __future__ import annotations

import re

from translate.langid_script import PreparedText

# --- folding --------------------------------------------------------------------------------

_CYRL_FOLD = str.maketrans("әғқңөұүһіўҳӣӯҷё", "агкноуухиухиуче")
_APOSTROPHES = "'’‘ʻʼ`´"
_LATN_FOLD = str.maketrans("", "", _APOSTROPHES)


def fold(word: str) -> str:
    """Lower-case ``word`` and replace letters that keyboards often lack by their look-alikes."""
    return word.lower().translate(_CYRL_FOLD).translate(_LATN_FOLD)


def _words(*lists: str) -> frozenset[str]:
    return frozenset(fold(word) for block in lists for word in block.split())


# --- function words (common grammar words, not topic words) ---------------------------------
# Folded lists: a text word counts if its folded form is in the list, so қолға and колга match.

FOLDED_WORDS: dict[str, frozenset[str]] = {
    "kk": _words(
        "және мен бен пен үшін туралы бойынша деп осы бұл бір екі үш жылы кезінде арасында бері"
        " болды болып болған бар жоқ емес тиіс сонымен қатар сондай ал ол олар оның оны оған"
        " бірақ керек кейін бастап дейін арқылы қайта тағы ғана әр барлық жөнінде сәйкес"
        " мұндай қазір шамамен көп сол өз өзі жылдың айында күні бойы"
    ),
    "ky": _words(
        "жана менен үчүн жөнүндө боюнча деп бул бир эки үч жылы учурда ортосунда бери"
        " болду болуп болгон бар жок эмес тийиш ошондой эле ал алар анын аны ага бирок керек"
        " кийин баштап чейин аркылуу кайра дагы гана ар бардык ылайык мындай азыр көп ошол өз"
    ),
    "uz": _words(
        "va bilan uchun haqida bo‘yicha tomonidan deb degan bu shu bir ikki uch yil yilda yili"
        " davomida orqali ham hamda esa emas yoki lekin ammo biroq keyin so‘ng oldin qadar"
        " bo‘lgan bo‘lib bo‘ldi qilib qilgan etildi etilgan nafar ko‘ra mazkur ushbu jami ortiq"
        " sifatida asosida yuzasidan uning ularning o‘z hozir barcha har"
        " ва билан учун ҳақида бўйича томонидан деб деган бу шу бир икки уч йил йилда йили"
        " давомида орқали ҳам ҳамда эса эмас ёки лекин аммо бироқ кейин сўнг олдин қадар"
        " бўлган бўлиб бўлди қилиб қилган этилди этилган нафар кўра мазкур ушбу жами ортиқ"
        " сифатида асосида юзасидан унинг уларнинг ўз ҳозир барча ҳар"
    ),
    "tg": _words(
        "ва дар аз ба бо ки барои ин онҳо шуд шуда буд карда намуда мебошад мешавад гардид"
        " худ ҳамчунин тибқи мувофиқи бояд нест ҳаст низ баъд пеш то вале аммо агар чунин"
        " ҳар якчанд беш зиёда"
    ),
}

# Exact lists: matched in their own spelling only.
EXACT_WORDS: dict[str, frozenset[str]] = {
    "ru": frozenset(
        "и в на не что по с за от для о об из к у как это был была были было его ее её который"
        " которая которые которых также при после года лет уже он она они их а но или же бы"
        " до под без чтобы более около между если только ещё еще время так этом том этого"
        " всех".split()
    ),
    "uk": frozenset(
        "і та що на не у в до від як для це було був була були які який яка також його її"
        " через після ще вже або але щоб між під час їх ці цей цього понад близько".split()
    ),
    # Only words Russian does not share (и, на, за... would make every Russian title Bulgarian).
    "bg": frozenset("се е са че като това който която които ще във със тя той към след беше също".split()),
    "en": frozenset(
        "the of and to in a is was for on that with by at from has have been after were are it"
        " its his her said their this who will which not an as be or had than but also more"
        " over into under about".split()
    ),
    "it": frozenset(
        "il la di da che e ed del della dei per un una con non sono è nel nella alla gli le lo"
        " ha ad su in a i o dopo anche stato stata sul dal dalla delle degli al ai più come"
        " tra fra questo questa era essere nei sulla".split()
    ),
    "tr": frozenset(
        "ve bir bu ile için olarak da de olan tarafından ki daha çok en gibi sonra önce ancak"
        " ise olduğu olduğunu kadar üzerine yapılan göre".split()
    ),
    "tk": frozenset(
        "we bilen üçin boýunça tarapyndan bu bir iki ýyl ýylda ýylyň hem bolsa ýaly soň öň"
        " görä barada üçin edildi etdi bolan ýa-da olar onuň".split()
    ),
    "az": frozenset("və bir bu ilə üçün olaraq da də olan tərəfindən ki daha çox görə sonra".split()),
    "fa": frozenset("و در به از که این را با است برای می آن یک شد شده بود نیز اما".split()),
    "ar": frozenset("في من على إلى أن التي الذي عن مع هذا هذه كان قد لا ما بين".split()),
    "ur": frozenset("کے کی میں ہے اور کو سے نے پر یہ ہیں تھا تھی".split()),
}

# --- letters that only some alphabets have ---------------------------------------------------

# Per language: (letters typical of it, expected share of all letters in running text).
MARKERS: dict[str, dict[str, tuple[str, float]]] = {
    "Cyrl": {
        "kk": ("әұіқғңөүһ", 0.09),
        "uz": ("ўқғҳ", 0.04),
        "tg": ("ӣӯҷҳқғ", 0.05),
        "ky": ("ңөү", 0.05),
        "uk": ("іїєґ", 0.06),
        "be": ("ўі", 0.06),
        # Russian has no letters of its own here (ы э ё are Kazakh, Kyrgyz, Uzbek too):
        # its evidence is its grammar, see _russian_grammar.
        "bg": ("ъ", 0.015),
        "sr": ("јљњђћџ", 0.02),
        "mk": ("јљњѓќѕ", 0.02),
        "tt": ("әөүҗңһ", 0.06),
        "ba": ("әөүҡғҙҫңһ", 0.06),
    },
    "Latn": {
        "tk": ("äňýžşçöü", 0.05),
        "tr": ("ığşçöü", 0.05),
        "az": ("ə", 0.02),
        "it": ("àèéìòù", 0.006),
    },
    "Arab": {
        "fa": ("پچژگکی", 0.05),
        "ar": ("ةيكأإ", 0.05),
        "ur": ("ٹڈڑںےھ", 0.05),
        "ps": ("ټډړښږځڅېۍ", 0.04),
    },
}

# Letters a language's alphabet lacks: their presence in quantity speaks against it.
FOREIGN: dict[str, str] = {
    "kk": "ўҳӣӯҷїєґјљњ",
    "uz": "ыщәұіңөүӣӯҷїєґ",
    "tg": "ыщцәұіңөүўїєґ",
    "ky": "әұіқғҳўӣӯҷїєґ",
    "uk": "ыэъёәұқғңөүўҳӣӯҷ",
    "be": "ищъәұқғңөүҳ",
    "ru": "әұіқғңөүһўҳӣӯҷїєґјљњђћџѓќѕ",
    "bg": "ыэёәұіқғңөүўҳӣӯҷїєґ",
    "tt": "ўҳқӣӯҷұі",
    "ba": "ўҳӣӯҷұі",
    "tk": "ığəqxw",
    "tr": "äňýžəqxw",
    "az": "äňýžw",
    "fa": "ةيك",
    "ar": "پچژگکی",
}

# Uzbek Latin: o or g followed by any apostrophe-like mark and a letter (oʻz, gʻisht), and
# the tutuq belgisi between a vowel and a consonant (maʼlum, eʼlon).
_UZ_APOSTROPHE = re.compile(
    r"(?i)(?:[og][" + _APOSTROPHES + r"][a-z]|[aeiou][" + _APOSTROPHES + r"][bdfghjklmnpqrstvxyz])"
)
_Q_NOT_U = re.compile(r"(?i)q(?!u)")

# Russian inflections (adjectives, verbs, nouns): frequent in any Russian sentence, rare in
# Turkic languages typed in Cyrillic, which is what matters when their special letters are missing.
_RU_ENDINGS = (
    "ого", "его", "ому", "ему", "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их",
    "ую", "юю", "ть", "ться", "тся", "ся", "ют", "ят", "ение", "ения", "ении",
    "ости", "ость", "ство", "ства", "ами", "ями", "ов", "ев", "ом", "ем", "ам", "ах", "ях",
    "ла", "ли", "ло", "ал", "ил", "ел", "ции", "цию",
)
# Letters of the Turkic and Tajik Cyrillic alphabets that Russian lacks.
_TURKIC_CYRILLIC = "әұіқғңөүһўҳӣӯҷ"
# Kyrgyz vowel harmony rounds suffixes (-нун, -дук, -гон, бузуп) and spells long vowels double.
_KYRGYZ_ENDINGS = re.compile(r"(?:нун|дун|тун|нүн|дүн|түн|гон|гөн|дук|дүк|тук|түк|лук|лүк|[уү]п)$")
_DOUBLE_VOWEL = re.compile(r"(?:уу|үү|оо|өө|ээ|ыы)")
# The same harmony seen inside words: a rounded vowel, consonants, then a rounded vowel again
# (Kyrgyz колго, бузуп) or an unrounded one (Kazakh колга, бузып, түсті typed тусти).
_C = "бвгджзйклмнпрстфхцчшщңқғһ"
_ROUNDED_THEN_ROUNDED = re.compile(f"[оөуү][{_C}]+[оөуү]")
_ROUNDED_THEN_UNROUNDED = re.compile(f"[оөуү][{_C}]+[ыіиаә]")
_VOWEL_END = tuple("aeiouàèéìòù")


def _density(text: str, letters: str, total: int) -> float:
    return sum(text.count(char) for char in letters) / total if total else 0.0


def _word_share(words: list[str], folded: list[str], lang: str) -> float:
    if not words:
        return 0.0
    if lang in FOLDED_WORDS:
        vocabulary = FOLDED_WORDS[lang]
        hits = sum(1 for word in folded if word in vocabulary)
    else:
        vocabulary = EXACT_WORDS[lang]
        hits = sum(1 for word in words if word in vocabulary)
    return hits / len(words)


def _russian_grammar(words: list[str]) -> float:
    """Share of words that are Russian function words or carry a Russian inflection."""
    if not words:
        return 0.0
    vocabulary = EXACT_WORDS["ru"]
    hits = sum(1 for word in words if word in vocabulary or (len(word) > 3 and word.endswith(_RU_ENDINGS)))
    return hits / len(words)


def _add(scores: dict[str, float], lang: str, value: float) -> None:
    scores[lang] = scores.get(lang, 0.0) + value


def _cyrillic_rules(text: str, words: list[str], total: int, scores: dict[str, float]) -> None:
    grammar = _russian_grammar(words)
    _add(scores, "ru", min(1.0, grammar / 0.35))
    kyrgyz = sum(1 for word in words if _KYRGYZ_ENDINGS.search(word)) + len(_DOUBLE_VOWEL.findall(text))
    if kyrgyz:
        _add(scores, "ky", min(0.6, kyrgyz / max(1.0, len(words) * 0.15)))
    # Several words and hardly any Russian grammar: not Russian, whatever the letters say.
    lack = min(1.0, max(0.0, (0.2 - grammar) / 0.1)) if len(words) >= 4 else 0.0
    if lack:
        _add(scores, "ru", -0.8 * lack)
        if _density(text, _TURKIC_CYRILLIC, total) < 0.005:
            # A Turkic language typed with Russian letters only. Uzbek has no ы; Kazakh
            # and Kyrgyz use it everywhere and differ in vowel harmony (no evidence
            # either way: Kazakh, the language of the region's sources).
            if _density(text, "ы", total) < 0.004:
                _add(scores, "uz", 1.0 * lack)
            else:
                ky_harmony = kyrgyz + len(_ROUNDED_THEN_ROUNDED.findall(text))
                kk_harmony = len(_ROUNDED_THEN_UNROUNDED.findall(text))
                winner, loser = ("ky", "kk") if ky_harmony > kk_harmony else ("kk", "ky")
                _add(scores, winner, 1.0 * lack)
                _add(scores, loser, -0.6 * lack)


def _latin_rules(text: str, words: list[str], scores: dict[str, float]) -> None:
    uz_marks = len(_UZ_APOSTROPHE.findall(text)) + len(_Q_NOT_U.findall(text))
    if uz_marks:
        _add(scores, "uz", min(1.0, uz_marks / max(1.0, len(words) * 0.15)))
    long_words = [word for word in words if len(word) >= 2]
    if len(long_words) >= 4:
        # Italian words end in a vowel (about 85% of them); English, Uzbek, Turkic words seldom do.
        vowel_end = sum(1 for word in long_words if word.endswith(_VOWEL_END)) / len(long_words)
        if vowel_end > 0.6:
            _add(scores, "it", min(0.6, (vowel_end - 0.6) / 0.25 * 0.6))


def rule_scores(prepared: PreparedText) -> dict[str, float]:
    """Evidence per language (about -1 to 2) from spelling and function words."""
    text = prepared.text.lower()
    total = prepared.letters
    if not total or prepared.script is None:
        return {}
    words = text.replace(".", " ").split()
    scores: dict[str, float] = {}
    for lang, (letters, expected) in MARKERS.get(prepared.script, {}).items():
        density = _density(text, letters, total)
        if density:
            scores[lang] = min(1.0, density / expected)
    folded = [fold(word) for word in words]
    for lang in sorted({*FOLDED_WORDS, *EXACT_WORDS} - {"ru"}):
        share = _word_share(words, folded, lang)
        if share:
            _add(scores, lang, min(1.0, share / 0.2))
    if prepared.script == "Cyrl":
        _cyrillic_rules(text, words, total, scores)
    elif prepared.script == "Latn":
        _latin_rules(text, words, scores)
    for lang, letters in FOREIGN.items():
        if scores.get(lang, 0.0) > 0:
            foreign = _density(text, letters, total)
            if foreign > 0.004:
                scores[lang] *= max(0.0, 1.0 - foreign * 40)
    return {lang: round(score, 4) for lang, score in scores.items() if score}


def foreign_factor(prepared: PreparedText, lang: str) -> float:
    """1.0, falling towards 0 as the text fills with letters ``lang``'s alphabet lacks."""
    letters = FOREIGN.get(lang)
    if not letters or not prepared.letters:
        return 1.0
    foreign = _density(prepared.text.lower(), letters, prepared.letters)
    return 1.0 if foreign <= 0.004 else max(0.1, 1.0 - foreign * 25)


def classify(prepared: PreparedText) -> str | None:
    """The rules' own answer (for the benchmark): the best-scoring language, None if none."""
    scores = {lang: score for lang, score in rule_scores(prepared).items() if score > 0}
    if not scores:
        return None
    return max(sorted(scores), key=scores.__getitem__)
