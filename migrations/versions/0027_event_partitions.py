"""The incident timeline (``incident_event``) partitioned by month of ``at``.

The timeline is the largest table (about six events per incident: 64 million rows for
ten million incidents) and is append-only. Monthly range partitions (UTC) keep what is
read by time (the wall's last 24 hours, a period's states rebuilt from the timeline) to
one or two months, let vacuum and index upkeep work a month at a time, and let retention
drop whole months. A ``DEFAULT`` partition takes any row no month covers, so no write
fails; ``geodata/queries/partitions.py`` creates the months ahead and moves stray rows out
of the default partition (``python app.py db partitions``; also run by ``db upgrade``).

``incident`` itself is not partitioned: its keys must stay unique across all time (the
intake's idempotence on ``(source, external_id)``, ``tracking_code``, and the ids five
tables refer to), and PostgreSQL enforces uniqueness on a partitioned table only with the
partition key in the key. See docs/scale.md.

Keys: the primary key becomes ``(id, at)`` (a partitioned table's unique keys hold its
partition key); ``id`` stays drawn from the identity sequence, so it is still unique.
``incident_attachment.event_id`` can therefore no longer be a foreign key to ``id`` alone:
a trigger checks instead that the event exists and belongs to the attachment's incident
(stricter than the key was); events are never deleted but with their incident, whose
foreign key still removes the attachments.

The upgrade copies every row into the new table in this transaction (the data is kept;
the downgrade copies it back into one plain table).

Revision ID: 0027_event_partitions
Revises: 0026_audit_sealer
"""

from __future__ import annotations

from alembic import op

revision = "0027_event_partitions"
down_revision = "0026_audit_sealer"
branch_labels = None
depends_on = None

MONTHS_AHEAD = 3

_CHECK_FN = """
CREATE FUNCTION incident_attachment_event_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM incident_event e
                    WHERE e.incident_id = NEW.incident_id AND e.id = NEW.event_id) THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('incident_attachment: event %s of incident %s does not exist',
                             NEW.event_id, NEW.incident_id),
            CONSTRAINT = 'fk_incident_attachment_event_id_incident_event';
    END IF;
    RETURN NEW;
END $$
"""


def _indexes(table: str) -> None:
    op.execute(f"CREATE INDEX ix_incident_event_incident_id ON {table} (incident_id, id)")
    op.execute(f"CREATE INDEX ix_incident_event_at ON {table} (at)")  # the wall's last 24 h


def _foreign_keys(table: str) -> None:
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT fk_incident_event_incident_id_incident "
        "FOREIGN KEY (incident_id) REFERENCES incident(id) ON DELETE CASCADE"
    )
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT fk_incident_event_actor_user_id_app_user "
        "FOREIGN KEY (actor_user_id) REFERENCES app_user(id) ON DELETE SET NULL"
    )


def _aside(suffix: str) -> None:
    """Rename the current table and its constraints and indexes out of the way."""
    op.execute(f"ALTER TABLE incident_event RENAME TO incident_event{suffix}")
    for name in (
        "pk_incident_event",
        "fk_incident_event_incident_id_incident",
        "fk_incident_event_actor_user_id_app_user",
    ):
        op.execute(f"ALTER TABLE incident_event{suffix} RENAME CONSTRAINT {name} TO {name}{suffix}")
    for name in ("ix_incident_event_incident_id", "ix_incident_event_at"):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}{suffix}")


def _sequence_past_ids() -> None:
    op.execute(
        "SELECT setval(pg_get_serial_sequence('incident_event', 'id'), "
        "COALESCE((SELECT max(id) FROM incident_event), 0) + 1, false)"
    )


def upgrade() -> None:
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.execute(
        "ALTER TABLE incident_attachment "
        "DROP CONSTRAINT fk_incident_attachment_event_id_incident_event"
    )
    _aside("_plain")
    op.execute(
        """CREATE TABLE incident_event (LIKE incident_event_plain
               INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE)
           PARTITION BY RANGE (at)"""
    )
    op.execute("ALTER TABLE incident_event ADD CONSTRAINT pk_incident_event PRIMARY KEY (id, at)")
    op.execute("CREATE TABLE incident_event_default PARTITION OF incident_event DEFAULT")
    # a partition for every month from the oldest event (or this one) to MONTHS_AHEAD on
    op.execute(
        f"""DO $$
        DECLARE m date; lo timestamptz; hi timestamptz;
        BEGIN
            FOR m IN SELECT generate_series(
                    date_trunc('month', COALESCE(
                        (SELECT min(at) FROM incident_event_plain), now()) AT TIME ZONE 'UTC'),
                    date_trunc('month', greatest(now(), COALESCE(
                        (SELECT max(at) FROM incident_event_plain), now())) AT TIME ZONE 'UTC')
                        + interval '{MONTHS_AHEAD} months',
                    interval '1 month')::date
            LOOP
                lo := (m::timestamp AT TIME ZONE 'UTC');
                hi := ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
                EXECUTE format('CREATE TABLE %I PARTITION OF incident_event '
                               'FOR VALUES FROM (%L) TO (%L)',
                               'incident_event_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM'),
                               lo, hi);
            END LOOP;
        END $$"""
    )
    op.execute("INSERT INTO incident_event SELECT * FROM incident_event_plain")
    _sequence_past_ids()
    _indexes("incident_event")
    _foreign_keys("incident_event")
    op.execute("DROP TABLE incident_event_plain")
    op.execute(_CHECK_FN)
    op.execute(
        """CREATE TRIGGER incident_attachment_event_check
           BEFORE INSERT OR UPDATE OF incident_id, event_id ON incident_attachment
           FOR EACH ROW EXECUTE FUNCTION incident_attachment_event_check()"""
    )
    op.execute("ANALYZE incident_event")


def downgrade() -> None:
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.execute("DROP TRIGGER incident_attachment_event_check ON incident_attachment")
    op.execute("DROP FUNCTION incident_attachment_event_check()")
    _aside("_parted")
    op.execute(
        """CREATE TABLE incident_event (LIKE incident_event_parted
               INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE)"""
    )
    op.execute("INSERT INTO incident_event SELECT * FROM incident_event_parted")
    op.execute("ALTER TABLE incident_event ADD CONSTRAINT pk_incident_event PRIMARY KEY (id)")
    _sequence_past_ids()
    _indexes("incident_event")
    _foreign_keys("incident_event")
    op.execute("DROP TABLE incident_event_parted")  # and its partitions
    op.execute(
        "ALTER TABLE incident_attachment ADD CONSTRAINT "
        "fk_incident_attachment_event_id_incident_event FOREIGN KEY (event_id) "
        "REFERENCES incident_event(id) ON DELETE CASCADE"
    )
    op.execute("ANALYZE incident_event")
