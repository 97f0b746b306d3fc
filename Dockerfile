# One image for the API and the workers.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 ARGOS_PACKAGES_DIR=/models
COPY requirements.txt .
# requirements.txt pins every transitive dependency; --no-deps keeps
# argostranslate from pulling stanza and a multi-GB PyTorch.
RUN pip install --no-cache-dir --no-deps -r requirements.txt
COPY config.py gunicorn.conf.py ./
COPY service ./service
COPY workers ./workers
COPY glossary ./glossary
COPY scripts ./scripts
