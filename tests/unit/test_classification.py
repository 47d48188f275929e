"""The data classification registry: coverage of identity data, rules, translations."""

from __future__ import annotations

import importlib

import pytest

from geodata.models import AppUser, KeyPerson, KeyPersonIdentity
from governance import classification as c


def test_every_identity_column_is_registered_as_sensitive() -> None:
    cols = {col.name for col in KeyPersonIdentity.__table__.columns}
    assert cols == set(c.REGISTRY["key_person_identity"])
    for col in cols - {"person_id"}:
        assert c.pi_class("key_person_identity", col) is c.PIClass.SENSITIVE, col
        assert c.level_of("key_person_identity", col) is c.DataLevel.IMPORTANT, col
        assert c.masking_rule("key_person_identity", col) != "none", col


@pytest.mark.parametrize("model", [KeyPerson, KeyPersonIdentity, AppUser])
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
