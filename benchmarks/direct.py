"""(a) the limit: raw translate_batch over every sentence; (b) the baseline:
argostranslate.translate's batching, reproduced exactly (its module imports
stanza and PyTorch, which the lean install leaves out)."""

from __future__ import annotations

import time

from translation.segmentation import split_sentences


def sentences_by_paragraph(article: dict) -> list[list[str]]:
    """The same segmentation the service uses, so every path does the same work."""
    paragraphs = [article["title"]] + [p for p in article["body"].split("\n") if p.strip()]
    return [[p[s.start : s.end] for s in split_sentences(p, "en")] for p in paragraphs]


def _decoding_limit(batch: list[list[str]]) -> int:
    return max(16, 2 * max(len(t) for t in batch) + 8)  # as translation/engines/argos.py


def translate_all(translator, tokens: list[list[str]], beam_size: int, max_batch_tokens: int) -> None:
    """One token-batched call with the options of translation/engines/argos.py."""
    translator.translate_batch(
        tokens,
        beam_size=beam_size,
        max_batch_size=max_batch_tokens,
        batch_type="tokens",
        replace_unknowns=True,
        max_input_length=0,
        max_decoding_length=_decoding_limit(tokens),
    )


def raw_batched(translator, sp, articles: list[dict], beam_size: int, max_batch_tokens: int) -> dict:
    sentences = [s for a in articles for para in sentences_by_paragraph(a) for s in para]
    tokens = [sp.encode(s, out_type=str) for s in sentences]
    start = time.perf_counter()
    translate_all(translator, tokens, beam_size, max_batch_tokens)
    return _figures(time.perf_counter() - start, len(sentences), sum(map(len, tokens)))


def argos_style(translator, sp, articles: list[dict]) -> dict:
    """argostranslate/translate.py apply_packaged_translation: one paragraph at a
    time, batches of at most 32 tokens (settings.batch_size), beam 4,
    length_penalty 0.2, scores returned. One difference, stated: the decoding
    limit is ours, not CTranslate2's default 256, so long sentences are
    translated completely, as in (a) and (c)."""
    count = tokens_total = 0
    start = time.perf_counter()
    for article in articles:
        for paragraph in sentences_by_paragraph(article):
            tokens = [sp.encode(s, out_type=str) for s in paragraph]
            translator.translate_batch(
                tokens,
                replace_unknowns=True,
                max_batch_size=32,
                batch_type="tokens",
                beam_size=4,
                num_hypotheses=1,
                length_penalty=0.2,
                return_scores=True,
                max_input_length=0,
                max_decoding_length=_decoding_limit(tokens),
            )
            count += len(tokens)
            tokens_total += sum(map(len, tokens))
    return _figures(time.perf_counter() - start, count, tokens_total)


def _figures(seconds: float, sentences: int, tokens: int) -> dict:
    return {
        "seconds": round(seconds, 3),
        "sentences": sentences,
        "tokens": tokens,
        "sentences_per_s": round(sentences / seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
    }
