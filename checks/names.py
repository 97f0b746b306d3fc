"""Names: a capitalised name of the source missing from the translation.

A name is a capitalised word that does not open the sentence (nor follow a
colon or a quotation mark, where any word is capitalised), not in capitals
(acronyms are translated: UN is ONU), not a month or weekday (the date check
has those), and not inside a glossary term (its rendering is checked there).
It is there in the translation when a word of the translation is the same
without accents and case, or close to it (difflib ratio): "Londres" for
London, "Comissão" for Commission, "Parlamento" for Parliament. Countries and
languages go by another name in the target language (England, Inglaterra;
English, inglês), which CLDR (through babel) knows.

With a back translation (the service's default where a reverse model is
installed) more words are asked for, each where the back translation can tell
a loss from a translation: a capitalised common word standing alone (Waters
said), one beside a word of its name kept as written (Game of Thrones, Long
Lartin), and the words of a quoted nickname ("Don Goyo"); and with or without
one the words of names still missing are translated alone by the model, in
one call, to see whether the target has them translated (Counter: contador,
Cologne: Colônia).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache
from os.path import commonprefix
from pathlib import Path

import regex

from checks.findings import WARNING, Finding, Pair
from translation import lexicon
from checks.text import POSSESSIVE, calendar_names, cldr, fold, quote, word_list, words

COMMON_WORDS = Path(__file__).resolve().parent / "data" / "common_words.txt"
# Close enough to be the same name, measured on folded words ("theresa"/"teresa" 0.93, "commission"/"comissao" 0.78).
SIMILAR = 0.75
# Titles before a name, abbreviated or not ("Sen. Chris Coons", "Det Insp Bob Blemmings").
# Offices written before a name or on their own ("Detective Inspector Brian O'Hagan", "Shadow Chancellor John
# McDonnell", "the Coroner's Office") are translated as words: "o investigador", "ministro-sombra".
TITLES = {
    "rev",
    "sen",
    "sens",
    "rep",
    "reps",
    "gov",
    "gen",
    "capt",
    "lt",
    "col",
    "sgt",
    "det",
    "insp",
    "supt",
    "prof",
    "st",
    "jr",
    "sr",
    "mt",
    "ft",
    "cllr",
    "hon",
    "president",
    "vice",
    "minister",
    "chancellor",
    "secretary",
    "senator",
    "congressman",
    "congresswoman",
    "governor",
    "mayor",
    "judge",
    "justice",
    "detective",
    "inspector",
    "sergeant",
    "constable",
    "superintendent",
    "commissioner",
    "coroner",
    "officer",
    "captain",
    "lieutenant",
    "colonel",
    "general",
    "admiral",
    "professor",
    "doctor",
    "chairman",
    "chairwoman",
    "spokesman",
    "spokeswoman",
    "ambassador",
    "prince",
    "princess",
    "king",
    "queen",
    "lord",
    "lady",
    "pope",
    "bishop",
    "archbishop",
    "cardinal",
    "deputy",
    "chief",
    "councillor",
    # clergy, before a name or for one: Father Johnson is "pastor Johnson", "padre Johnson"
    "father",
    "reverend",
    "pastor",
    "rabbi",
    "imam",
    "sister",
    "brother",
}
# Capitalised words that are not names: titles and words English capitalises.
NOT_NAMES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "i",
    "i'm",
    "i've",
    "i'll",
    "i'd",
    "ok",
    "tv",
    # the compass (COMPASS), which English capitalises for regions (the Southwest) and other languages do not
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "northern",
    "southern",
    "eastern",
    "western",
}
COMPASS = {w for w in NOT_NAMES if regex.search("north|south|east|west", w)}
_POSSESSIVE_S = regex.compile(r"['’]s$")  # "Burt's" is Burt, but "Waters'" stays Waters'
_CAPITALISED = regex.compile(r"(?<![\p{L}\p{N}'’\-])\p{Lu}[\p{Ll}'’\-]*\p{Ll}[\p{L}'’\-]*")
# Where any word takes a capital: the start, after a sentence end, a colon, an opening quote or bracket (not a
# closing one: in `…," Hammel said` Hammel is a name).
_OPENING = regex.compile(r"(?:^|[.!?:;…]\s+|(?:^|\s)[\"“‘'«(\[]|\s[-–—]\s+)$")
# A quotation of one or two capitalised words and nothing else is a name: a nickname or a title ("Don Goyo",
# "Tornado" officers, "Hans" Geiger), not the start of a quoted sentence.
_QUOTED_NAME = regex.compile(r"(?<=[\"“‘«])\p{Lu}[\p{L}'’\-]*(?: \p{Lu}[\p{L}'’\-]*)?(?=[,.]?[\"”’»])")


# Other English names of CLDR territories, which CLDR lists under one name only.
# CLDR now names TR "Türkiye" in English; news still writes Turkey.
ALIASES = {"en": {"britain": "GB", "uk": "GB", "america": "US", "holland": "NL", "turkey": "TR"}}
# The nations of the United Kingdom are no CLDR territories; their names in the target language, by language.
NATIONS = {
    ("en", "pt"): {
        "scotland": "Escócia",
        "wales": "País de Gales",
        "england": "Inglaterra",
        "ireland": "Irlanda",
        "britain": "Grã-Bretanha",
        "britons": "britânicos",
    }
}
# A demonym shares the start of its country's or language's name (Spaniard, Spanish; Swede, Swedish; Korean,
# Korea): a word sharing at least this many letters with a name CLDR knows goes by that name's words (four would
# take Cologne for Colombia).
DEMONYM_PREFIX = 5


class Exonyms(dict):
    """`exonyms`' table, its names also indexed by their first DEMONYM_PREFIX letters: the only names a demonym
    can go by (`exonym_words`), found without comparing the word with every name (half the checks' time)."""

    def __init__(self, table: dict[str, set[str]]):
        super().__init__(table)
        self.by_prefix: dict[str, list[str]] = {}
        for name in self:
            self.by_prefix.setdefault(name[:DEMONYM_PREFIX], []).append(name)


@lru_cache(maxsize=8)
def exonyms(source: str, target: str) -> Exonyms:
    """Folded word of a country, territory or language name in `source` -> the folded words of its name in `target`.
    Words of two letters or fewer are left out of the renderings: "Hong Kong SAR China" is "RAE de Hong Kong da
    China", and "da" must not stand for China."""
    out: dict[str, set[str]] = {}
    src, tgt = cldr(source), cldr(target)
    if src is None or tgt is None:
        return Exonyms(out)

    def add(word: str, rendering: str) -> None:
        out.setdefault(word, set()).update(w for w in word_list(rendering) if len(w) > 2)

    for table, other in ((src.territories, tgt.territories), (src.languages, tgt.languages)):
        for code, name in table.items():
            if code in other:
                for word in word_list(name):
                    add(word, other[code])
    for alias, code in ALIASES.get(source, {}).items():
        add(alias, tgt.territories[code])
    for word, name in NATIONS.get((source, target), {}).items():
        add(word, name)
    return Exonyms(out)


@lru_cache(maxsize=8)
def places(source: str) -> frozenset[str]:
    """Folded names of countries and territories that are one word in `source` (China, Chile, Turkey, Jordan): a
    name even where English has a common word spelt the same."""
    locale = cldr(source)
    if locale is None:
        return frozenset()
    names = (word_list(name) for code, name in locale.territories.items() if code.isalpha())  # not regions: "World"
    return frozenset(words[0] for words in names if len(words) == 1)


def exonym_words(word: str, table: Exonyms) -> set[str]:
    """The target-language words `word` may go by: its own entry, or, for a demonym (Spaniard, Swede, Korean), those
    of the names that share its first DEMONYM_PREFIX letters or more and most of the shorter."""
    if word in table:
        return table[word]
    out: set[str] = set()
    if len(word) < DEMONYM_PREFIX:
        return out
    for name in table.by_prefix.get(word[:DEMONYM_PREFIX], []):
        shared = len(commonprefix([word, name]))
        if shared >= DEMONYM_PREFIX and shared >= 0.55 * min(len(word), len(name)):
            out |= table[name]
    return out


def _calendar(lang: str) -> set[str]:
    months, days = calendar_names(lang)
    return {fold(n) for n in [*months.values(), *days.values()]}


def _calendar_next(after: str, calendar: set[str], lang: str) -> bool:
    """The next word is a month or weekday too ("Saturday, September", "Sunday Oct. 7")."""
    m = regex.match(r"\W*(\p{L}+)(.{0,3})", after)
    return bool(m) and (fold(m.group(1)) in calendar or _abbreviated_month(m.group(1), m.group(2), lang))


def _calendar_rendered(word: str, source: str, target: str, target_words: list[str]) -> bool:
    """The month or weekday `word` (folded, in `source`) is in the translation as `target` names it (CLDR's wide
    names; "sábado", "sexta" of "sexta-feira")."""
    for source_names, target_names in zip(calendar_names(source), calendar_names(target)):
        for key, name in source_names.items():
            if fold(name) == word and key in target_names:
                return fold(target_names[key]).split("-")[0] in target_words
    return False


def _abbreviated_month(word: str, after: str, lang: str) -> bool:
    """ "Oct." and "Nov. 2" are months (CLDR's abbreviations, and "Sept"), with the full stop or a number after them;
    "Jan" alone may be a name."""
    locale = cldr(lang)
    if locale is None:
        return False
    short = {fold(n).rstrip(".") for n in locale.months["format"]["abbreviated"].values()} | {"sept"}
    return fold(word) in short and bool(regex.match(r"\.|\s*\d", after))


def present(word: str, target_words: list[str], exonym: set[str]) -> bool:
    folded = fold(word)
    if folded in target_words or any(_close(e, w) for e in exonym for w in target_words):
        return True
    if len(folded) < 5:  # "May" is not "Maio": short names must be there as they are
        return False
    return any(_close(folded, w) for w in target_words)


def _close(name: str, word: str) -> bool:
    """The same name in the other language's spelling: a shared start of at least four letters and most of the
    shorter word ("London", "Londres"), or close overall ("Commission", "Comissão")."""
    shared = len(commonprefix([name, word]))
    if shared >= 4 and shared >= 0.6 * min(len(name), len(word)):
        return True
    return abs(len(word) - len(name)) <= 4 and SequenceMatcher(None, name, word).ratio() >= SIMILAR


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    return frozenset(COMMON_WORDS.read_text(encoding="utf-8").split()) if COMMON_WORDS.is_file() else frozenset()


def _common(word: str, common: frozenset[str]) -> bool:
    """On the list, or the plural of a word on it (thieves, crosses, tensions)."""
    if word in common:
        return True
    for ending, singular in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):
        if word.endswith(ending) and word[: -len(ending)] + singular in common:
            return True
    return False


def title_case(text: str) -> bool:
    """A headline in Title Case capitalises every word but short ones: there a capital does not say "name". Taken
    so when at most a tenth of the words of four letters or more are in lower case ("Indonesia Tsunami Toll Soars
    Above 800.", "Kanye West Embarked on a Pro-Trump Diatribe ... After his SNL Appearance"; not a sentence full of
    names with two verbs in lower case), or when every word is capitalised ("It Didn't Go Well")."""
    tokens = regex.findall(r"\p{L}[\p{L}'’\-]*", text)
    longer = [w for w in tokens if len(w) > 3]
    if len(longer) >= 3 and sum(w[0].islower() for w in longer) <= 0.1 * len(longer):
        return True
    return len(tokens) >= 3 and all(w[0].isupper() for w in tokens)


# Capitalised words in a row, possibly joined by "of", "the", "for" ("Government of Wales Act"); a possessive ends
# one name ("Jeremy Corbyn's Labour Party" is two).
_JOIN = regex.compile(r"\s+(?:(?:of|the|for|and|on)\s+)?$")


def _after_abbreviation(before: str) -> bool:
    """ "Mr. Adams", "Sen. Coons", "vs. Rockies": the full stop of an abbreviation ends no sentence."""
    m = regex.search(r"(?<![\p{L}.])(\p{L}+)\.\s+$", before)
    return bool(m) and fold(m.group(1)) in TITLES | NOT_NAMES | {"vs", "v", "no", "st"}


def _runs(matches: list) -> list[list[int]]:
    """Indices of `matches` grouped into runs of capitalised words: the words of one multi-word name."""
    runs: list[list[int]] = []
    for i, m in enumerate(matches):
        if (
            runs
            and not regex.search(r"['’]s$", matches[i - 1].group())
            and _JOIN.match(m.string[matches[i - 1].end() : m.start()])
        ):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


# Words before a common noun that English capitalises as part of a title or an institution ("the West", "a Labour
# government", "the Premiership"), which a translator translates.
DETERMINERS = set("the a an this that these those his her its their our my your every each any no some".split())


def _lone_name(text: str, m, run: list[int]) -> bool:
    """A capitalised common word alone, with no determiner before it (Waters said, on Twitter, like China, West has):
    English capitalises it there as a name, not as a word of a title or an institution."""
    before = regex.findall(r"\p{L}+['’]?s?", text[max(0, m.start() - 40) : m.start()])  # the word before it
    # After a possessive it heads a title as much as after "the": the Coroner's Office, Macedonia's Institute.
    return len(run) == 1 and not (before and (before[-1].lower() in DETERMINERS or before[-1][-2:] in ("'s", "’s")))


def _split_at(run: list[int], i: int, boundaries: set[int]) -> list[int]:
    """The part of `run` around `i` between the words in `boundaries` (weekdays and months: one joined on is no
    part of a name, "on Twitter on Saturday", "From November Kit will star")."""
    at = run.index(i)
    start = next((k + 1 for k in range(at - 1, -1, -1) if run[k] in boundaries), 0)
    end = next((k for k in range(at + 1, len(run)) if run[k] in boundaries), len(run))
    return run[start:end]


def _neighbour_kept(matches: list, run: list[int], i: int, written: list[str]) -> bool:
    """A word next to `matches[i]` in its name (`run`) is in the translation as written, capital and all."""
    return any(j in run and _base(matches[j].group()) in written for j in (i - 1, i + 1))


def _base(word: str) -> str:
    """ "Britain's" is "Britain"; "Netherlands-based" is "Netherlands"."""
    return POSSESSIVE.sub("", word).split("-")[0]


def translated_whole(
    run: list[str], target_words: set[str], back_words: set[str], common: frozenset[str], names: Exonyms
) -> bool:
    """An institution, event or place named with a common English noun at its end (the Senate Judiciary Committee,
    the Public Prosecution Service, the Korea War, New York City) is translated whole (Comissão Jurídica do Senado,
    Ministério Público): its other words need not be there one by one. Taken so when that last word is not in the
    translation as written (it was translated) and another word of the run is there translated too (Senado,
    Público, Coreia; or comes back in the back translation: Iorque as York). The caller still asks a word that is no
    common word (Baton) to be there when another word before the last is kept as written (Rouge): that name was
    kept, not translated."""
    if len(run) < 2:
        return False
    last = fold(_base(run[-1]))
    # An English noun: "Rosa" is on the joint vocabulary's list (Portuguese) but Hurricane Rosa is no institution.
    if not (_common(last, common) and lexicon.lower_case(_base(run[-1]))) or last in target_words:
        return False
    for word in run[:-1]:
        folded = fold(_base(word))
        if folded in target_words:
            continue
        if folded in back_words or present(_base(word), list(target_words), exonym_words(folded, names)):
            return True
    return False


def half_translated(previous: str, word: str, target: list[str]) -> bool:
    """ "Theresa May" written "Theresa Maio": the name before the word is there as written, followed by another
    capitalised word. `target`: the translation's words as written, in order."""
    before, after = fold(_base(previous)), fold(_base(word))
    return any(
        fold(w) == before and k + 1 < len(target) and target[k + 1][:1].isupper() and fold(target[k + 1]) != after
        for k, w in enumerate(target)
    )


def check(
    pair: Pair, source: str, target: str, back: str | None = None, renderings: dict[str, str] | None = None
) -> list[Finding]:
    """The names of `pair.source` missing from `pair.target`. `back`: the target translated back, when there is one;
    `renderings`: words of names translated alone by the model (Counter: Contador, Cologne: Colônia), when asked
    for (`to_render`): a word whose rendering is in the target was translated, not lost (o contador Geiger)."""
    # In a headline in Title Case a capital does not say "name": there only words English has in no lower case
    # (Leslie, Lamont, Nottingham) are asked for.
    headline = title_case(pair.source)
    # "Burt's" is there in "Burt's Bees" as "Burt"; "Jae" in "Jae-in".
    written = [_POSSESSIVE_S.sub("", m.group()) for m in words(pair.target)]
    in_order = [fold(w) for w in written]
    target_words = in_order + [part for w in in_order if "-" in w for part in w.split("-")]
    back_words = set(word_list(back)) if back else set()
    glossary = [g.source for g in pair.glossary]
    skip = (NOT_NAMES - COMPASS) | _calendar(source)  # the compass was judged above
    names = exonyms(source, target)
    common = common_words()
    matches = list(_CAPITALISED.finditer(pair.source))
    run_of = {i: run for run in _runs(matches) for i in run}
    whole: dict[tuple[int, ...], bool] = {}  # a name's words -> translated whole
    quoted_names = list(_QUOTED_NAME.finditer(pair.source))
    calendar_words = {j for j, m in enumerate(matches) if fold(_base(m.group())) in skip}
    findings = []
    previous_name_end = -2
    for i, m in enumerate(matches):
        word = m.group()
        base = _base(word)
        if len(base) < 2:
            continue
        opening = _OPENING.search(pair.source[: m.start()]) and not _after_abbreviation(pair.source[: m.start()])
        after_name = pair.source[previous_name_end : m.start()] == " " and len(base) <= 4
        own_run = _split_at(run_of[i], i, calendar_words)
        # Alone, with no determiner before it ("Waters said", "on Twitter", "West has said"), a capitalised common
        # word is mostly a name all the same; but one a translator may translate (Labour: trabalhista), so it is
        # asked for only where a back translation can tell (it comes back, or a name was lost). Without one it is
        # left alone.
        lone = back is not None and not opening and _lone_name(pair.source, m, own_run)
        # A word of a name whose neighbour in the name is kept as written (Game of Thrones, Long Lartin, the Global
        # Citizen Festival) was kept too, or is lost: asked for, common word or not, where a back translation can
        # tell (a translated title word comes back: furacão Rosa, Hurricane Rosa).
        sibling = back is not None and not opening and _neighbour_kept(matches, run_of[i], i, written)
        if back is not None and any(q.start() <= m.start() < q.end() for q in quoted_names):
            opening, lone = None, True
        # The compass is no name (the Southwest, North Korea), but for a surname: Kanye West, "West said".
        surname = after_name and not opening and run_of[i][0] != i == run_of[i][-1]  # not "Trump's West Virginia"
        if fold(base) in NOT_NAMES and not (fold(base) in COMPASS and (lone or surname or sibling)):
            continue
        if headline and (
            lexicon.lower_case(base)
            or (_common(fold(base), common) and not lexicon.name(base))  # "Has"; not Rosa
            or regex.search("['’]", base)  # "Didn't"
        ):
            continue
        # A common word capitalised (the West, Labour, the Judiciary Committee, a sentence's first word) is taken
        # for no name, unless it is short and follows one (Theresa May).
        # On the vocabulary's list and an English word in lower case (Webster): "Rosa", "Paz" and "James" are on
        # the joint vocabulary's list but are names in English.
        is_common = _common(fold(base), common) and lexicon.lower_case(base) and fold(base) not in places(source)
        if is_common and (not after_name or opening) and not lone and not sibling:
            continue
        # A sentence's first word may be any word (Nobody, Scuffles, Fourteen): there only two capitalised words
        # in a row (Daniel Sturridge), a possessive (Gerrard's), a word English has in no lower case ("Aguero is
        # struggling") or a country (" - Chile is obliged") are taken for a name.
        if opening and not (
            regex.match(r"['’]s\b", pair.source[m.start() + len(base) :])
            or regex.match(r" \p{Lu}\p{Ll}", pair.source[m.end() :])
            or (
                len(base) >= 4  # not "Uh"
                and not _common(fold(base), common)
                and (not lexicon.lower_case(base) or lexicon.name(base))  # Aguero; Hans, Brett
            )
            or fold(base) in places(source)
        ):
            continue
        # Nor an English word that Webster knows only in lower case ("Unbeaten Ayr go top"); "Daniel", a name
        # there, and "Sturridge", no word at all, still are.
        if opening and lexicon.lower_case(base) and not lexicon.name(base) and fold(base) not in places(source):
            continue
        if fold(base) in TITLES:
            continue
        previous_name_end = m.end()
        # Months and weekdays are the date check's; "May" and "March" only next to a number are months. One that
        # opens a name ("Saturday Night Live", "The Sunday Times") is a name.
        in_name = regex.match(r" \p{Lu}\p{Ll}", pair.source[m.end() :]) and not _calendar_next(
            pair.source[m.end() :], skip, source
        )
        if (
            fold(base) in skip
            and not in_name
            and (
                fold(base) not in ("may", "march")
                or regex.search(r"\d", pair.source[max(0, m.start() - 4) : m.end() + 5])
            )
        ):
            continue
        if _abbreviated_month(base, pair.source[m.start() + len(base) :], source):
            continue
        # A weekday or month before a name ("This Saturday New York will host") that the translation gives as that
        # day or month in its own language ("Neste sábado, Nova York") was a date, not the start of a name.
        if fold(base) in skip and in_name and _calendar_rendered(fold(base), source, target, target_words):
            continue
        if any(s <= m.start() and m.end() <= e for s, e in glossary):
            continue
        if present(base, target_words, exonym_words(fold(base), names)):
            continue
        # Back translated, an exonym comes home (Escócia: Scotland, trabalhista: Labour); not the surname
        # that is a common word ("Theresa Maio" comes back as "Theresa May").
        half = is_common and after_name and i > 0 and half_translated(matches[i - 1].group(), word, written)
        if _comes_back(fold(base), back_words) and not half:
            continue
        key = tuple(own_run)
        if key not in whole:
            whole[key] = translated_whole(
                [matches[j].group() for j in own_run], set(target_words), back_words, common, names
            )
        # A translated name excuses its English words (Judiciary, Prosecution), not a proper name among them
        # (Louisiana of the Louisiana State Police: Polícia Estadual da Louisiana), nor a word beside one kept as
        # written (Baton of Baton Rouge) unless it is the noun at the end (City of New York City: Nova York).
        kept = any(j != i and fold(_base(matches[j].group())) in target_words for j in own_run[:-1])
        if (
            whole[key]
            and not half
            and (
                (is_common and (not sibling or i == own_run[-1]))
                or (not is_common and lexicon.lower_case(base) and not kept)
            )
        ):
            continue
        if renderings and _rendered(renderings.get(base), target_words):
            continue
        findings.append(
            Finding(
                "name.missing",
                "names",
                WARNING,
                f"the name {quote(base)} is not in the translation",
                (m.start(), m.start() + len(base)),
                None,
            )
        )
    return findings


def _comes_back(folded: str, back_words: set[str]) -> bool:
    """The word is in the back translation as the model writes English: maybe in the plural (PhD's: PhDs) or in
    American spelling (Labour: labor)."""
    return bool({folded, folded + "s", folded.replace("our", "or")} & back_words)


def needs_back(pair: Pair, source: str, target: str) -> bool:
    """Whether a back translation could find a name lost here that the target alone cannot: a capitalised common
    word alone (`_lone_name`) missing from the translation. (The check run with an empty back translation asks
    for those words and finds none of them back.)"""
    return bool(check(pair, source, target, back=""))


def to_render(pair: Pair, findings: list[Finding]) -> set[str]:
    """The words of the names found missing (Counter, Committee, Cologne): a model translating each alone tells
    whether the target has it translated (`check`'s `renderings`)."""
    return {pair.source[f.source[0] : f.source[1]] for f in findings if f.code == "name.missing" and f.source}


def _rendered(rendering: str | None, target_words: list[str]) -> bool:
    """Every word of three letters or more of `rendering` is in the target, maybe inflected ("Muçulmano" for
    muçulmanos, muçulmana; not "Colônia" for the misspelt "Colonha", nor "Premiership (primeiro-ministro)" where
    the target has neither)."""
    words = [w for w in word_list(rendering or "") if len(w) > 2]
    return bool(words) and all(any(_inflected(w, t) for t in target_words) for w in words)


def _inflected(word: str, other: str) -> bool:
    """The same word but for its last letter or two: a plural, a gender (folded words)."""
    shorter = min(len(word), len(other))
    return abs(len(word) - len(other)) <= 2 and len(commonprefix([word, other])) >= max(4, shorter - 1)
