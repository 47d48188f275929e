"""The names to mask in incidents' free text: its reporter's and those of the key persons
of its community (``governance/pii.py`` masks every occurrence of a known name).

:func:`load` reads and decrypts them once for a whole list of incidents (an export of
50,000 rows, a briefing's table, one tracking page) in the caller's transaction, which
must carry the row-level security scope of the reader (``geodata/queries/known_names.py``).
One compiled matcher is built per community and shared by its incidents; the reporter's
name is added per incident without compiling anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from geodata.queries import known_names as q
from governance import pii


@dataclass
class IncidentNames:
    """Known names by incident (see :func:`load`)."""

    reporters: Mapping[int, str] = field(default_factory=dict)
    community_of: Mapping[int, str] = field(default_factory=dict)
    persons: Mapping[str, Sequence[str]] = field(default_factory=dict)
    _matchers: dict[str | None, pii.KnownNames] = field(default_factory=dict, repr=False)

    def matcher(self, incident_id: int | None) -> pii.KnownNames:
        """The names known for ``incident_id`` (none for an unknown id)."""
        if incident_id is None:
            return pii.KnownNames()
        community = self.community_of.get(incident_id)
        base = self._matchers.get(community)
        if base is None:
            base = pii.KnownNames(self.persons.get(community or "", ()))
            self._matchers[community] = base
        reporter = self.reporters.get(incident_id)
        return base.plus((reporter,)) if reporter else base

    def redact(self, incident_id: int | None, text: str | None) -> str | None:
        """``text`` of ``incident_id`` with its personal data and known names masked."""
        if not text:
            return text
        return pii.redact(text, self.matcher(incident_id))


def load(session: Session, incident_ids: Iterable[int]) -> IncidentNames:
    """The known names of ``incident_ids``, read in ``session`` (its RLS scope applies)."""
    ids = sorted({int(i) for i in incident_ids})
    if not ids:
        return IncidentNames()
    community_of = q.incident_communities(session, ids)
    return IncidentNames(
        reporters=q.reporter_names(session, ids),
        community_of=community_of,
        persons=q.key_person_names(session, list(set(community_of.values()))),
    )
