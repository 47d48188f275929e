"""Data classification registry (数据分类分级).

Levels follow GB/T 43697-2024 (数据安全技术 数据分类分级规则): ``core`` 核心数据,
``important`` 重要数据, ``general`` 一般数据. The personal-information class follows
PIPL art. 4 and 28: ``sensitive_personal`` 敏感个人信息 (e.g. health, criminal record,
whereabouts, ID numbers, credentials), ``personal`` 个人信息, or ``None``.

Every column of each table that holds personal or sensitive data is registered here,
with the masking rule that applies when it is shown to someone not cleared for the
clear value. ``tests/integration/test_audit.py`` checks the registry against the
migrated schema in both directions, so a new column cannot go unclassified.
"""

from __future__ import annotations

import enum
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from i18n import t

if TYPE_CHECKING:
    from governance.access import Principal

log = logging.getLogger(__name__)


class DataLevel(enum.StrEnum):
    """GB/T 43697-2024 levels, highest first."""

    CORE = "core"
    IMPORTANT = "important"
    GENERAL = "general"


class PIClass(enum.StrEnum):
    """PIPL personal-information class of a column (``None`` when not personal)."""

    SENSITIVE = "sensitive_personal"
    PERSONAL = "personal"


#: Masking rules and what implements them (``None``: a policy enforced by access rules
#: or by review, not by one function).
MASKING_RULES: dict[str, str | None] = {
    "none": None,  # shown as stored to roles that may see the table at all
    "mask_name": "governance.masking.mask_name",  # 张*三
    "mask_phone": "governance.masking.mask_phone",  # 138****1234
    "mask_id_number": "governance.masking.mask_id_number",  # 110***********1234
    "mask_address": "governance.persons.mask_address",  # down to the community
    "aggregate": None,  # counts per grid / H3 cell unless the role may see points
    # free text: phones, ID and card numbers, house numbers, names next to cues; callers
    # that know an incident's reporter and key persons pass their names too (governance/pii.py)
    "redact_pii": "governance.pii.redact",
    "role_gated": None,  # only roles holding the table's capability (audit.view)
    "withhold": None,  # never leaves the server
}


@dataclass(frozen=True)
class ColumnClass:
    """Classification of one column."""

    level: DataLevel
    pi: PIClass | None
    masking: str = "none"
    at_rest: str = "plain"  # or "aes-256-gcm" (geodata/crypto.py), "hmac" (blind index)


_GEN, _IMP = DataLevel.GENERAL, DataLevel.IMPORTANT
_SPI, _PI = PIClass.SENSITIVE, PIClass.PERSONAL


def _c(
    level: DataLevel, pi: PIClass | None = None, masking: str = "none", at_rest: str = "plain"
) -> ColumnClass:
    return ColumnClass(level, pi, masking, at_rest)


_AES, _HMAC = "aes-256-gcm", "hmac"


def _plain(*names: str) -> dict[str, ColumnClass]:
    return {n: _c(_GEN) for n in names}


REGISTRY: dict[str, dict[str, ColumnClass]] = {
    # Key persons: the category (mental disorder, community correction, drug
    # rehabilitation, petitioner ...) is health / criminal / political information once
    # joined to an identity, and the point is where the person lives (whereabouts).
    "key_person": {
        "id": _c(_GEN, _PI),  # pseudonymous key of an identity
        "code": _c(_GEN, _PI),  # the department's own key (人员编号): pseudonymous too
        "category": _c(_IMP, _SPI, "aggregate"),
        "care_level": _c(_GEN, _PI),
        "grid_id": _c(_GEN, _PI),
        "geom": _c(_IMP, _SPI, "aggregate"),
    },
    # Identity: encrypted at rest; the blind index only answers "same ID number?".
    "key_person_identity": {
        "person_id": _c(_GEN, _PI),
        "full_name_enc": _c(_IMP, _SPI, "mask_name", _AES),
        "id_number_enc": _c(_IMP, _SPI, "mask_id_number", _AES),
        "phone_enc": _c(_IMP, _SPI, "mask_phone", _AES),
        "address_enc": _c(_IMP, _SPI, "mask_address", _AES),
        "id_number_bidx": _c(_IMP, _SPI, "withhold", _HMAC),
    },
    # Who reported an incident (hotline callers, the public): encrypted at rest.
    "incident_reporter": {
        "incident_id": _c(_GEN, _PI),
        "name_enc": _c(_GEN, _PI, "mask_name", _AES),
        "phone_enc": _c(_GEN, _PI, "mask_phone", _AES),
        "phone_bidx": _c(_GEN, _PI, "withhold", _HMAC),
    },
    # Areas: only the grid worker's published duty contact is personal.
    "area": {
        **_plain(
            "id",
            "code",
            "name",
            "level",
            "parent_id",
            "is_urban",
            "population",
            "geom",
            "label_point",
        ),
        "worker_name": _c(_GEN, _PI),
        "worker_phone": _c(_GEN, _PI),
    },
    # Incidents: free text and address may name or locate the reporter or others.
    "incident": {
        **_plain(
            "id",
            "source",
            "external_id",
            "category_code",
            "occurred_at",
            "reported_at",
            "grid_id",
            "status",
            "priority",
            "geom",
            "h3_6",
            "h3_7",
            "h3_8",
            "h3_9",
            "h3_10",
            "version",
            "created_at",
            "lead_department_id",
            "assist_department_ids",
            "escalation_level",
            "accept_due_at",
            "resolve_due_at",
            "dispatched_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "extension_requested_until",
            "suspended_from",
            "suspended_at",
            "merged_into_id",
            "reopen_count",
            "location_flag",
            "updated_at",
        ),
        # the public reporter's key to follow their case: like a password, never exported
        "tracking_code": _c(_GEN, _PI, "withhold"),
        "description": _c(_GEN, _PI, "redact_pii"),
        "address": _c(_GEN, _PI, "mask_address"),
    },
    # The timeline: which member of staff did what; notes are free text.
    "incident_event": {
        **_plain("id", "incident_id", "at", "action", "from_status", "to_status", "version"),
        **{
            n: _c(_GEN, _PI)
            for n in (
                "actor_user_id",
                "actor_name",
                "actor_role",
                "actor_department_id",
                "actor_token_id",
            )
        },
        "note": _c(_GEN, _PI, "redact_pii"),
        "detail": _c(_GEN, _PI),
    },
    # Patrol and care visits: who checked in where and when is the staff member's
    # whereabouts (the position never leaves the server: the distance is shown); a care
    # visit's answers describe a key person's health, supervision and living conditions.
    "patrol_submission": {
        **{
            n: _c(_GEN, _PI)
            for n in (
                "id",
                "task_id",
                "client_id",
                "template_version_id",
                "submitted_by",
                "submitted_at",
                "filled_at",
                "distance_m",
                "on_site",
                "flags",
                "late",
                "failed_items",
            )
        },
        "lon": _c(_GEN, _PI, "withhold"),
        "lat": _c(_GEN, _PI, "withhold"),
        "accuracy_m": _c(_GEN, _PI, "withhold"),
        "answers": _c(_IMP, _SPI, "redact_pii"),
        "off_site_reason": _c(_GEN, _PI, "redact_pii"),
    },
    # Photos of the spot may show people: only for who may read the submission, audited.
    "patrol_photo": {
        **_plain("id", "submission_id", "item_key", "content_type", "size", "sha256"),
        "data": _c(_GEN, _PI, "role_gated"),
    },
    # Residents' ratings: the comment is free text.
    "incident_feedback": {
        **_plain("id", "incident_id", "rating", "channel", "at"),
        "comment": _c(_GEN, _PI, "redact_pii"),
    },
    # Accounts of identifiable staff; credentials are sensitive and never shown.
    "app_user": {
        **{
            n: _c(_GEN, _PI)
            for n in (
                "id",
                "username",
                "display_name",
                "role",
                "area_id",
                "department_id",
                "disabled",
                "failed_logins",
                "locked_until",
                "password_changed_at",
                "must_change_password",
                "created_at",
            )
        },
        "password_hash": _c(_GEN, _SPI, "withhold"),
    },
    # Signed-in sessions: who was online from where (the id itself is stored hashed).
    "user_session": {
        **_plain("created_at", "revoked_at"),
        "sid_hash": _c(_GEN, _PI, "withhold"),
        "user_id": _c(_GEN, _PI, "role_gated"),
        "client_addr": _c(_GEN, _PI, "role_gated"),
    },
    # Machine tokens: only a hash of the secret is stored, and it never leaves the server.
    "api_token": {
        **_plain(
            "id",
            "kind",
            "name",
            "source",
            "scopes",
            "area_id",
            "token_prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ),
        "created_by": _c(_GEN, _PI, "role_gated"),
        "token_hash": _c(_GEN, None, "withhold"),
    },
    # Audit trail: who did what from where; readable by auditors only.
    "audit_log": {
        **_plain("id", "at", "role", "action", "object_type", "outcome", "prev_hash", "row_hash"),
        **{
            n: _c(_GEN, _PI, "role_gated")
            for n in ("user_id", "username", "object_id", "client_addr", "reason", "detail")
        },
    },
    # Rate limits (migration 0011): a bucket names a client address; kept a day.
    "rate_limit": {
        **_plain("window_start", "hits", "refused", "audited"),
        "bucket": _c(_GEN, _PI, "role_gated"),
    },
    # A file being imported (migration 0012): hotline exports carry callers' names and
    # phones, so the parsed table is stored compressed and encrypted, for 30 minutes.
    "file_upload": {
        **_plain("key_hash", "row_count", "size", "created_at", "expires_at"),
        "user_id": _c(_GEN, _PI, "role_gated"),
        "filename": _c(_GEN, _PI, "role_gated"),
        "payload": _c(_IMP, _SPI, "withhold", _AES),
    },
    # Column mappings per file layout (migration 0017): column names, no values.
    "import_layout": {**_plain("signature", "kind", "mapping", "used_at")},
    # Emerging hot-spot analysis (migration 0021): aggregates per H3 cell, no one in them.
    "emerging_run": {
        **_plain(
            "id",
            "scope",
            "weeks",
            "permutations",
            "alpha",
            "seed",
            "period_start",
            "period_end",
            "cells",
            "incidents",
            "method",
            "computed_at",
        )
    },
    "emerging_cell": {
        **_plain(
            "run_id",
            "h3_8",
            "category",
            "grid_code",
            "total",
            "hot_bins",
            "cold_bins",
            "last_z",
            "trend_tau",
            "trend_z",
            "trend_p",
            "count_tau",
            "count_p",
        )
    },
    # Kept period figures (migration 0029_kept_figures): a closed period's cross-check
    # counts (per cell and grid) and the weekly packet's repeated addresses, the latter
    # stored already redacted (house numbers starred, as the packet prints them).
    "kept_figure": {
        **_plain("id", "kind", "scope", "period_start", "period_end", "params", "computed_at"),
        "body": _c(_GEN, _PI, "redact_pii"),
    },
    # Spike warnings (migration 0022_spike_warnings): counts per street x category and
    # their test; the evidence is daily counts. No incident, no person.
    "spike_warning": {
        **_plain(
            "id",
            "area_id",
            "category_code",
            "window_start",
            "window_end",
            "window_hour",
            "observed",
            "expected",
            "p",
            "q",
            "evidence",
            "created_at",
        )
    },
    # Alerts (migration 0023_alerts): numbers, codes and times only (the evidence is
    # checked against an allow-list per kind); who subscribed to what is about staff.
    "alert": {
        **_plain("id", "kind", "area_code", "category_code", "dedup_key", "evidence", "created_at")
    },
    "alert_subscription": {
        **_plain("id", "kind", "area_prefix", "area_code", "category_code", "created_at"),
        "user_id": _c(_GEN, _PI),
    },
    "alert_inbox": {**_plain("alert_id", "created_at", "read_at"), "user_id": _c(_GEN, _PI)},
    # Webhook endpoints: the HMAC secret is encrypted and shown once, when it is made.
    "webhook_target": {
        **_plain(
            "id",
            "name",
            "url",
            "kinds",
            "area_prefix",
            "category_code",
            "created_at",
            "disabled_at",
        ),
        "created_by": _c(_GEN, _PI, "role_gated"),
        "secret_enc": _c(_GEN, None, "withhold", _AES),
    },
    "webhook_delivery": {
        **_plain(
            "id",
            "target_id",
            "alert_id",
            "status",
            "attempts",
            "next_at",
            "created_at",
            "sent_at",
        )
    },
    "webhook_attempt": {**_plain("id", "delivery_id", "at", "status_code", "error", "duration_ms")},
    # Incident counts per day x H3 cells x category x source x grid (migration
    # 0024_incident_rollup), kept by triggers for the density layer. ``extent`` is the box
    # of the counted points: for a key with one incident it is that incident's point,
    # classified as ``incident.geom`` is.
    "incident_rollup": {
        **_plain(
            "day",
            "h3_10",
            "h3_9",
            "h3_8",
            "h3_7",
            "h3_6",
            "category_code",
            "source",
            "grid_id",
            "n",
            "extent",
        )
    },
    # Counted incidents per H3 cell (res 6-8) x bucket of 2^lvl days x street code prefix,
    # and the deltas not folded in yet (migration 0028_coarse_rollup), kept by triggers for
    # the density and incidents layers. The box (x0, y0, x1, y1) and the coordinate sums
    # are derived from incident points: for a row of one incident, its point, classified
    # as ``incident_rollup.extent`` is.
    "incident_coarse": {
        **_plain("res", "lvl", "bucket", "cell", "street", "n", "sx", "sy", "x0", "y0", "x1", "y1")
    },
    "incident_coarse_delta": {
        **_plain("res", "day", "cell", "street", "n", "sx", "sy", "x0", "y0", "x1", "y1")
    },
    # Open cases per street code prefix x status x lead department, and the deltas not
    # folded in yet (migration 0032_open_case_counts), kept by triggers for the wall and
    # the dispatch board: counts of cases, no one's data.
    "open_case_count": {**_plain("street", "status", "dept", "n")},
    "open_case_delta": {**_plain("street", "status", "dept", "n")},
    # Cases received / resolved / resolved on time per hour x street code prefix, and the
    # deltas not folded in yet (migration 0033_hour_counts), kept by triggers for the
    # wall's figures of today: counts of cases, no one's data.
    "incident_hour_count": {**_plain("kind", "hour", "street", "n")},
    "incident_hour_delta": {**_plain("kind", "hour", "street", "n")},
}


def _entry(table: str, column: str) -> ColumnClass:
    try:
        return REGISTRY[table][column]
    except KeyError:
        raise KeyError(f"{table}.{column} is not in the classification registry") from None


def level_of(table: str, column: str) -> DataLevel:
    """The GB/T 43697 level of ``table.column``; KeyError if unregistered."""
    return _entry(table, column).level


def pi_class(table: str, column: str) -> PIClass | None:
    """The PIPL class of ``table.column`` (``None``: not personal); KeyError if unregistered."""
    return _entry(table, column).pi


def is_personal(table: str, column: str) -> bool:
    """Whether ``table.column`` holds personal information (sensitive or not)."""
    return _entry(table, column).pi is not None


def masking_rule(table: str, column: str) -> str:
    """The name of the masking rule of ``table.column`` (a key of :data:`MASKING_RULES`)."""
    return _entry(table, column).masking


def columns(level: DataLevel | str | None = None) -> list[tuple[str, str]]:
    """Registered ``(table, column)`` pairs, all or of one level, in registry order."""
    return [
        (tab, col)
        for tab, cols in REGISTRY.items()
        for col, c in cols.items()
        if level is None or c.level == level
    ]


def catalog_rows(lang: str | None = None) -> list[dict[str, str | None]]:
    """The registry as rows with level and PI class names translated into ``lang``."""
    return [
        {
            "table": tab,
            "column": col,
            "level": c.level.value,
            "level_name": t(f"data_level.{c.level.value}", lang),
            "pi": c.pi.value if c.pi else None,
            "pi_name": t(f"pi_class.{c.pi.value if c.pi else 'none'}", lang),
            "masking": c.masking,
            "at_rest": c.at_rest,
        }
        for tab, cols in REGISTRY.items()
        for col, c in cols.items()
    ]


# -- rules applied: display masking and exports -----------------------------------------
# Who may take "role_gated" columns of a table out of the server.
EXPORT_CAPABILITY = {
    "audit_log": "audit.view",
    "user_session": "audit.view",
    "rate_limit": "audit.view",
    "file_upload": "incident.import",
    "app_user": "users.manage",
    "api_token": "users.manage",
}


def masked(table: str, column: str, value: Any, *, context: str | None = None) -> Any:
    """``value`` of ``table.column`` as shown to someone not cleared for the clear value,
    by the column's registered rule (``context``: the community, for addresses).
    Rules enforced by access checks rather than by a value ("aggregate", "role_gated")
    leave the value as it is; "withhold" gives None."""
    rule = masking_rule(table, column)
    if rule == "withhold":
        return None
    path = MASKING_RULES[rule]
    if path is None:
        return value
    module, name = path.rsplit(".", 1)
    fn = getattr(importlib.import_module(module), name)
    return fn(value, context) if rule == "mask_address" else fn(value)


def export_columns(
    table: str, columns: Sequence[str], principal: Principal
) -> dict[str, Callable[[Any], Any]]:
    """For each of ``columns``, how a stored value goes into an export for ``principal``.

    Exports never carry a clear identity (clear views are one-off, with a reason): masked
    columns are exported masked. Withheld and aggregate-only columns never leave the
    server as row values, and role-gated ones only to the table's capability; asking
    for one of those raises :class:`Forbidden` naming it.
    """
    from governance.errors import Forbidden

    out: dict[str, Callable[[Any], Any]] = {}
    for col in columns:
        rule = masking_rule(table, col)
        needed = EXPORT_CAPABILITY.get(table)
        if rule in ("withhold", "aggregate") or (
            rule == "role_gated" and (needed is None or not principal.can(needed))
        ):
            raise Forbidden("error.export_column", column=f"{table}.{col}")
        if rule in ("none", "role_gated"):
            out[col] = _as_is
        else:
            out[col] = partial(masked, table, col)
    return out


def _as_is(value: Any) -> Any:
    return value
