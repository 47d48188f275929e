"""Masking of personal data for display (张*三, 138****1234, 110***********1234)."""

from __future__ import annotations

from governance import pii


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(idn: str | None) -> str | None:
    if not idn:
        return idn
    if len(idn) < 8:
        return "*" * len(idn)
    return idn[:3] + "*" * (len(idn) - 7) + idn[-4:]


def redact_contacts(text: str | None) -> str | None:
    """Free text with personal data masked: phone, ID and bank card numbers in any written
    form, house numbers, names next to cues. Kept for its callers; the detector is
    :func:`governance.pii.redact`, which also takes the names the system knows."""
    return pii.redact(text)
