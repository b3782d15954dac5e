"""Errors a domain rule raises; the HTTP layer turns them into 4xx answers in the caller's language.

`message` is a msgid (marked with N_) formatted with `params` after translation.
"""


class DomainError(Exception):
    status = 409

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class Forbidden(DomainError):
    status = 403
