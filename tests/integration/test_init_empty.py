"""``python app.py init --empty`` and the README's moving-in steps give a working
installation without demo data (issue 15), run as a county would: one command after
another, each its own process, on a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "samples"
# The README's steps (section "Moving a county in"), in order.
STEPS = [
    ["import", "areas", "docs/samples/areas/1_counties.zip"],
    ["import", "areas", "docs/samples/areas/2_streets.geojson"],
    ["import", "areas", "docs/samples/areas/3_communities.zip"],
    ["import", "areas", "docs/samples/areas/4_grids.gpkg"],
    ["config", "import", "docs/samples/config.yaml"],
]
# Then, as the README says, the administrators choose their passwords on the web, the
# system administrator adds an account, the security administrator gives it a role:
# done here through the same services, and the new commander opens the map's grids.
CHECK = r"""
import re, sys
from sqlalchemy import text
from geodata.db import session_scope
from governance import accounts
from governance.signin import sign_in
from governance.users_admin import account_by_username, change_permissions, create_account
from governance.uow import unit_of_work

with session_scope() as s:
    for name in ("sysadmin", "secadmin"):
        accounts.set_password(s, name, "Moving-In-2026!")
sysadmin = sign_in("sysadmin", "Moving-In-2026!", "test")
with unit_of_work() as s:
    create_account(s, sysadmin, {"username": "zhihui", "password": "Commander-2026!"})
secadmin = sign_in("secadmin", "Moving-In-2026!", "test")
with unit_of_work() as s:
    row = account_by_username(s, secadmin, "zhihui")
    change_permissions(s, secadmin, row["id"], {"role": "commander"}, seen=row["stamp"])
with session_scope() as s:
    accounts.set_password(s, "zhihui", "Commander-2026!")
    counts = s.execute(text(
        "SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM area WHERE level = 'grid'),"
        " (SELECT count(*) FROM incident), (SELECT count(*) FROM key_site),"
        " (SELECT count(*) FROM key_person), (SELECT count(*) FROM app_user),"
        " (SELECT count(*) FROM department), (SELECT count(*) FROM incident_category)")).one()
print("COUNTS", *counts)

from app import server
client = server.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
resp = client.post("/login", data={"username": "zhihui", "password": "Commander-2026!",
                                   "csrf_token": token, "next": "/"})
print("LOGIN", resp.status_code)
layer = client.get("/api/v1/layers/areas?bbox=115.2,22.6,115.6,23.0&z=15")
print("LAYER", layer.status_code, layer.get_data(as_text=True).count('"Feature"'))
print("MAP", client.get("/").status_code)
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.commits
def test_init_empty_and_the_readme_steps_give_a_working_installation() -> None:
    from sqlalchemy import create_engine, text

    from tests.conftest import ADMIN_URL

    name = f"minqing_movein_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "MINQING_DATABASE_NAME": name, "PYTHONPATH": str(ROOT)}
    for key in ("MINQING_DATABASE_URL", "MINQING_ADMIN_DATABASE_URL"):
        env.pop(key, None)  # the embedded cluster, a database of its own
    if os.environ.get("TESTS_ORIGINAL_MINQING_DATABASE_URL"):
        pytest.skip("moves in on the embedded cluster only (a database of its own)")
    try:
        init = _run(["app.py", "init", "--empty"], env)
        assert init.returncode == 0, init.stdout + init.stderr
        assert "sysadmin" in init.stdout and "secadmin" in init.stdout and "auditor" in init.stdout
        seeded = _run(["app.py", "demo", "seed", "--if-empty"], env)  # what `make run` does
        assert seeded.returncode == 0 and "demo city is not loaded" in seeded.stdout
        for step in STEPS:
            done = _run(["app.py", *step], env)
            assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])
        again = _run(["app.py", "init", "--empty"], env)
        assert again.returncode != 0 and "已有" in again.stderr
        check = _run(["-c", CHECK], env)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-3000:]
        out = dict(line.split(" ", 1) for line in check.stdout.splitlines() if line[:1].isupper())
        areas, grids, incidents, sites, persons, users, depts, cats = map(
            int, out["COUNTS"].split()
        )
        assert (areas, grids) == (4 + 7 + 77 + 349, 349)
        assert incidents == sites == persons == 0  # no demo data
        assert users == 4 and depts > 0 and cats > 0
        assert out["LOGIN"] == "302" and out["MAP"] == "200"
        status, features = out["LAYER"].split()
        assert status == "200" and int(features) > 0
    finally:
        engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
