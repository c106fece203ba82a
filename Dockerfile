# Portal: gunicorn serving wsgi:app as a non-root user; `portal ...` commands run in the same image.
# The Debian release is pinned so pg_dump (postgresql-client) matches compose.yaml's PostgreSQL 15.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_ENV=production

# Pango and HarfBuzz for WeasyPrint's PDFs, fonts to draw them with, pg_dump/pg_restore for `portal backup`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin portal

WORKDIR /app
COPY . /app
# Editable: the migrations folder is read from the checkout, next to the portal package.
RUN pip install -e ".[server]" \
    && mkdir -p /app/instance \
    && chown portal:portal /app/instance

USER portal
VOLUME ["/app/instance"]
EXPOSE 8000

# /readyz answers 503 within 2 s while the database does not answer. The Host header is the first
# trusted host, as the app answers only to those.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-c", "import os, sys, urllib.request as u; host = (os.environ.get('PORTAL_TRUSTED_HOSTS') or 'localhost').split(',')[0].strip(); sys.exit(0 if u.urlopen(u.Request('http://127.0.0.1:8000/readyz', headers={'Host': host}), timeout=4).status == 200 else 1)"]

CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--timeout", "30", "--access-logfile", "-", "wsgi:app"]
