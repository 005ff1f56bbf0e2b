# Image for web and worker. The embedded database is for development only:
# in compose, DATABASE_URL points at the pgvector service.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml package.json package-lock.json ./
RUN pip install --no-cache-dir -e . && npm ci --no-audit --no-fund
COPY . .
RUN pip install --no-cache-dir -e . \
    && DJANGO_SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --no-input
RUN useradd --create-home app && chown -R app /app
USER app
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py setup_schedules && gunicorn config.wsgi --bind 0.0.0.0:8000 --workers 3"]
