# The portal's image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries, gettext for compilemessages, the CJK fonts the PDFs are typeset in (the
# Fandol faces of the official forms come from portal/fonts/install.sh), and pg_dump / pg_restore
# for `manage.py portal_backup` / `portal_restore` (bookworm's 15, as the postgres service).
COPY portal/fonts/install.sh /tmp/install-fonts.sh
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
        fonts-wqy-zenhei fonts-arphic-uming gettext curl postgresql-client \
    && bash /tmp/install-fonts.sh \
    && rm -rf /var/lib/apt/lists/* /tmp/install-fonts.sh

WORKDIR /app
COPY pyproject.toml ./
# The dependencies and the [s3] extra (boto3): media on an object store is then one setting.
RUN python -c 'import subprocess, sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; deps = p["dependencies"] + p["optional-dependencies"]["s3"]; subprocess.check_call([sys.executable, "-m", "pip", "install", "--no-cache-dir", *deps])'
COPY . .
# The commit a backup's manifest names (no .git in the image): docker compose build --build-arg
# PORTAL_COMMIT=$(git rev-parse HEAD)
ARG PORTAL_COMMIT=""
ENV PORTAL_COMMIT=$PORTAL_COMMIT
RUN python manage.py compilemessages -v 0 \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input -v 0

RUN useradd --system --home /app portal && mkdir -p /app/var/media && chown -R portal /app/var
USER portal
EXPOSE 8000
# portal/gunicorn.conf.py: 0.0.0.0:8000, WEB_CONCURRENCY workers (3), access log, "Server: portal".
CMD ["gunicorn", "-c", "portal/gunicorn.conf.py"]
