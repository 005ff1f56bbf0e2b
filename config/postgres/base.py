"""ENGINE "config.postgres": Django's PostgreSQL backend that brings the
embedded server back after it died (kill -9, out of memory) instead of
answering 500 until the web process is restarted. With DATABASE_URL it behaves
exactly like Django's own backend."""

from django.db.backends.postgresql import base

from config.embedded_db import embedded_server_revive


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        try:
            return super().get_new_connection(conn_params)
        except base.Database.OperationalError:
            if not embedded_server_revive():
                raise
            return super().get_new_connection(conn_params)
