"""Field encryption for personal data at rest (AES-256-GCM) and blind indexes.

Stored form of an encrypted field: ``b"\\x01" || nonce (12 bytes) || ciphertext || tag``.
The leading byte is the format/key version, so the key can be rotated later. The
associated data binds a ciphertext to its place (``table.column:row-id``): a value copied
into another row or column fails to decrypt instead of showing the wrong person.

Two keys are derived (HKDF-SHA256) from the one master key of the settings
(``MINQING_DATA_KEY`` or ``.data/data_key``, never in the repository): one encrypts, one
computes blind indexes (HMAC-SHA256 of a normalised value) for exact-match lookups such as
"is this ID number already registered" without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
NONCE_BYTES = 12


class DecryptionError(RuntimeError):
    """A stored value does not decrypt with this key at this place (wrong key, moved or
    altered ciphertext)."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


class FieldCipher:
    """Encrypts and decrypts text fields; computes blind indexes."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"minqing field encryption v1"))
        self._mac_key = _derive(master_key, b"minqing blind index v1")

    @staticmethod
    def place(table: str, column: str, row_id: object) -> bytes:
        """Associated data for one field of one row."""
        return f"{table}.{column}:{row_id}".encode()

    def encrypt(self, value: str | None, aad: bytes) -> bytes | None:
        if value is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, value.encode(), aad)

    def decrypt(self, blob: bytes | memoryview | None, aad: bytes) -> str | None:
        if blob is None:
            return None
        data = bytes(blob)
        if len(data) < 1 + NONCE_BYTES + 16 or data[:1] != VERSION:
            raise DecryptionError(f"not an encrypted field ({aad.decode()})")
        nonce, body = data[1 : 1 + NONCE_BYTES], data[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, aad).decode()
        except InvalidTag as err:
            raise DecryptionError(f"cannot decrypt {aad.decode()}") from err

    def blind_index(self, value: str | None, kind: str) -> bytes | None:
        """HMAC of the normalised value (upper case, no spaces), per kind of value."""
        if value is None:
            return None
        norm = "".join(value.split()).upper()
        return hmac.new(self._mac_key, f"{kind}:{norm}".encode(), hashlib.sha256).digest()


@lru_cache(maxsize=4)
def _cipher_for(key: bytes) -> FieldCipher:
    return FieldCipher(key)


def cipher() -> FieldCipher:
    """The cipher of the configured data key."""
    from settings import data_key, get_settings

    return _cipher_for(data_key(get_settings()))
