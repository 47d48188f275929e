"""Masking of personal data for display (张*三, 138****1234, 110***********1234)."""

from __future__ import annotations


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
