"""Files attached to timeline steps: checked, stored with the step, shown to staff.

A step of the closed loop may carry one file (issue 4: "every transition: who, role,
department, when, note, optional attachment"): a photo of the spot before or after the
work, a signed form. A resident's photo sent with a public report is stored the same way,
on the ``register`` step. Files are stored in the database, in the step's transaction:
a refused step leaves no file behind, and a file never exists without its step.

Only what the type check recognises by its first bytes is accepted (JPEG, PNG, WebP,
PDF), whatever the name or the declared type says, up to :data:`MAX_BYTES`. Files are
served (:func:`read`) only to signed-in staff who may see the incident's grid, with
``nosniff`` and a sandboxing policy; each read is audited, as photos may show people.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import attachments as q
from governance import audit
from governance.access import MAP_VIEW, Principal, require
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.shapes import BIDI, Text

MAX_BYTES = 10 * 1024 * 1024
MAX_BASE64 = (MAX_BYTES * 4) // 3 + 8  # characters of base64 for MAX_BYTES
NAME_MAX = 120
FIELDS = ("filename", "data_base64")
# What ``data_base64`` may be: base64 with its padding, optionally as a data: URL (an
# upload field's contents). Checked as it is documented, before anything is decoded.
DATA_URL_HEAD = r"data:[^,\u0000-\u001f\u007f-\u009f]{0,100},"
BASE64_PATTERN = (
    f"(?:{DATA_URL_HEAD})?(?:[A-Za-z0-9+/]{{4}})*"
    r"(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)"
)
FILENAME = Text(max_len=255, description="Shown as the file's name (path parts dropped).")
# first bytes -> (content type, extension); WebP is RIFF....WEBP (checked below)
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Attachment:
    """A checked file: a safe display name, its type by content, its bytes."""

    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file by its first bytes, or None if not accepted."""
    for magic, kind, ext in _MAGIC:
        if data.startswith(magic):
            return kind, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def safe_name(name: object, ext: str) -> str:
    """A display name without path parts or control characters, ending in ``ext``."""
    raw = re.sub(f"[{BIDI}]", "", name) if isinstance(name, str) else ""
    raw = unicodedata.normalize("NFC", re.sub(r"[\ud800-\udfff]", "_", raw))
    base = _UNSAFE.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._") or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[: NAME_MAX - len(ext)]}{ext}"


def check(filename: object, data: object) -> Attachment:
    """The file as an :class:`Attachment`, or :class:`InvalidInput` saying what is wrong
    (empty, too large, not an accepted type)."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("attachment.error.empty")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            "attachment.error.too_large",
            mb=round(len(data) / 2**20, 1),
            max_mb=MAX_BYTES // 2**20,
        )
    kind = sniff(bytes(data[:16]))
    if kind is None:
        raise InvalidInput("attachment.error.type")
    return Attachment(safe_name(filename, kind[1]), kind[0], bytes(data))


def from_base64(filename: object, encoded: object) -> Attachment:
    """An attachment sent as base64 text, plain (API) or as a ``data:`` URL (an upload
    field's contents)."""
    if not isinstance(encoded, str) or not encoded:
        raise InvalidInput("attachment.error.empty")
    payload = encoded.split(",", 1)[1] if encoded.startswith("data:") else encoded
    if len(payload) > MAX_BASE64:
        raise InvalidInput(
            "attachment.error.too_large",
            mb=round(len(payload) * 3 / 4 / 2**20, 1),
            max_mb=MAX_BYTES // 2**20,
        )
    if not payload:
        raise InvalidInput("attachment.error.empty")
    if not re.fullmatch(BASE64_PATTERN, encoded):
        raise InvalidInput("attachment.error.encoding")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as err:  # pragma: no cover - the pattern held
        raise InvalidInput("attachment.error.encoding") from err
    return check(filename, data)


def from_api(value: object) -> Attachment | None:
    """The ``attachment`` field of an API body: ``{"filename", "data_base64"}`` or None."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(FIELDS):
        raise InvalidInput("attachment.error.shape")
    name = FILENAME.check(value.get("filename"), "filename")
    return from_base64(name, value.get("data_base64"))


def api_schema() -> dict[str, Any]:
    """The JSON Schema of the API's ``attachment`` field (what :func:`from_api` takes)."""
    return {
        "type": ["object", "null"],
        "additionalProperties": False,
        "required": ["data_base64"],
        "properties": {
            "filename": FILENAME.json_schema(),
            "data_base64": {
                "type": "string",
                "maxLength": MAX_BASE64 + len("data:,") + 100,
                "pattern": f"^{BASE64_PATTERN}$",
                "description": f"The file, base64 (or a data: URL): a JPEG, PNG or WebP "
                f"image or a PDF (recognised by its first bytes), at most "
                f"{MAX_BYTES // 2**20} MB.",
            },
        },
    }


def store(session: Session, incident_id: int, event_id: int, file: Attachment) -> int:
    """Store the file with its step, in the caller's transaction; returns its id."""
    return q.insert(
        session,
        incident_id=incident_id,
        event_id=event_id,
        filename=file.filename,
        content_type=file.content_type,
        data=file.data,
        sha256=file.sha256,
    )


def store_on_register(session: Session, incident_id: int, file: Attachment) -> int:
    """Store a file sent with a report on the incident's ``register`` step."""
    event_id = q.register_event_id(session, incident_id)
    if event_id is None:  # pragma: no cover - every incident is registered with its event
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    return store(session, incident_id, event_id, file)


def read(
    s: Session, attachment_id: int, *, principal: Principal | None, client_addr: str | None = None
) -> dict[str, Any]:
    """A file for download (filename, content_type, data, sha256), if the user may see the
    incident: map users within its grid's scope. Read in the caller's unit of work ``s``
    (opened with ``principal``), where the read is audited; a probe of a file outside the
    user's scope is refused like every other out-of-scope object (403, audited by the
    caller's error handler in a transaction of its own)."""
    user = require(principal, MAP_VIEW)
    row = q.one(s, int(attachment_id))
    if row is None:
        raise NotFound("error.not_found", what=f"attachment {attachment_id}")
    if not user.covers(row["grid_code"] or ""):
        raise Forbidden("error.out_of_scope")
    audit.record(
        s,
        action="view_attachment",
        user_id=user.user_id or None,
        username=user.username,
        role=user.role,
        object_type="incident",
        object_id=row["incident_id"],
        client_addr=client_addr,
        detail={"attachment": row["id"], "filename": row["filename"], "size": row["size"]},
    )
    return {k: row[k] for k in ("id", "filename", "content_type", "data", "sha256")}
