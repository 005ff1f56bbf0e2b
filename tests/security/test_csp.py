"""Every page carries the Content-Security-Policy, has no inline script, and
shows every text people type (each one holding markup) only escaped."""

import html
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.builders import make_user
from tests.security.pages import pages_by_role
from tests.security.xss_world import build_xss_world

pytestmark = pytest.mark.django_db

# What the policy must say: nothing but our own scripts and styles, no inline
# code of any kind, no framing, no plugins.
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https://tile.openstreetmap.org",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class Markup(HTMLParser):
    """The tags of a page as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.inline_scripts.append(str(attrs))
        if tag == "style":
            self.styles.append("<style>")
        for name, _value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
            if name == "style":
                self.styles.append(f"<{tag} style=…>")


# What a payload leaves in the HTML when it is not escaped.
LIVE_MARKUP = ("<img src=x", "<svg onload", "<script>window.__xss", "<script>__xss")


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def problems_in(url: str, response) -> list[str]:
    found = []
    if response.status_code != 200:
        return [f"{url}: status {response.status_code}"]
    csp = policy(response)
    for name, value in REQUIRED.items():
        if csp.get(name) != value:
            found.append(f"{url}: {name} is {csp.get(name)!r}, not {value!r}")
    if any("unsafe" in value for value in csp.values()):
        found.append(f"{url}: the policy allows something unsafe: {csp}")
    body = response.content.decode()
    markup = Markup()
    markup.feed(body)
    found += [f"{url}: an inline script {a}" for a in markup.inline_scripts]
    found += [f"{url}: an event-handler attribute {h}" for h in markup.handlers]
    if not url.startswith("/admin/"):
        # Django's admin is Django's own; the browser test checks it breaks no rule.
        found += [f"{url}: inline style {s}" for s in markup.styles]
    found += [f"{url}: unescaped {m!r}" for m in LIVE_MARKUP if m in body]
    return found


def test_every_page_of_every_role_has_the_policy_no_inline_script_and_escaped_text():
    world = build_xss_world()
    problems: list[str] = []
    for role, urls in pages_by_role(world).items():
        client = Client()
        if role != "anonymous":
            client.force_login(world.users()[role])
        for url in urls:
            problems += problems_in(url, client.get(url))
    assert problems == []


def test_htmx_fragments_have_no_inline_script_and_escaped_text():
    world = build_xss_world()
    htmx = {"HTTP_HX_REQUEST": "true"}
    checks = []
    participant = Client()
    participant.force_login(world.participant.user)
    checks.append(("/opportunities/?q=畑", participant.get("/opportunities/?q=畑", **htmx)))
    secretariat = Client()
    secretariat.force_login(world.secretariat)
    line = world.partner_run.lines.exclude(session_ids=[]).first()
    assert line is not None
    url = f"/secretariat/payouts/{world.partner_run.pk}/lines/{line.pk}/sessions/"
    checks.append((url, secretariat.get(url, **htmx)))
    staff = Client()
    staff.force_login(world.staff)
    url = f"/partner/sessions/{world.today.pk}/attendance/"
    checks.append(
        (
            url,
            staff.post(url, {"participant": world.participant.code, "status": "present"}, **htmx),
        )
    )
    problems = [p for url, response in checks for p in problems_in(url, response)]
    assert problems == []
    # The fragments really show the planted texts, as text.
    assert world.texts["PN"] in html.unescape(checks[0][1].content.decode())
    assert world.texts["DN"] in html.unescape(checks[2][1].content.decode())


def test_error_pages_carry_the_policy_too(client):
    client.force_login(make_user())
    response = client.get("/opportunities/NO-SUCH-CODE/")
    assert response.status_code == 404
    assert policy(response).get("script-src") == "'self'"
