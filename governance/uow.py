"""The unit of work: one transaction, opened by the caller (DESIGN rule 4).

A route, a callback, a CLI command or a job opens it and passes the session to the use
cases it calls; the use cases decide what to do inside it and never commit, roll back or
open a transaction of their own (except where a record must outlive a refusal, such as
the audit record of a denied request: that one is written in its own transaction, and
the use case says so). Query functions in ``geodata/`` receive the same session. A test
opens the unit inside a transaction that it rolls back afterwards.

Row-level security reads the area scope from the transaction: :func:`unit_of_work` sets
the principal's (``Principal.rls_scope``: a code prefix, or the whole jurisdiction for
city-wide roles); without a principal no row under row-level security is visible, until
a use case that may see more sets it (:func:`geodata.db.set_scope`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from geodata.db import session_scope
from governance.access import Principal


@contextmanager
def unit_of_work(principal: Principal | None = None, *, admin: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error.

    ``principal`` sets the row-level-security scope to theirs; ``admin`` connects as the
    schema owner (maintenance commands and the demo seed only, never a request).
    """
    scope = principal.rls_scope if principal is not None else None
    with session_scope(scope=scope, admin=admin) as session:
        yield session
