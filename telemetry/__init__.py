"""Logs and metrics, shared by the API and the workers: plain modules with no
Flask or Celery imports, so the domain core may use them too."""
