"""Masking of personal data for display (张*三, 138****1234, 110***********1234)."""

from __future__ import annotations

import re


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


_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}\d{7}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def redact_contacts(text: str | None) -> str | None:
    """Free text with ID numbers and phone numbers masked (a resident's number typed
    into an incident description by a hotline operator, say)."""
    if not text:
        return text

    def digits_only(m: re.Match[str]) -> str:
        raw = re.sub(r"[- ]", "", m.group(0))
        return mask_phone(raw) or ""

    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)) or "", text)
    text = _MOBILE.sub(digits_only, text)
    return _LANDLINE.sub(digits_only, text)
