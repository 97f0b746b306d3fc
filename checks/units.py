"""Currencies and units: the same ones on both sides, not converted.

The real en→pt model writes "£11million" as "11 milhões de euros": a finding
of its own (currency.converted, an error), as is "miles" becoming "km"
(unit.converted). Each currency or unit is known by how each language writes
it; the translation must name the source's, and naming another of the same
kind instead is a conversion.
"""

from __future__ import annotations

import regex

from checks.findings import ERROR, WARNING, Finding, Pair
from checks.text import quote

# code -> per language, a pattern of how it is written (case-insensitive unless noted).
CURRENCIES = {
    # "sterling" in lower case only (Raheem Sterling is no currency); "pounds" after an amount, plural
    # ("a 550 pound hog" weighs; "pounds of" is the unit below).
    "GBP": {
        "en": r"£|\bGBP\b|(?-i:\bsterling\b)|(?<=\d\s?(?:m|bn|million|billion)?\s)pounds\b(?!\s+of\b)",
        "pt": r"£|\bGBP\b|\blibras?\b|\besterlinas?\b",
    },
    "EUR": {"en": r"€|\bEUR\b|\beuros?\b", "pt": r"€|\bEUR\b|\beuros?\b"},
    "USD": {"en": r"(?<![A-Z])\$|\bUSD\b|\bdollars?\b", "pt": r"US\$|(?<![A-Z])\$|\bUSD\b|\bd[óo]lar(?:es)?\b"},
    "JPY": {"en": r"¥|\byen\b", "pt": r"¥|\bienes?\b|\byens?\b"},
    "CNY": {"en": r"\byuan\b|\brenminbi\b", "pt": r"\byuans?\b|\brenminbi\b"},
    "BRL": {"en": r"R\$|\breais\b|\breal\b(?=\s)(?<=\d\s\w+)", "pt": r"R\$|\breais\b"},
    "INR": {"en": r"₹|\brupees?\b", "pt": r"₹|\br[úu]pias?\b"},
    "CHF": {"en": r"\bCHF\b|\bSwiss francs?\b", "pt": r"\bCHF\b|\bfrancos? su[íi][çc]os?\b"},
}

# kind -> unit -> per language, a pattern; a unit counts only right after a number.
UNITS = {
    "length": {
        "mile": {"en": r"miles?\b|mi\b", "pt": r"milhas?\b"},
        "km": {"en": r"km\b|kilomet(?:re|er)s?\b", "pt": r"km\b|quil[ôó]metros?\b"},
        "metre": {"en": r"m\b(?!\s*(?:people|years))|met(?:re|er)s?\b", "pt": r"m\b|metros?\b"},
        "foot": {"en": r"ft\b|feet\b|foot\b|-foot\b", "pt": r"p[ée]s?\b"},
        "inch": {"en": r"in\b(?=\s*(?:tall|long|wide|high))|inch(?:es)?\b", "pt": r"polegadas?\b"},
        "yard": {"en": r"yards?\b|yd\b", "pt": r"jardas?\b"},
        "cm": {"en": r"cm\b|centimet(?:re|er)s?\b", "pt": r"cm\b|cent[íi]metros?\b"},
    },
    "mass": {
        "pound": {"en": r"lbs?\b|pounds\b(?=\s+of\b)|pound\b", "pt": r"libras?\b|lbs?\b"},
        "kg": {"en": r"kg\b|kilo(?:gram(?:me)?)?s?\b", "pt": r"kg\b|quilo(?:grama)?s?\b"},
        "tonne": {"en": r"tonnes?\b|tons?\b", "pt": r"toneladas?\b|t\b"},
        "stone": {"en": r"st\b|stone\b", "pt": r"stones?\b|pedras?\b"},
    },
    "temperature": {
        "F": {"en": r"°\s?F\b|(?:degrees )?Fahrenheit\b|F\b", "pt": r"°\s?F\b|(?:graus )?Fahrenheit\b|F\b"},
        "C": {"en": r"°\s?C\b|(?:degrees )?Celsius\b|C\b", "pt": r"°\s?C\b|(?:graus )?Celsius\b|C\b"},
    },
    "speed": {
        "mph": {"en": r"mph\b|miles per hour\b", "pt": r"mph\b|milhas por hora\b"},
        "kmh": {"en": r"km/h\b|kph\b", "pt": r"km/h\b"},
    },
    "area": {
        "acre": {"en": r"acres?\b", "pt": r"acres?\b"},
        "hectare": {"en": r"hectares?\b|ha\b", "pt": r"hectares?\b|ha\b"},
        "sq mile": {"en": r"square miles?\b|sq mi\b", "pt": r"milhas quadradas\b"},
        "km2": {"en": r"km2\b|km²|square kilomet(?:re|er)s?\b", "pt": r"km2\b|km²|quil[ôó]metros quadrados\b"},
    },
    "volume": {
        "gallon": {"en": r"gallons?\b", "pt": r"gal[õo](?:es)?\b"},
        "litre": {"en": r"lit(?:re|er)s?\b|l\b", "pt": r"litros?\b|l\b"},
    },
}
# A number (any separators, a scale), then the unit: "5-mile", "30C", "8 km", "2 million tonnes".
_NUMBER = r"\d[\d.,]*(?:\s?(?:million|billion|milh[õo]es|mil))?\s?-?\s?"

_COMPILED: dict = {}


def _currency(code: str, lang: str) -> regex.Pattern | None:
    key = ("c", code, lang)
    if key not in _COMPILED:
        pattern = CURRENCIES[code].get(lang)
        _COMPILED[key] = regex.compile(pattern, regex.IGNORECASE) if pattern else None
    return _COMPILED[key]


def _unit(kind: str, unit: str, lang: str, after_number: bool) -> regex.Pattern | None:
    key = ("u", kind, unit, lang, after_number)
    if key not in _COMPILED:
        pattern = UNITS[kind][unit].get(lang)
        flags = 0 if kind == "temperature" else regex.IGNORECASE
        _COMPILED[key] = (
            regex.compile((rf"(?<={_NUMBER})(?:{pattern})" if after_number else rf"\b(?:{pattern})"), flags)
            if pattern
            else None
        )
    return _COMPILED[key]


def currencies(text: str, lang: str) -> dict[str, tuple[int, int]]:
    """Each currency named in `text`, with the range of its first mention."""
    found = {}
    for code in CURRENCIES:
        pattern = _currency(code, lang)
        m = pattern.search(text) if pattern else None
        if m:
            found[code] = m.span()
    return found


def units(text: str, lang: str, after_number: bool = True) -> dict[tuple[str, str], tuple[int, int]]:
    found = {}
    for kind, members in UNITS.items():
        for unit in members:
            pattern = _unit(kind, unit, lang, after_number)
            m = pattern.search(text) if pattern else None
            if m:
                found[(kind, unit)] = m.span()
    return found


# The numbers of a measurement: "4 inches", "2 to 4 inches", "5 a 10 cm", "6-foot".
_AMOUNT = r"\d[\d.,]*(?:\s?(?:to|-|–|and|a|e|or|ou)\s?\d[\d.,]*)?(?:\s?(?:million|billion|milh[õo]es|mil))?"


def conversions(
    pair: Pair, source: str, target: str
) -> list[tuple[tuple[str, str], tuple[int, int], list[tuple[tuple[str, str], tuple[int, int]]]]]:
    """Units of the source that the translation gives in another unit of the same kind: (kind and unit,
    source range, [(target unit, range)])."""
    in_source_any = units(pair.source, source, after_number=False)
    target_any = units(pair.target, target, after_number=False)
    target_measured = units(pair.target, target)
    found = []
    for (kind, unit), span in units(pair.source, source).items():
        if (kind, unit) in target_any:
            continue
        others = [((k, u), r) for (k, u), r in target_measured.items() if k == kind and (k, u) not in in_source_any]
        if others:
            found.append(((kind, unit), span, others))
    return found


def measured_ranges(text: str, lang: str, kind: str, unit: str) -> list[tuple[int, int]]:
    """Ranges of the amounts (numbers, ranges of numbers) written with this unit in `text`."""
    pattern = UNITS[kind][unit].get(lang)
    flags = 0 if kind == "temperature" else regex.IGNORECASE
    return [m.span("amount") for m in regex.finditer(rf"(?P<amount>{_AMOUNT})\s?-?\s?(?:{pattern})", text, flags)]


def converted_amounts(pair: Pair, source: str, target: str) -> tuple[list, list]:
    """Source and target ranges of the amounts of converted units: their numbers differ on purpose
    (10 inches, 25 cm), and the conversion is reported once, here, not again as changed numbers."""
    source_ranges, target_ranges = [], []
    for (kind, unit), _, others in conversions(pair, source, target):
        source_ranges += measured_ranges(pair.source, source, kind, unit)
        for (k, u), _ in others:
            target_ranges += measured_ranges(pair.target, target, k, u)
    return source_ranges, target_ranges


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    findings = []
    in_source, in_target = currencies(pair.source, source), currencies(pair.target, target)
    for code, span in in_source.items():
        if code in in_target:
            continue
        others = [c for c in in_target if c not in in_source]
        if others:
            findings.append(
                Finding(
                    "currency.converted",
                    "currency",
                    ERROR,
                    f"{quote(pair.source[span[0] : span[1]])} ({code}) became"
                    f" {quote(pair.target[slice(*in_target[others[0]])])} ({others[0]}):"
                    f" the amount is in another currency",
                    span,
                    in_target[others[0]],
                )
            )
        elif any(ch.isdigit() for ch in pair.source):
            findings.append(
                Finding(
                    "currency.missing",
                    "currency",
                    WARNING,
                    f"the currency {quote(pair.source[span[0] : span[1]])} ({code}) is not named in the translation",
                    span,
                    None,
                )
            )
    # A unit of the source may stand anywhere in the target (without its number: "a milha"); a unit of the
    # same kind after a number there, which the source does not have, is a conversion.
    for (_kind, _unit), span, converted in conversions(pair, source, target):
        (_, target_span) = converted[0]
        findings.append(
            Finding(
                "unit.converted",
                "currency",
                ERROR,
                f"{quote(pair.source[span[0] : span[1]])} became"
                f" {quote(pair.target[slice(*target_span)])}: converted to another unit",
                span,
                target_span,
            )
        )
    return findings
