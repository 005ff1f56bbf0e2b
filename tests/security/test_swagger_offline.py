"""/api/docs works offline: django-ninja serves Swagger UI from our static
files ("ninja" in INSTALLED_APPS), not from a CDN that a Content-Security-Policy
would block and that a machine without internet cannot reach."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_swagger_ui_comes_from_our_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "//" not in "".join(assets)  # no other host, with or without a scheme
    assert "cdn" not in page.lower()
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
