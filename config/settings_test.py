"""Settings for pytest. CI runs with no environment at all, while settings.py
refuses to start without DJANGO_SECRET_KEY once DEBUG is off (its default), so
a test-only key is supplied here before it is read."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment-0123456789"
)

from .settings import *  # noqa: E402, F403
from .settings import Q_CLUSTER  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests use a deterministic embedder; the tests marked "slow" switch to
# the real model with override_settings.
EMBEDDING_BACKEND = "fake"
LANGUAGE_CODE = "ja"
# pytest-django's live_server (the Playwright tests) speaks plain http: whatever
# the environment says, no HTTPS-only cookies, redirects or HSTS here.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
