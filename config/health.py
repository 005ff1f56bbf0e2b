from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """For docker compose and load balancers: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
