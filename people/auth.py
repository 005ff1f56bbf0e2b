"""API tokens: a signed bearer token for a partner staff member's system
(api.auth accepts it, beside the browser session of our own pages).

A token is ``TimestampSigner`` output over ``<user id>:<fingerprint>``, where the
fingerprint is an HMAC of the user's password hash. No token table is needed:
changing the password (or disabling the account) revokes every token of that
user, and rotating SECRET_KEY revokes all of them. Send it as

    Authorization: Bearer <token>

Tokens are issued with ``python manage.py issue_api_token USERNAME``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from people.models import User

TOKEN_SALT = "people.auth.api-token"
# Overridable per deployment; a year keeps partners' integrations running
# without surprise while still bounding a leaked token's life.
DEFAULT_MAX_AGE = timedelta(days=365)


def _fingerprint(user: User) -> str:
    return salted_hmac(TOKEN_SALT, f"{user.pk}:{user.password}").hexdigest()[:24]


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def api_token_issue(*, user: User) -> str:
    """A bearer token for a partner staff member's integration."""
    if not (user.is_active and user.is_partner_staff and user.partner_id):
        raise NotAllowed(_("APIトークンは協力機関スタッフにだけ発行できます。"))
    return _signer().sign(f"{user.pk}:{_fingerprint(user)}")


def api_token_user(token: str) -> User | None:
    """The user a token stands for, or None when it is forged, expired or revoked."""
    max_age = getattr(settings, "API_TOKEN_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    user_id, _sep, fingerprint = value.partition(":")
    if not user_id.isdigit():
        return None
    user = get_user_model().objects.filter(pk=int(user_id), is_active=True).first()
    if user is None or not user.is_partner_staff or not user.partner_id:
        return None
    if not constant_time_compare(fingerprint, _fingerprint(user)):
        return None
    return user
