from .settings import *  # noqa: F403
from .settings import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests use a deterministic embedder; the tests marked "slow" switch to
# the real model with override_settings.
EMBEDDING_BACKEND = "fake"
LANGUAGE_CODE = "ja"
