from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _


def healthz(request):
    """For docker compose and load balancers: the app answers and the database too.

    200 {"status": "ok"}; 503 {"status": "unavailable", "detail": …} while the
    database cannot be reached (an embedded server that died is started again
    by the connection itself, so the next call answers 200)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # Drop the broken connection so that the next request opens a new one.
        connection.close_if_unusable_or_obsolete()
        return JsonResponse(
            {"status": "unavailable", "detail": _("データベースに接続できません。")}, status=503
        )
    return JsonResponse({"status": "ok"})
