"""Key persons: masked by default; shown in clear only with a typed reason, audited.

Masking happens here, on the server: a masked view never carries the clear value, so
nothing in a callback response or API body can leak it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.queries import areas as area_q
from geodata.queries import persons as q
from governance import reveal_reason
from governance.access import PERSONS_POINTS, PERSONS_REVEAL, Principal, require, require_area
from governance.areas import crumb
from governance.classification import masked
from governance.errors import NotFound
from i18n import t

MIN_REASON = reveal_reason.MIN_REASON
TABLE = "key_person_identity"  # its columns' masking rules: governance/classification.py
IDENTITY_FIELDS = ("full_name", "id_number", "phone", "address")


def mask_address(address: str | None, community: str | None) -> str | None:
    """Exact addresses are shown down to the community only."""
    if not address:
        return address
    return f"{community}***" if community else "***"


def _view(row: dict, chain: list[dict], lang: str, principal: Principal, clear: bool) -> dict:
    community = next((c["name"] for c in chain if c["level"] == "community"), None)
    ident = {
        f: row[f] if clear else masked(TABLE, f"{f}_enc", row[f], context=community)
        for f in IDENTITY_FIELDS
    }
    return {
        "id": row["id"],
        "category": row["category"],
        "category_label": t(f"person.{row['category']}", lang),
        "care_level": row["care_level"],
        "masked": not clear,
        **ident,
        "can_reveal": principal.can(PERSONS_REVEAL),
        "breadcrumb": [crumb(c, lang, principal) for c in chain],
    }


def _load(s, person_id: int, principal: Principal) -> tuple[dict, list[dict]]:  # type: ignore[no-untyped-def]
    """The person's row and breadcrumb, if it exists and lies in the principal's scope."""
    row = q.person_row(s, int(person_id))
    if row is None:  # absent, or hidden by row-level security: which one decides 404/403
        grid_code = q.person_grid_code(s, int(person_id))
        if grid_code is None:
            raise NotFound("error.not_found", what=f"person {person_id}")
        require_area(principal, grid_code)
        raise NotFound("error.not_found", what=f"person {person_id}")
    require_area(principal, row["grid_code"])
    return row, area_q.ancestry(s, row["grid_id"])


def person_detail(
    s: Session, person_id: int, lang: str = "zh-CN", *, principal: Principal | None
) -> dict:
    """A key person with identity masked (张*三, 138****1234, address to the community),
    read in the caller's unit of work ``s`` (the principal's row-level-security scope)."""
    require(principal, PERSONS_POINTS)
    assert principal is not None
    row, chain = _load(s, person_id, principal)
    return _view(row, chain, lang, principal, clear=False)


def reveal(
    s: Session,
    person_id: int,
    reason: str,
    lang: str = "zh-CN",
    *,
    principal: Principal | None,
    client_addr: str | None = None,
) -> dict:
    """The identity in clear for this one view. Needs a permitted role, the person in
    scope and a typed reason; the audit record is written in the caller's unit of work
    ``s``, the same transaction as the read, so there is no clear view without its trace."""
    require(principal, PERSONS_REVEAL)
    assert principal is not None
    reason = reveal_reason.reason(reason)  # clean text, 4 to 500 characters
    row, chain = _load(s, person_id, principal)
    reveal_reason.audit_clear_view(
        s,
        principal,
        object_type="key_person",
        object_id=row["id"],
        fields=IDENTITY_FIELDS,
        reason=reason,
        client_addr=client_addr,
    )
    return _view(row, chain, lang, principal, clear=True)
