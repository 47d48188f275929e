"""Uploads of the area import page (/import/areas): the file kept server-side, raw.

The page needs the same file for every preview and for the import. Sending it with
each callback would let one hostile file cost its upload and its parsing again and
again, so, like the hotline import (:mod:`governance.file_uploads`), the upload
callback keeps it in ``file_upload`` under a random id and the later callbacks send
only that id. Unlike a hotline table, a boundary file is kept as the bytes uploaded
(zlib-compressed, then encrypted with the data key, bound to its row, behind a marker
of its own so neither store can open the other's payload): re-reading a Shapefile is
what :func:`governance.area_files.read_area_file` does best, and the reader's notes
(an encoding detected, a member skipped) stay the reader's.

The rules are :mod:`governance.file_uploads`' own: 192 random bits, only its SHA-256
stored; bound to the account (anyone else: :class:`Forbidden`); 30 minutes; at most
three uploads per account (both kinds together). The web takes files up to
:data:`MAX_WEB_BYTES`; bigger ones (a whole province) go through
``python app.py import areas FILE``, which reads from disk.

Every function checks the capability first (:func:`governance.area_import.allowed`),
before anything sent is decoded or parsed. They run in the caller's transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from geodata.crypto import DecryptionError, FieldCipher, cipher
from geodata.queries import file_uploads as q
from governance import area_import
from governance.access import Principal
from governance.area_files import AreaFile, read_area_file
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.file_uploads import MAX_UPLOADS_PER_USER, UPLOAD_TTL
from governance.intake_checks import PayloadTooLarge

MAX_WEB_BYTES: Final = 16 * 2**20  # the file as uploaded through the page
MAX_NAME: Final = 120  # characters of the file name kept
_MARKER: Final = "areas1:"  # the sealed text of an area upload starts with this
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
_DATA_URL = re.compile(r"^data:[^,]{0,200};base64,", re.IGNORECASE)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Upload:
    """What the page shows of a fresh upload, and the id it keeps."""

    id: str
    filename: str
    format: str
    count: int
    headers: list[str]
    mapping: dict[str, str | None]
    mapping_from: str  # remembered | guessed
    notes: list[str]  # i18n keys of what reading did


# ----------------------------------------------------------------------------- the wire
def decode(contents: object) -> bytes:
    """The bytes of a ``data:...;base64,...`` URL (what dcc.Upload sends), the size
    checked on the encoded length before anything is decoded."""
    if not isinstance(contents, str) or not contents:
        raise InvalidInput("area_page.error.upload")
    head = _DATA_URL.match(contents)
    if head is None:
        raise InvalidInput("area_page.error.upload")
    b64 = contents[head.end() :]
    if len(b64) * 3 // 4 > MAX_WEB_BYTES + 2:  # +2: the padding the length counts
        raise PayloadTooLarge(
            "area_page.error.too_large",
            mb=round(len(b64) * 3 / 4 / 2**20, 1),
            max_mb=MAX_WEB_BYTES // 2**20,
        )
    try:
        data = binascii.a2b_base64(b64, strict_mode=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidInput("area_page.error.upload") from err
    if not data:
        raise InvalidInput("area_page.error.upload")
    return data


def clean_name(filename: object) -> str:
    """The file name as shown and stored: text, no control or direction characters."""
    name = _UNSAFE.sub("", filename if isinstance(filename, str) else "")
    name = name.encode("utf-8", "replace").decode("utf-8").strip()
    return name[-MAX_NAME:] or "upload"


# ----------------------------------------------------------------------------- the store
def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _place(c: FieldCipher, key_hash: str) -> bytes:
    return c.place("file_upload", "payload", key_hash)


def _seal(data: bytes, key_hash: str) -> bytes:
    packed = _MARKER + base64.b64encode(zlib.compress(data, 1)).decode("ascii")
    c = cipher()
    sealed = c.encrypt(packed, _place(c, key_hash))
    assert sealed is not None
    return sealed


def _open(payload: bytes, key_hash: str) -> bytes:
    c = cipher()
    packed = c.decrypt(payload, _place(c, key_hash)) or ""
    if not packed.startswith(_MARKER):
        raise ValueError("not an area upload")
    return zlib.decompress(base64.b64decode(packed[len(_MARKER) :]))


def upload(s: Session, principal: Principal | None, filename: object, contents: object) -> Upload:
    """Read a file sent by the page (once, to say what it holds) and keep its bytes for
    ``principal``; refusals are translated :class:`InvalidInput` / :class:`Forbidden`."""
    who = area_import.allowed(principal)
    if not who.user_id:
        raise Forbidden("error.forbidden")  # a machine token: no account to bind it to
    data = decode(contents)
    name = clean_name(filename)
    file = read_area_file(data, name)
    mapping, source = area_import.proposed_mapping(s, file)
    token = secrets.token_urlsafe(24)
    key_hash = _key(token)
    q.delete_expired(s)
    q.insert(
        s,
        key_hash=key_hash,
        user_id=who.user_id,
        filename=name,
        row_count=file.count,
        payload=_seal(data, key_hash),
        ttl_seconds=int(UPLOAD_TTL.total_seconds()),
    )
    q.keep_latest(s, who.user_id, MAX_UPLOADS_PER_USER)
    return Upload(
        token, name, file.format, file.count, file.headers, mapping, source, list(file.notes)
    )


def load(s: Session, principal: Principal | None, token: object) -> AreaFile:
    """The file of upload ``token``, read again.

    Raises
    ------
    NotFound
        No such upload, it expired, or it is not an area upload ("choose the file again").
    Forbidden
        The upload is another account's.
    """
    who = area_import.allowed(principal)
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound("area_page.error.expired")
    key_hash = _key(token)
    row = q.get(s, key_hash)
    if row is None:
        raise NotFound("area_page.error.expired")
    if row["user_id"] != who.user_id:
        raise Forbidden("area_page.error.not_yours")
    try:
        data = _open(bytes(row["payload"]), key_hash)
    except (DecryptionError, ValueError, binascii.Error, zlib.error) as err:
        raise NotFound("area_page.error.expired") from err  # e.g. the data key was changed
    return read_area_file(data, str(row["filename"]))


def discard(s: Session, token: str) -> None:
    """Forget upload ``token`` (it was imported)."""
    q.delete(s, _key(token))
