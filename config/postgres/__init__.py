"""Django's PostgreSQL backend, plus one thing: when the embedded server has
died, the next connection starts it again (see config.embedded_db)."""
