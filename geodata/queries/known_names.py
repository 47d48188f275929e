"""The names the system knows around incidents, for masking them in free text: each
incident's reporter and the key persons of its community, decrypted.

Both tables are under row-level security: the caller's transaction must carry an area
scope (``session_scope(scope=...)`` or ``geodata.db.set_scope``); rows outside it are not
returned, and with no scope nothing is. Names leave here only to be masked
(``governance/known_names.py``), never to be shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.crypto import cipher

COMMUNITY_DIGITS = 12  # an area code's community prefix (county 6, street 9, grid 15)


def reporter_names(session: Session, incident_ids: Sequence[int]) -> dict[int, str]:
    """``{incident id: reporter's name}`` of those incidents that have a named reporter."""
    if not incident_ids:
        return {}
    rows = session.execute(
        text("""SELECT incident_id, name_enc FROM incident_reporter
                WHERE incident_id = ANY(:ids) AND name_enc IS NOT NULL"""),
        {"ids": list(incident_ids)},
    )
    c = cipher()
    out = {}
    for iid, enc in rows:
        name = c.decrypt(enc, c.place("incident_reporter", "name", iid))
        if name:
            out[int(iid)] = name
    return out


def incident_communities(session: Session, incident_ids: Sequence[int]) -> dict[int, str]:
    """``{incident id: its community's code prefix}`` (incidents in a grid only)."""
    if not incident_ids:
        return {}
    rows = session.execute(
        text(f"""SELECT i.id, left(g.code, {COMMUNITY_DIGITS}) FROM incident i
                 JOIN area g ON g.id = i.grid_id WHERE i.id = ANY(:ids)"""),
        {"ids": list(incident_ids)},
    )
    return {int(iid): str(code) for iid, code in rows}


def key_person_names(session: Session, communities: Sequence[str]) -> dict[str, list[str]]:
    """``{community code: names of the key persons living in it}``, each name decrypted
    once."""
    if not communities:
        return {}
    rows = session.execute(
        text(f"""SELECT left(g.code, {COMMUNITY_DIGITS}) AS community, p.id, k.full_name_enc
                 FROM key_person p JOIN area g ON g.id = p.grid_id
                 JOIN key_person_identity k ON k.person_id = p.id
                 WHERE left(g.code, {COMMUNITY_DIGITS}) = ANY(:communities)"""),
        {"communities": sorted(set(communities))},
    )
    c = cipher()
    out: dict[str, list[str]] = defaultdict(list)
    for community, pid, enc in rows:
        name = c.decrypt(enc, c.place("key_person_identity", "full_name", pid))
        if name:
            out[str(community)].append(name)
    return dict(out)
