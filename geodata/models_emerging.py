"""Emerging hot-spot analysis results (新兴热点), the last one per scope.

Alembic owns the schema (``migrations/versions/0021_emerging_hotspots.py``). A run is
computed by a scheduled job or ``python app.py analytics emerging``
(``governance/emerging.py``); pages, the map layer and briefings only read it, because
99 permutations over a year of weekly bins is too slow for a request.

* :class:`EmergingRun`: one per scope (``""`` the whole city, else an area code prefix),
  with the run's parameters, period and time of computation; replaced by the next run.
* :class:`EmergingCell`: one H3 cell (resolution 8) of a run with its category, its
  Mann-Kendall trends (Gi* z-scores and counts) and how many bins were hot or cold.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base


class EmergingRun(Base):
    """The last emerging hot-spot analysis of one scope."""

    __tablename__ = "emerging_run"
    __table_args__ = (
        CheckConstraint("weeks BETWEEN 10 AND 104", name="weeks"),
        CheckConstraint("permutations BETWEEN 0 AND 999", name="permutations"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), unique=True)  # "" = the whole city
    weeks: Mapped[int] = mapped_column(SmallInteger)
    permutations: Mapped[int] = mapped_column(SmallInteger)
    alpha: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[date] = mapped_column(Date)  # first Monday (local time)
    period_end: Mapped[date] = mapped_column(Date)  # the Monday after the last bin
    cells: Mapped[int] = mapped_column(Integer)
    incidents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(Text)  # machine words: see governance/emerging.py
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class EmergingCell(Base):
    """One H3 cell's category in a run."""

    __tablename__ = "emerging_cell"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("emerging_run.id", ondelete="CASCADE"), primary_key=True
    )
    h3_8: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category: Mapped[str] = mapped_column(String(24), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(20))  # the cell's busiest grid
    total: Mapped[int] = mapped_column(Integer)  # incidents in the period
    hot_bins: Mapped[int] = mapped_column(SmallInteger)
    cold_bins: Mapped[int] = mapped_column(SmallInteger)
    last_z: Mapped[float] = mapped_column(Float)  # Gi* z of the final week
    trend_tau: Mapped[float] = mapped_column(Float)  # Mann-Kendall over the Gi* z-scores
    trend_z: Mapped[float] = mapped_column(Float)
    trend_p: Mapped[float] = mapped_column(Float)
    count_tau: Mapped[float] = mapped_column(Float)  # Mann-Kendall over the weekly counts
    count_p: Mapped[float] = mapped_column(Float)
