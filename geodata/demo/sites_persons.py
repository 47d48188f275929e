"""Key sites (重点场所) and key persons (重点人员) of the demo city.

Identities are visibly synthetic: names end in "（演示）", ID numbers start with 990
(no such province) and phones with 199000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from geodata.demo.catalog import GIVEN, PERSON_MIX, SITE_MIX, SURNAMES, cn_number, stem
from geodata.demo.spatial import CityModel, weighted_choice
from geodata.demo.texts import AddressBook
from geodata.models import SiteType

FAKE_MARK = "（演示）"
_KINDER = ["阳光", "小太阳", "育英", "启明", "童心", "蓓蕾", "金色童年", "爱心"]
_BUILD = ["花园二期", "安置房", "商业中心", "学校扩建", "道路改造", "滨海新城", "保障房", "产业园"]
_FUEL = ["", "东", "西", "南", "北", "城区", "新区", "高速口"]
_HAZ = ["化工仓储站", "液化气供应站", "化工品经营部", "危化品仓库", "油漆仓库"]
_CARE = ["敬老院", "颐养院", "长者之家", "养老服务中心"]
_FUN = ["金海岸KTV", "星光网吧", "蓝调酒吧", "欢乐歌舞厅", "极速电竞馆", "红星桌球室", "海韵沐足城"]


def ewkt_points(xs: np.ndarray, ys: np.ndarray) -> list[str]:
    """EWKT of points; ``repr`` of a float round-trips exactly through PostGIS."""
    return [f"SRID=4326;POINT({x!r} {y!r})" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]


def _place(
    rng: np.random.Generator, model: CityModel, n: int, urban_mult: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = model.grid_pop * np.where(model.grid_urban, urban_mult, 1.0)
    g = weighted_choice(rng, w, n)
    xs, ys = model.grids.sample_in(rng, g)
    return g, xs, ys


def _comm_stem(name: str) -> str:
    for suffix in ("社区", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class SiteNamer:
    """Generates plausible site names; ordinals count per town and type."""

    model: CityModel
    counters: dict[tuple[int, str], int]

    def name(self, rng: np.random.Generator, site_type: SiteType, g: int, road: str) -> str:
        m = self.model
        c = int(m.grid_comm[g])
        s = int(m.comm_street[c])
        town, comm = m.street_name[s], m.comm_name[c]
        key = (s, site_type.value)
        self.counters[key] = k = self.counters.get(key, 0) + 1
        pick = int(rng.integers(0, 1000))
        match site_type:
            case SiteType.SCHOOL:
                kind = "中学" if pick % 4 == 0 else "小学"
                return f"{town}第{cn_number(min(k, 99))}{kind}"
            case SiteType.KINDERGARTEN:
                return f"{stem(town)}{_KINDER[pick % len(_KINDER)]}幼儿园"
            case SiteType.MARKET:
                return f"{_comm_stem(comm)}农贸市场"
            case SiteType.CONSTRUCTION:
                return f"{stem(town)}{_BUILD[pick % len(_BUILD)]}项目工地"
            case SiteType.GAS_STATION:
                return f"{stem(town)}{_FUEL[pick % len(_FUEL)]}加油站"
            case SiteType.HAZCHEM:
                return f"{stem(town)}{_HAZ[pick % len(_HAZ)]}"
            case SiteType.ELDERLY_CARE:
                return f"{_comm_stem(comm)}{_CARE[pick % len(_CARE)]}"
            case SiteType.RENTAL_HOUSING:
                return f"{comm}{road}出租屋"
            case SiteType.HOSPITAL:
                if k == 1 and town.endswith("镇"):
                    return f"{town}卫生院"
                return f"{_comm_stem(comm)}社区卫生服务站"
            case _:
                return f"{stem(town)}{_FUN[pick % len(_FUN)]}"


def build_sites(
    rng: np.random.Generator, model: CityModel, book: AddressBook, start_id: int = 1
) -> list[tuple[object, ...]]:
    """Rows of ``key_site``: (id, name, site_type, risk_grade, address, grid_id, geom)."""
    namer = SiteNamer(model, {})
    rows: list[tuple[object, ...]] = []
    next_id = start_id
    for site_type, (count, urban_mult, risk_p) in SITE_MIX.items():
        g, xs, ys = _place(rng, model, count, urban_mult)
        risk = rng.choice(4, size=count, p=np.asarray(risk_p) / sum(risk_p)) + 1
        k = rng.integers(0, 4, count)
        num = rng.integers(1, 200, count)
        full, short = book.addresses(g, k, num)
        geoms = ewkt_points(xs, ys)
        for i in range(count):
            road = short[i][len(model.comm_name[int(model.grid_comm[g[i]])]) :]
            rows.append(
                (
                    next_id,
                    namer.name(rng, site_type, int(g[i]), road),
                    site_type.value,
                    int(risk[i]),
                    full[i],
                    int(model.grids.ids[g[i]]),
                    geoms[i],
                )
            )
            next_id += 1
    return rows


def id_number(region: str, birth: date, seq: int) -> str:
    """An 18-character ID number with a valid ISO 7064 check digit and the fake
    region prefix ``990`` + ``region`` (3 digits): never a real person's number."""
    body = f"990{region[-3:]}{birth:%Y%m%d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def build_persons(
    rng: np.random.Generator, model: CityModel, book: AddressBook, start_id: int = 1
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Rows of ``key_person`` (id, category, care_level, grid_id, geom) and of
    ``key_person_identity`` (person_id, full_name, id_number, phone, address)."""
    persons: list[tuple[object, ...]] = []
    identities: list[tuple[object, ...]] = []
    pid = start_id
    for category, (count, urban_mult, care_p, (y0, y1)) in PERSON_MIX.items():
        g, xs, ys = _place(rng, model, count, urban_mult)
        care = rng.choice(3, size=count, p=np.asarray(care_p) / sum(care_p)) + 1
        births = rng.integers(0, (date(y1, 12, 31) - date(y0, 1, 1)).days, count)
        sur = rng.integers(0, len(SURNAMES), count)
        giv = rng.integers(0, len(GIVEN), (count, 2))
        two = rng.random(count) < 0.7
        full, _ = book.addresses(g, rng.integers(0, 4, count), rng.integers(1, 200, count))
        geoms = ewkt_points(xs, ys)
        for i in range(count):
            gid = int(model.grids.ids[g[i]])
            given = GIVEN[giv[i, 0]] + (GIVEN[giv[i, 1]] if two[i] else "")
            name = SURNAMES[sur[i]] + given + FAKE_MARK
            birth = date(y0, 1, 1) + timedelta(days=int(births[i]))
            persons.append((pid, category.value, int(care[i]), gid, geoms[i]))
            identities.append(
                (
                    pid,
                    name,
                    id_number(f"{gid:03d}", birth, pid),
                    f"199000{50000 + pid:05d}",
                    full[i],
                )
            )
            pid += 1
    return persons, identities


def hotspot_points(site_rows: list[tuple[object, ...]]) -> np.ndarray:
    """(x, y) of markets and entertainment venues, in id order: incident hotspots."""
    wanted = {SiteType.MARKET.value, SiteType.ENTERTAINMENT.value}
    pts = []
    for row in site_rows:
        if row[2] in wanted:
            wkt = str(row[6])
            x, y = wkt[wkt.index("(") + 1 : -1].split()
            pts.append((float(x), float(y)))
    return np.asarray(pts, dtype=float).reshape(-1, 2)
