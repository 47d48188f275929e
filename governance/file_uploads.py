"""Uploads of the file import: a file is parsed once, its table kept server-side.

The import screen needs the same table four times (upload, preview with a mapping, preview
again, import). Sending the file with every callback and parsing it each time let one
hostile file cost its CPU again and again (issue 10, finding 15). So :func:`store` keeps
the table parsed on upload in PostgreSQL (``file_upload``: shared by every worker and
app node, unlike a process cache) under a random id, and the later callbacks send only
that id:

- the id is 192 random bits; only its SHA-256 is stored;
- an upload belongs to the account that made it: :func:`load` by anyone else is
  :class:`Forbidden` (the callback's refusal audits it, like any out-of-scope probe);
- it lives :data:`UPLOAD_TTL` (the session idle timeout: an upload outlives no idle
  session); an account keeps at most :data:`MAX_UPLOADS_PER_USER`; expired uploads of
  everyone are deleted by the next upload;
- the table is compressed and encrypted with the data key (hotline exports carry callers'
  names and phones, which the database otherwise holds only encrypted), bound to its
  row; at most :data:`~governance.file_limits.MAX_STORED_BYTES`.

These functions run in the caller's transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import zlib
from datetime import timedelta
from typing import Final

from sqlalchemy.orm import Session

from geodata.crypto import DecryptionError, FieldCipher, cipher
from geodata.queries import file_uploads as q
from governance import file_limits as lim
from governance.access import Principal
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.file_tables import Table, check_size
from governance.intake_checks import PayloadTooLarge

UPLOAD_TTL: Final = timedelta(minutes=30)
MAX_UPLOADS_PER_USER: Final = 3  # a second tab or a re-upload does not lose the first
TOKEN_BYTES: Final = 24
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
_DATA_URL = re.compile(r"^data:[^,]{0,200};base64,", re.IGNORECASE)
_FORMAT = 1


# ----------------------------------------------------------------------------- the wire
def decode_upload(contents: object) -> bytes:
    """The bytes of a ``data:...;base64,...`` URL (what dcc.Upload sends), the size
    checked on the encoded length before anything is decoded."""
    if not isinstance(contents, str) or not contents:
        raise InvalidInput("import.error.upload")
    head = _DATA_URL.match(contents)
    if head is None:
        raise InvalidInput("import.error.upload")
    b64 = contents[head.end() :]
    check_size(len(b64) * 3 // 4)
    try:  # reads the (ASCII) text in place: no second copy of a 27 MB string
        return binascii.a2b_base64(b64, strict_mode=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidInput("import.error.upload") from err


# ----------------------------------------------------------------------------- the store
def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _place(c: FieldCipher, key_hash: str) -> bytes:
    return c.place("file_upload", "payload", key_hash)


def _seal(table: Table, key_hash: str) -> bytes:
    body = json.dumps(
        {
            "v": _FORMAT,
            "f": table.filename,
            "h": table.headers,
            "r": table.rows,
            "t": sorted(table.trimmed),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    packed = base64.b64encode(zlib.compress(body, 1)).decode("ascii")
    c = cipher()
    sealed = c.encrypt(packed, _place(c, key_hash))
    assert sealed is not None
    if len(sealed) > lim.MAX_STORED_BYTES:
        raise PayloadTooLarge("import.error.too_much_text", max=lim.MAX_TEXT_CHARS)
    return sealed


def _open(payload: bytes, key_hash: str) -> Table:
    c = cipher()
    packed = c.decrypt(payload, _place(c, key_hash)) or ""
    body = json.loads(zlib.decompress(base64.b64decode(packed)))
    rows = [(int(n), list(cells)) for n, cells in body["r"]]
    trimmed = frozenset((int(i), int(j)) for i, j in body.get("t", ()))  # kept before: none
    return Table(str(body["f"]), [str(h) for h in body["h"]], rows, trimmed)


def store(session: Session, principal: Principal, table: Table) -> str:
    """Keep ``table`` for ``principal``; the id the page sends back for it."""
    if not principal.user_id:
        raise Forbidden("error.forbidden")  # a machine token: no account to bind it to
    token = secrets.token_urlsafe(TOKEN_BYTES)
    key_hash = _key(token)
    q.delete_expired(session)
    q.insert(
        session,
        key_hash=key_hash,
        user_id=principal.user_id,
        filename=table.filename,
        row_count=len(table.rows),
        payload=_seal(table, key_hash),
        ttl_seconds=int(UPLOAD_TTL.total_seconds()),
    )
    q.keep_latest(session, principal.user_id, MAX_UPLOADS_PER_USER)
    return token


def load(session: Session, principal: Principal, token: object) -> Table:
    """The table of upload ``token``.

    Raises
    ------
    NotFound
        No such upload, or it expired (a translated "choose the file again").
    Forbidden
        The upload is another account's.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound("import.error.expired")
    key_hash = _key(token)
    row = q.get(session, key_hash)
    if row is None:
        raise NotFound("import.error.expired")
    if row["user_id"] != principal.user_id:
        raise Forbidden("import.error.not_yours")
    try:
        return _open(bytes(row["payload"]), key_hash)
    except (DecryptionError, ValueError, KeyError, TypeError, zlib.error) as err:
        raise NotFound("import.error.expired") from err  # e.g. the data key was changed


def discard(session: Session, token: str) -> None:
    """Forget upload ``token`` (its rows were imported)."""
    q.delete(session, _key(token))
