"""Numbers, percentages, times and dates: the same values on both sides.

Numbers are read with each language's own separators, from CLDR through babel
(English 1,000.5 is Portuguese 1.000,5), with their scale words (£11million,
11 milhões, 1.2bn, 1,2 mil milhões) so that "£11million" and "11 milhões" are
both 11,000,000. A number of the source that the translation lacks, or one the
translation adds, is a finding; so is a number the translation writes in the
source language's format ("0.85" in Portuguese, which groups digits in threes with the dot).
Small numbers written out ("five", "cinco") count as their value on either
side: translators write them either way.

Times: "7 p.m.", "19:00", "19h", "7 da noite" are the same time.
Dates: a month or weekday of the source must be there, in the target language.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import regex

from checks.findings import ERROR, WARNING, Finding, Pair
from checks.units import converted_amounts
from checks.text import calendar_names, fold, fold_keep_length, number_symbols, quote

# Scale words after a number, per language (folded). The short forms are
# newsroom English (£11m, $2bn).
SCALES = {
    "en": {
        "thousand": 3,
        "k": 3,
        "million": 6,
        "millions": 6,
        "m": 6,
        "mn": 6,
        "billion": 9,
        "billions": 9,
        "bn": 9,
        "b": 9,
        "trillion": 12,
        "tn": 12,
    },
    "pt": {
        "mil": 3,
        "milhao": 6,
        "milhoes": 6,
        "mi": 6,
        "bilhao": 9,
        "bilhoes": 9,
        "bi": 9,
        "mil milhoes": 9,
        "trilhao": 12,
        "trilhoes": 12,
        "bilioes": 12,
        "biliao": 12,
    },
}
# Numbers written as words: up to twenty and the tens, as news writes them.
NUMBER_WORDS = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty",
    "pt": "zero um dois tres quatro cinco seis sete oito nove dez onze doze treze catorze quinze dezesseis "
    "dezessete dezoito dezenove vinte",
}
EXTRA_WORDS = {
    "en": {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "hundred": 100,
        "dozen": 12,
        # ordinals, which Portuguese writes "8o", "34ª"
        "first": 1,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        # a fraction's denominator after a number word ("two-thirds", "three-quarters"): read as the two numbers
        # of "2/3" and "3/4", the way the digits are read
        "thirds": 3,
        "quarters": 4,
        "fourths": 4,
        "fifths": 5,
        "sixths": 6,
        "eighths": 8,
        "tenths": 10,
    },
    "pt": {
        "uma": 1,
        "duas": 2,
        "quatorze": 14,
        "dezasseis": 16,
        "dezassete": 17,
        "dezanove": 19,
        "trinta": 30,
        "quarenta": 40,
        "cinquenta": 50,
        "cem": 100,
        "duzia": 12,
        "ambos": 2,
        "ambas": 2,
    },
}
PERCENT = {
    "en": r"%|\s?per\s?cent\b|\s?percent\b|\s?percentage points?\b",
    "pt": r"%|\s?por cento\b|\s?pontos? percentua(?:l|is)\b",
}


def _word_values(lang: str) -> dict[str, int]:
    values = {word: n for n, word in enumerate(NUMBER_WORDS.get(lang, "").split())}
    values.update(EXTRA_WORDS.get(lang, {}))
    return values


_SCORE = regex.compile(r"(?<=\d)x(?=\d)")
_YEAR_RANGE = regex.compile(r"\b((?:1[89]|20)\d\d)[-–]$")
_NUMBER = regex.compile(r"(?<![\p{L}\p{N}]|\p{N}[.,])(?P<digits>\d+(?:[.,]\d+)*)(?:º|ª|st\b|nd\b|rd\b|th\b|°)?")
_PATTERNS: dict[str, regex.Pattern] = {}


def _tail(lang: str) -> regex.Pattern:
    """What may follow a number: a scale word, then a percent sign or word."""
    if lang not in _PATTERNS:
        scales = "|".join(sorted((regex.escape(s) for s in SCALES.get(lang, {})), key=len, reverse=True))
        percent = PERCENT.get(lang, "%")
        _PATTERNS[lang] = regex.compile(rf"(?:[\s-]?(?P<scale>{scales})(?!\p{{L}}))?(?P<percent>{percent})?")
    return _PATTERNS[lang]


def parse(digits: str, lang: str) -> Decimal | None:
    """ "1,000.5" in English, "1.000,5" in Portuguese; None where `lang` would not write it so
    (Portuguese "0.85": a group of two digits)."""
    group, decimal = number_symbols(lang)
    whole, _, fraction = digits.partition(decimal)
    if decimal in fraction or group in fraction:
        return None
    parts = whole.split(group)
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:])):
        return None
    try:
        return Decimal("".join(parts) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None


def numbers(text: str, lang: str, other: str | None = None) -> list[tuple[Decimal, bool, tuple[int, int], bool]]:
    """(value, is a percentage, range, misformatted) of every number written in digits, read as `lang`
    writes them; one `lang` would not write is read as `other` writes it, and marked."""
    # A score written "2x0" is two numbers, as "2-0" is.
    text = _SCORE.sub("-", text)
    folded = fold_keep_length(text)
    found = []
    for m in _NUMBER.finditer(text):
        value, wrong = parse(m.group("digits"), lang), False
        # "1950-53" is 1950 to 1953.
        year = _YEAR_RANGE.search(text[: m.start()])
        if year and len(m.group("digits")) == 2:
            value = Decimal(year.group(1)[:2] + m.group("digits"))
        if value is None and other:
            value, wrong = parse(m.group("digits"), other), True
        if value is None:
            continue
        tail = _tail(lang).match(folded, m.end())
        if tail.group("scale"):
            value *= Decimal(10) ** SCALES[lang][tail.group("scale").lower()]
        found.append((value.normalize(), bool(tail.group("percent")), (m.start(), tail.end()), wrong))
    return found


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_NUMERAL = regex.compile(r"C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def roman(word: str) -> int | None:
    """A Roman numeral of two letters or more ("século XIX", "Elizabeth II"); None for any other word."""
    if len(word) < 2 or not _ROMAN_NUMERAL.fullmatch(word):
        return None
    values = [_ROMAN[ch] for ch in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _spelled(text: str, lang: str) -> Counter:
    """Numbers written as words (with a scale word after them: "quatro mil", "two million") or in Roman numerals,
    which balance numbers the other side writes in digits."""
    values, scales = _word_values(lang), SCALES.get(lang, {})
    tokens = regex.findall(r"\p{L}+", text)
    out: Counter = Counter()
    for i, token in enumerate(tokens):
        word = fold(token)
        if word in values:
            scale = fold(tokens[i + 1]) if i + 1 < len(tokens) else ""
            out[Decimal(values[word]) * Decimal(10) ** scales.get(scale, 0)] += 1
        elif (number := roman(token)) is not None:
            out[Decimal(number)] += 1
    return out


# -- times ---------------------------------------------------------------------

_TIMES = {
    "en": regex.compile(
        r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>[ap])\.?m\b\.?"
        r"|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})\b",
        regex.IGNORECASE,
    ),
    "pt": regex.compile(
        r"\b(?P<h>\d{1,2})(?:[:h](?P<m>\d{2}))?\s*(?:h\b|horas?)?\s*(?:da|de)\s+"
        r"(?P<ap>manha|tarde|noite|madrugada)\b"
        r"|\b(?P<h24>\d{1,2})(?:h|:(?=\d{2}))(?P<m24>\d{2})?(?!\d)",
        regex.IGNORECASE,
    ),
}
_AFTERNOON = {"p", "tarde", "noite"}


def times(text: str, lang: str) -> list[tuple[int, tuple[int, int]]]:
    """Minutes after midnight of each clock time, with its range."""
    pattern = _TIMES.get(lang)
    if pattern is None:
        return []
    found = []
    for m in pattern.finditer(fold_keep_length(text)):
        if m.group("h") is not None:
            hour, minute = int(m.group("h")) % 12, int(m.group("m") or 0)
            if fold(m.group("ap")) in _AFTERNOON:
                hour += 12
        else:
            hour, minute = int(m.group("h24")), int(m.group("m24") or 0)
        if hour < 24 and minute < 60:
            found.append((hour * 60 + minute, m.span()))
    return found


# -- the check -------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    """For a message: 11,000,000 and 0.85, a year as 2017."""
    text = f"{value:,f}" if value >= 10000 else f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    findings: list[Finding] = []
    source_times, target_times = times(pair.source, source), times(pair.target, target)
    # Digits of a clock time are compared as times, below; those of a measurement converted to another unit
    # (10 inches, 25 cm) are the unit check's finding.
    source_converted, target_converted = converted_amounts(pair, source, target)
    found_source = [
        n for n in numbers(pair.source, source) if not _inside(n[2], [r for _, r in source_times] + source_converted)
    ]
    found_target = [
        n
        for n in numbers(pair.target, target, other=source)
        if not _inside(n[2], [r for _, r in target_times] + target_converted)
    ]
    source_values = Counter(v for v, _, _, _ in found_source)
    unmatched_target = []
    for value, _is_percent, span, wrong in found_target:
        written = pair.target[span[0] : span[1]]
        if not wrong and source_values[value] <= 0:
            # "1,000" is a Portuguese 1: if the source has a thousand and no one, it is the English way.
            reread = parse(_NUMBER.match(written).group("digits"), source) if _NUMBER.match(written) else None
            if reread is not None and reread != value and source_values[reread] > 0:
                value, wrong = reread, True
        if wrong:
            findings.append(
                Finding(
                    "number.format",
                    "numbers",
                    ERROR,
                    f"{quote(written)} is written the way {source} writes numbers; in {target}"
                    f" it reads as another number (meant: {_fmt(value)})",
                    None,
                    span,
                )
            )
        if source_values[value] > 0:
            source_values[value] -= 1
        else:
            unmatched_target.append((value, span))
    spelled_target, spelled_source = _spelled(pair.target, target), _spelled(pair.source, source)
    for value, count in source_values.items():
        for _ in range(count):
            span = next(s for v, _, s, _ in found_source if v == value)
            if spelled_target[value] > 0:
                spelled_target[value] -= 1
                continue
            findings.append(
                Finding(
                    "number.missing",
                    "numbers",
                    ERROR,
                    f"{quote(pair.source[span[0] : span[1]])} is not in the translation (no {_fmt(value)} there)",
                    span,
                    None,
                )
            )
    for value, span in unmatched_target:
        if spelled_source[value] > 0:
            spelled_source[value] -= 1
            continue
        findings.append(
            Finding(
                "number.added",
                "numbers",
                ERROR,
                f"{quote(pair.target[span[0] : span[1]])} is not in the source",
                None,
                span,
            )
        )

    # A percentage of the source stays one.
    target_percents = Counter(v for v, p, _, _ in found_target if p)
    target_values = {v for v, _, _, _ in found_target}
    for value, is_percent, span, _ in found_source:
        if not is_percent:
            continue
        if target_percents[value] > 0:
            target_percents[value] -= 1
        elif value in target_values:
            findings.append(
                Finding(
                    "percent.lost",
                    "numbers",
                    ERROR,
                    f"{quote(pair.source[span[0] : span[1]])} is a percentage; the translation has"
                    f" {_fmt(value)} without “%”",
                    span,
                    None,
                )
            )

    wanted = Counter(t for t, _ in target_times)
    for minutes, span in source_times:
        # 7 p.m. may be "7 da noite" or "19h"; a 24-hour source time may be written on 12 hours.
        match = next((m for m in (minutes, minutes % 720, minutes % 720 + 720) if wanted[m] > 0), None)
        if match is not None:
            wanted[match] -= 1
        else:
            findings.append(
                Finding(
                    "time.changed",
                    "numbers",
                    ERROR,
                    f"the time {quote(pair.source[span[0] : span[1]])} ({minutes // 60:02d}:"
                    f"{minutes % 60:02d}) is not in the translation",
                    span,
                    None,
                )
            )
    findings += _calendar(pair, source, target)
    return findings


def _inside(span: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    """Within a range, or overlapping it (a number's range takes in its scale word and percent sign)."""
    return any(s <= span[0] < e for s, e in ranges)


# -- months and weekdays ---------------------------------------------------------

_CALENDAR: dict[str, dict[str, int]] = {}


def _calendar_words(lang: str) -> dict[str, int]:
    """Folded month (1-12) and weekday (101-107) names of `lang`, wide and common short forms."""
    if lang not in _CALENDAR:
        names: dict[str, int] = {}
        months, days = calendar_names(lang)
        for number, name in months.items():
            names[fold(name)] = number
        for number, name in days.items():
            names[fold(name)] = 101 + number
            names[fold(name).split("-")[0]] = 101 + number  # "segunda" for "segunda-feira"
        _CALENDAR[lang] = names
    return _CALENDAR[lang]


_MONTH_IN_DATE = regex.compile(r"\d")


def _calendar(pair: Pair, source: str, target: str) -> list[Finding]:
    source_words, target_words = _calendar_words(source), _calendar_words(target)
    in_target = {
        target_words[fold(m.group())]
        for m in regex.finditer(r"\p{L}+(?:-\p{L}+)?", pair.target)
        if fold(m.group()) in target_words
    }
    in_target |= {
        target_words[fold(m.group()).split("-")[0]]
        for m in regex.finditer(r"\p{L}+-\p{L}+", pair.target)
        if fold(m.group()).split("-")[0] in target_words
    }
    findings = []
    for m in regex.finditer(r"\p{L}+", pair.source):
        number = source_words.get(fold(m.group()))
        if number is None or not m.group()[0].isupper():
            continue
        # "May" and "March" are also a name and a verb: a month only next to a number.
        near = pair.source[max(0, m.start() - 4) : m.end() + 5]
        if number <= 12 and fold(m.group()) in ("may", "march") and not _MONTH_IN_DATE.search(near):
            continue
        # "The Sunday Times" is a title, not a day.
        if number > 100 and regex.match(r"\s+\p{Lu}", pair.source[m.end() :]):
            continue
        if number not in in_target:
            kind = "month" if number <= 12 else "weekday"
            other = {n for n in in_target - {number} if (n > 100) == (number > 100)}
            if kind == "weekday" and not other:
                continue  # "on Monday" often becomes "that day", "yesterday": only another weekday is wrong
            findings.append(
                Finding(
                    "date.changed" if other else "date.missing",
                    "numbers",
                    ERROR if other else WARNING,
                    f"the {kind} {quote(m.group())} is not in the translation"
                    + (" (it names another)" if other else ""),
                    m.span(),
                    None,
                )
            )
    return findings
