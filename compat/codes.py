"""Language codes and names as DeepL and LibreTranslate write them, and ours.

Ours are ISO 639-1 codes in lower case, as the installed models name their
languages ("en", "pt"). DeepL writes codes in upper case and names regional
variants as targets ("EN-GB", "PT-BR"); this service has one model per
language, so a variant maps to its language and every variant of a language
the models serve is listed. LibreTranslate writes our codes, with its own
aliases for Chinese and Brazilian Portuguese.
"""

from __future__ import annotations

from translate.lang import data as language_data

# Our code -> the DeepL target codes naming it. DeepL lists no plain "EN" or
# "PT" target (its client refuses them); other languages are their code in upper case.
DEEPL_TARGET_VARIANTS: dict[str, tuple[str, ...]] = {
    "en": ("EN-GB", "EN-US"),
    "pt": ("PT-BR", "PT-PT"),
    "es": ("ES", "ES-419"),
    "zh": ("ZH", "ZH-HANS"),
    "zt": ("ZH-HANT",),  # Argos names Traditional Chinese "zt"
}
_FROM_DEEPL = {variant: ours for ours, variants in DEEPL_TARGET_VARIANTS.items() for variant in variants}

DEEPL_VARIANT_NAMES = {
    "EN-GB": "English (British)",
    "EN-US": "English (American)",
    "PT-BR": "Portuguese (Brazilian)",
    "PT-PT": "Portuguese (European)",
    "ES-419": "Spanish (Latin American)",
    "ZH-HANS": "Chinese (simplified)",
    "ZH-HANT": "Chinese (traditional)",
}

# LibreTranslate's aliases (its language.py), both ways.
LIBRE_ALIASES = {"pb": "pt-BR", "zh-hans": "zh", "zh-hant": "zt"}


def name(code: str) -> str:
    """'de' -> 'German', from translate-toolkit's table; the code itself if unknown."""
    if code == "zt":
        return "Chinese (traditional)"
    entry = language_data.languages.get(code.replace("-", "_"))
    return entry[0].split(";")[0] if entry else code


def from_deepl(code: str | None) -> str | None:
    """A DeepL source or target code as ours: 'EN-GB' -> 'en', 'DE' -> 'de', 'pt-br' -> 'pt'. None stays None."""
    if code is None or not str(code).strip():
        return None
    upper = str(code).strip().upper()
    return _FROM_DEEPL.get(upper, upper.split("-")[0].lower())


def to_deepl_source(code: str) -> str:
    """Our code as DeepL writes a source language (and a detected one): 'en' -> 'EN'."""
    return "ZH" if code == "zt" else code.split("-")[0].upper()


def to_deepl_targets(code: str) -> tuple[str, ...]:
    """Every DeepL target code naming our language: 'en' -> ('EN-GB', 'EN-US'), 'de' -> ('DE',)."""
    return DEEPL_TARGET_VARIANTS.get(code, (code.upper(),))


def deepl_name(deepl_code: str) -> str:
    return DEEPL_VARIANT_NAMES.get(deepl_code) or name(from_deepl(deepl_code))


def from_libre(code: str | None) -> str | None:
    """A LibreTranslate code as ours ('auto' stays 'auto'); None or blank -> None."""
    if code is None or not str(code).strip():
        return None
    lowered = str(code).strip().lower()
    ours = LIBRE_ALIASES.get(lowered, lowered)
    return "pt" if ours == "pt-BR" else ours
