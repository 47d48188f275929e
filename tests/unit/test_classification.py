"""The data classification registry: coverage of identity data, rules, translations."""

from __future__ import annotations

import importlib

import pytest

from geodata.models import AppUser, KeyPerson, KeyPersonIdentity
from geodata.models_emerging import EmergingCell, EmergingRun
from geodata.models_patrol import PatrolPhoto, PatrolSubmission
from governance import classification as c


def test_every_identity_column_is_registered_as_sensitive() -> None:
    cols = {col.name for col in KeyPersonIdentity.__table__.columns}
    assert cols == set(c.REGISTRY["key_person_identity"])
    for col in cols - {"person_id"}:
        assert c.pi_class("key_person_identity", col) is c.PIClass.SENSITIVE, col
        assert c.level_of("key_person_identity", col) is c.DataLevel.IMPORTANT, col
        assert c.masking_rule("key_person_identity", col) != "none", col


@pytest.mark.parametrize(
    "model",
    [
        KeyPerson,
        KeyPersonIdentity,
        AppUser,
        PatrolSubmission,
        PatrolPhoto,
        EmergingRun,
        EmergingCell,
    ],
)
def test_registered_tables_match_their_models(model: type) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    assert {col.name for col in table.columns} == set(c.REGISTRY[table.name])


def test_whereabouts_and_credentials() -> None:
    assert c.pi_class("key_person", "geom") is c.PIClass.SENSITIVE  # PIPL art. 28: 行踪轨迹
    assert c.masking_rule("app_user", "password_hash") == "withhold"
    assert c.is_personal("area", "worker_phone") and not c.is_personal("area", "geom")
    assert c.is_personal("audit_log", "client_addr") and c.is_personal("audit_log", "username")


def test_masking_rules_are_known_and_implemented() -> None:
    used = {cc.masking for cols in c.REGISTRY.values() for cc in cols.values()}
    assert used <= set(c.MASKING_RULES)
    for rule, path in c.MASKING_RULES.items():
        if path:
            module, _, name = path.rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), rule


def test_unknown_column_is_an_error() -> None:
    with pytest.raises(KeyError, match="key_person.nickname"):
        c.level_of("key_person", "nickname")
    with pytest.raises(KeyError):
        c.is_personal("no_such_table", "id")


def test_columns_by_level() -> None:
    important = c.columns("important")
    assert ("key_person_identity", "id_number_enc") in important
    assert ("incident", "h3_8") not in important
    assert set(important) | set(c.columns(c.DataLevel.GENERAL)) == set(c.columns())
    assert c.columns(c.DataLevel.CORE) == []


def test_catalog_rows_are_translated() -> None:
    en = {(r["table"], r["column"]): r for r in c.catalog_rows("en")}
    zh = {(r["table"], r["column"]): r for r in c.catalog_rows("zh-CN")}
    key = ("key_person_identity", "id_number_enc")
    assert en[key]["level_name"] == "Important data" and zh[key]["level_name"] == "重要数据"
    assert en[key]["pi_name"] == "Sensitive personal information"
    assert zh[("area", "code")]["pi_name"] == "非个人信息" and zh[("area", "code")]["pi"] is None
    assert en[key]["masking"] == "mask_id_number" and en[key]["at_rest"] == "aes-256-gcm"
    assert len(en) == len(c.columns())


def test_display_masking_follows_the_registry() -> None:
    assert c.masked("key_person_identity", "full_name_enc", "张三丰") == "张*丰"
    assert c.masked("key_person_identity", "phone_enc", "13812345678") == "138****5678"
    assert c.masked("key_person_identity", "address_enc", "幸福路1号", context="东风社区") == (
        "东风社区***"
    )
    assert c.masked("key_person_identity", "id_number_bidx", b"\x01") is None  # withheld
    assert c.masked("incident", "description", "电话13812345678") == "电话138****5678"
    assert c.masked("area", "code", "441502") == "441502"


def test_export_rules_follow_the_registry() -> None:
    from governance.access import Principal
    from governance.errors import Forbidden

    auditor = Principal(1, "a", "A", "auditor")
    commander = Principal(2, "c", "C", "commander")
    cols = c.export_columns("audit_log", ["id", "username", "client_addr"], auditor)
    assert cols["client_addr"]("10.0.0.1") == "10.0.0.1"  # role-gated, and the role has it
    with pytest.raises(Forbidden) as err:
        c.export_columns("audit_log", ["id", "client_addr"], commander)
    assert "audit_log.client_addr" in err.value.user_message("en")
    with pytest.raises(Forbidden):
        c.export_columns("app_user", ["username", "password_hash"], auditor)  # withheld
    with pytest.raises(Forbidden):
        c.export_columns("key_person", ["id", "geom"], commander)  # aggregates only
    # identity goes out masked, whoever exports it
    ident = c.export_columns("key_person_identity", ["full_name_enc"], commander)
    assert ident["full_name_enc"]("张三丰") == "张*丰"
