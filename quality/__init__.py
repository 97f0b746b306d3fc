"""`make quality`: how good real output is, measured on the real en→pt model.

A package of its own, not part of benchmarks/: `make bench` measures speed on
test models; this measures what a reader sees (glossary terms, articles before
them, quotation marks, numbers, where markup lands, valid Markdown) on a
hand-annotated corpus, and its data (data/) belongs with the code that scores it.
"""
