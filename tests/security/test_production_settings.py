"""Safe defaults: DEBUG is off unless asked for, the service refuses to start
without a secret key, and the production settings documented in README.md
("Production settings") pass `manage.py check --deploy` with no warning."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3Jw9-Tq7v_X2mZ8pLr4Nd6Hs1Yb5Fc0Gh8Ja2Ue7Wi9Ko3Qx6Rz4Vt1Mn5Py"  # 60 characters

# Exactly the environment README.md's "Production settings" section documents.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "marketplace.example.jp",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://marketplace.example.jp",
    "SITE_URL": "https://marketplace.example.jp",
    "DJANGO_TRUSTED_PROXY_COUNT": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
}


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return "postgres://{}:{}@{}:{}/{}".format(
        quote(db["USER"] or "", safe=""),
        quote(db["PASSWORD"] or "", safe=""),
        quote(db["HOST"] or "", safe=""),
        db["PORT"] or 5432,
        quote(db["NAME"], safe=""),
    )


def _run(args, extra_env):
    """Run manage.py with the real settings and a clean environment: no DJANGO_*
    variable of this test process (settings_test.py sets a secret key) leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=_test_database_url())
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_documented_production_settings_pass_check_deploy_with_no_warning():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_does_warn_without_them():
    """The check above is not vacuous: debug on and no HTTPS settings are reported."""
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": SECRET},
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W018"):
        assert warning in result.stderr + result.stdout


def test_debug_is_off_by_default():
    result = _run(
        ["shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)"],
        {"DJANGO_SECRET_KEY": SECRET},
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_startup_refuses_without_a_secret_key():
    result = _run(["check"], {})
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY when DJANGO_DEBUG is false" in result.stderr


@pytest.mark.django_db
def test_pages_send_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_the_health_check_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("login")).status_code == 301
    assert client.get(reverse("healthz")).status_code == 200
