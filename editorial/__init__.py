"""The editorial loop, with no Flask or Celery in it: a job language's segments
with their provenance (`editorial.segments`), stored drafts and carried edits
(`editorial.store`), editing and approving (`editorial.review`), the tenant's
translation memories (`editorial.memory`) and what a job takes from them before
the model (`editorial.reuse`); TMX and XLIFF interchange (`editorial.interchange`).
"""
