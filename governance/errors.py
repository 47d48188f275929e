"""One error hierarchy, turned into a user message (zh-CN / en) and an HTTP status."""

from __future__ import annotations

from i18n import t


class MinqingError(Exception):
    """Base of every error a user may see. ``key`` is a message-catalog key."""

    status = 400
    code = "bad_request"

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}")
        self.key = key
        self.params = params

    def user_message(self, lang: str | None = None) -> str:
        """The message in the user's language."""
        return t(self.key, lang, **self.params)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {"error": self.code, "message": self.user_message(lang), "key": self.key}


class InvalidInput(MinqingError):
    """A parameter the client sent is malformed or out of range."""

    status = 400
    code = "invalid_input"


class NotFound(MinqingError):
    """The thing asked for does not exist (or is out of the caller's scope)."""

    status = 404
    code = "not_found"


class Unauthorized(MinqingError):
    """Not signed in, or the session expired."""

    status = 401
    code = "unauthorized"


class Forbidden(MinqingError):
    """Signed in, but the role or area scope does not allow this."""

    status = 403
    code = "forbidden"


class Unavailable(MinqingError):
    """A dependency (the database) is down."""

    status = 503
    code = "unavailable"


class Conflict(MinqingError):
    """The thing changed since the client read it (a stale version, a double submit)."""

    status = 409
    code = "conflict"

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        out = super().to_dict(lang)
        if "current_version" in self.params:
            out["current_version"] = self.params["current_version"]
        return out
