"""SLA reminders and supervision: once per case and deadline, in the timeline, no state
change."""

from __future__ import annotations

from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import text

from geodata.db import session_scope
from governance.filters import LOCAL_TZ
from governance.sla_sweep import sweep
from governance.uow import unit_of_work
from tests.integration.test_workflow import new_incident, state


def _due(incident_id: int, *, accept: datetime | None, resolve: datetime | None, status: str):  # type: ignore[no-untyped-def]
    with session_scope(admin=True) as s:
        s.execute(
            text("""UPDATE incident SET status = :st, accept_due_at = :a, resolve_due_at = :r,
                    dispatched_at = now() - interval '1 day' WHERE id = :id"""),
            {"st": status, "a": accept, "r": resolve, "id": incident_id},
        )


def _events(incident_id: int) -> list[tuple[str, str]]:
    with session_scope(admin=True) as s:
        return [
            (a, d["stage"])
            for a, d in s.execute(
                text("""SELECT action, detail FROM incident_event WHERE incident_id = :id
                        AND action IN ('remind', 'supervise') ORDER BY id"""),
                {"id": incident_id},
            )
        ]


def test_reminder_before_and_supervision_after_the_deadline() -> None:
    now = datetime.now(LOCAL_TZ)
    soon = new_incident()  # accept by in 1 hour: inside the reminder window
    _due(
        soon, accept=now + timedelta(hours=1), resolve=now + timedelta(days=3), status="dispatched"
    )
    late = new_incident()  # resolve by an hour ago
    _due(
        late, accept=now - timedelta(days=2), resolve=now - timedelta(hours=1), status="in_progress"
    )
    calm = new_incident()  # plenty of time
    _due(calm, accept=now + timedelta(days=5), resolve=now + timedelta(days=9), status="dispatched")
    before = {i: state(i)["version"] for i in (soon, late, calm)}
    with unit_of_work() as s:
        first = sweep(s, now)
    assert first["remind"] >= 1 and first["supervise"] >= 1
    assert _events(soon) == [("remind", "accept")]
    assert _events(late) == [("supervise", "resolve")]
    assert _events(calm) == []
    assert {i: state(i)["version"] for i in (soon, late, calm)} == before  # no state change
    with unit_of_work() as s:
        sweep(s, now)  # idempotent: nothing new for the same deadlines
    assert _events(soon) == [("remind", "accept")] and _events(late) == [("supervise", "resolve")]
    # past the deadline, the reminded case is supervised too
    with unit_of_work() as s:
        sweep(s, now + timedelta(hours=2))
    assert _events(soon) == [("remind", "accept"), ("supervise", "accept")]


def test_cli_sweep_reports_counts() -> None:
    from cli.sla import sla

    res = CliRunner().invoke(sla, ["sweep"])
    assert res.exit_code == 0 and "reminders:" in res.output
