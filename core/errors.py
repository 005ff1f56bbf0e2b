"""Domain errors raised by services. Views turn them into messages; the API
maps them to 4xx responses in api/main.py."""


class DomainError(Exception):
    """A rule of the programme was broken. The message is user-facing."""

    status_code = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message or str(self.__class__.__doc__ or "").strip()


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409
