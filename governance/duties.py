"""Separation of duties (三员分立) on accounts: who may do what to which account.

GB/T 22239-2019 (等保 2.0) asks that system administration, security administration and
audit be held by different administrators, none able to act for another. Here:

* the **system administrator** keeps accounts alive: creates them (with no role: no
  access at all), disables and enables them, unlocks them, resets their passwords (the
  owner must then choose a new one at the next sign-in);
* the **security administrator** decides what an account may do: its role, area scope
  and department;
* the **auditor** reads the audit trail (and nothing here);
* the **installer** (``python app.py users`` without ``--as``, run by the host's
  operator, who owns the database anyway) manages only the three administrators'
  accounts: their creation, a lost password, disabling one. Business accounts from the
  command line need an administrator's own identity (``--as``) and obey the same rules
  as the page;
* nobody changes their own account here (only their own password, knowing it).

The table is the rule, read in one place (:func:`check`); the README prints it, and
tests/integration/test_duties.py has a test for each cell.
"""

from __future__ import annotations

import enum
from typing import Final

from geodata.models import Role
from governance.access import Principal
from governance.errors import Forbidden
from i18n import t


class Duty(enum.StrEnum):
    """What can be done to an account."""

    VIEW = "view"  # the account list and one account
    CREATE = "create"
    ASSIGN = "assign"  # role, area scope, department
    DISABLE = "disable"  # and enable
    UNLOCK = "unlock"
    RESET_PASSWORD = "reset_password"


ADMIN_ROLES: Final = frozenset({Role.SYSADMIN.value, Role.SECADMIN.value, Role.AUDITOR.value})
INSTALLER_ACTOR: Final = "installer"
BUSINESS: Final = "business"  # an operational role, or none yet
ADMIN: Final = "admin"  # one of ADMIN_ROLES

#: (duty, kind of target account) -> the actors who may do it. Actors: the three
#: administrator roles, "installer". Anything not listed is refused.
MATRIX: Final[dict[tuple[Duty, str], frozenset[str]]] = {
    (Duty.VIEW, BUSINESS): frozenset({"sysadmin", "secadmin", INSTALLER_ACTOR}),
    (Duty.VIEW, ADMIN): frozenset({"sysadmin", "secadmin", INSTALLER_ACTOR}),
    (Duty.CREATE, BUSINESS): frozenset({"sysadmin"}),
    (Duty.CREATE, ADMIN): frozenset({INSTALLER_ACTOR}),
    (Duty.ASSIGN, BUSINESS): frozenset({"secadmin"}),
    (Duty.ASSIGN, ADMIN): frozenset(),
    (Duty.DISABLE, BUSINESS): frozenset({"sysadmin"}),
    (Duty.DISABLE, ADMIN): frozenset({INSTALLER_ACTOR}),
    (Duty.UNLOCK, BUSINESS): frozenset({"sysadmin"}),
    (Duty.UNLOCK, ADMIN): frozenset({"sysadmin", INSTALLER_ACTOR}),
    (Duty.RESET_PASSWORD, BUSINESS): frozenset({"sysadmin"}),
    (Duty.RESET_PASSWORD, ADMIN): frozenset({INSTALLER_ACTOR}),
}

#: The command line without ``--as``. Only code holds this object (checked by identity).
INSTALLER: Final = Principal(
    user_id=0, username="cli", display_name="command line (installer)", role=None
)


def actor(principal: Principal) -> str:
    """The principal's part in the matrix: its administrator role, "installer", or its
    role name (an operational role, which the matrix never lists)."""
    if principal is INSTALLER:
        return INSTALLER_ACTOR
    return principal.role or "none"


def kind(role: str | None) -> str:
    """The target account's kind: "admin" for the three administrators, else "business"."""
    return ADMIN if role in ADMIN_ROLES else BUSINESS


def allowed(principal: Principal | None, duty: Duty, target_role: str | None) -> bool:
    return principal is not None and actor(principal) in MATRIX[(duty, kind(target_role))]


class NotYourDuty(Forbidden):
    """Refused by the matrix; the message names the duty and who holds it."""

    def __init__(self, duty: Duty, target_kind: str) -> None:
        super().__init__("error.users.not_your_duty", duty=duty.value, target=target_kind)
        self.owners = sorted(MATRIX[(duty, target_kind)])

    def user_message(self, lang: str | None = None) -> str:
        who = "、" if lang != "en" else ", "
        owners = who.join(t(f"users.actor.{o}", lang) for o in self.owners)
        return t(
            self.key,
            lang,
            duty=t(f"users.duty.{self.params['duty']}", lang),
            owners=owners or t("users.actor.nobody", lang),
        )


def check(principal: Principal | None, duty: Duty, target_role: str | None) -> Principal:
    """The principal, if the matrix lets it do ``duty`` to an account of ``target_role``;
    else :class:`NotYourDuty` (a 403, audited on the caller's error path)."""
    if principal is None or not allowed(principal, duty, target_role):
        raise NotYourDuty(duty, kind(target_role))
    return principal
