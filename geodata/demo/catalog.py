"""Static catalogues of the demo city: departments, incident categories, site and
person mixes, and the syllable pools names are generated from.

Everything is a constant or a pure function so the demo stays deterministic.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from geodata.models import PersonCategory, SiteType

# --- departments ------------------------------------------------------------------------
# (code, name_zh, name_en); ids are assigned 1.. in this order.
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("urban_mgmt", "城管局", "Urban Management Bureau"),
    ("public_security", "公安局", "Public Security Bureau"),
    ("housing", "住建局", "Housing and Urban-Rural Development Bureau"),
    ("market_reg", "市场监管局", "Market Regulation Administration"),
    ("emergency", "应急管理局", "Emergency Management Bureau"),
    ("ecology", "生态环境局", "Ecology and Environment Bureau"),
    ("water", "水务局", "Water Affairs Bureau"),
    ("transport", "交通运输局", "Transport Bureau"),
    ("health", "卫健局", "Health Commission"),
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("hr_social", "人社局", "Human Resources and Social Security Bureau"),
    ("education", "教育局", "Education Bureau"),
    ("petition", "信访局", "Letters and Calls Bureau"),
    ("power", "供电局", "Power Supply Bureau"),
]


# --- incident categories ----------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """A leaf incident category."""

    code: str
    name_zh: str
    name_en: str
    priority: int
    department: str


# (code, name_zh, name_en, hue in degrees, leaves)
CATEGORY_GROUPS: list[tuple[str, str, str, int, list[Leaf]]] = [
    (
        "city",
        "市容环境",
        "City appearance",
        30,
        [
            Leaf("city.street_vending", "占道经营", "Street vending", 4, "urban_mgmt"),
            Leaf("city.clutter", "乱堆乱放", "Clutter on public space", 4, "urban_mgmt"),
            Leaf("city.garbage", "垃圾清运", "Garbage collection", 3, "urban_mgmt"),
            Leaf("city.illegal_building", "违章搭建", "Illegal construction", 3, "housing"),
        ],
    ),
    (
        "safety",
        "公共安全",
        "Public safety",
        0,
        [
            Leaf("safety.fire_hazard", "消防隐患", "Fire hazard", 2, "emergency"),
            Leaf("safety.public_order", "治安纠纷", "Public order dispute", 2, "public_security"),
            Leaf("safety.traffic_accident", "交通事故", "Traffic accident", 2, "public_security"),
            Leaf("safety.gas_leak", "燃气泄漏", "Gas leak", 1, "housing"),
        ],
    ),
    (
        "dispute",
        "矛盾纠纷",
        "Disputes",
        280,
        [
            Leaf("dispute.neighbour", "邻里纠纷", "Neighbour dispute", 3, "civil_affairs"),
            Leaf("dispute.labour", "劳资纠纷", "Wage dispute", 3, "hr_social"),
            Leaf("dispute.property", "物业纠纷", "Property management dispute", 3, "housing"),
        ],
    ),
    (
        "service",
        "民生服务",
        "Public services",
        210,
        [
            Leaf("service.water_supply", "供水故障", "Water supply failure", 3, "water"),
            Leaf("service.power_outage", "停电故障", "Power outage", 3, "power"),
            Leaf("service.street_light", "路灯损坏", "Broken street light", 4, "urban_mgmt"),
            Leaf("service.road_damage", "道路破损", "Road damage", 3, "transport"),
            Leaf("service.noise", "噪音扰民", "Noise nuisance", 3, "ecology"),
        ],
    ),
    (
        "eco",
        "生态环境",
        "Environment",
        120,
        [
            Leaf("eco.water_pollution", "水体污染", "Water pollution", 2, "ecology"),
            Leaf("eco.air_pollution", "大气污染", "Air pollution", 3, "ecology"),
            Leaf("eco.waste_burning", "焚烧垃圾", "Open waste burning", 3, "urban_mgmt"),
        ],
    ),
    (
        "production",
        "安全生产",
        "Work safety",
        50,
        [
            Leaf("production.site_hazard", "工地隐患", "Construction site hazard", 2, "housing"),
            Leaf("production.hazchem", "危化品隐患", "Hazardous chemicals hazard", 1, "emergency"),
        ],
    ),
    (
        "flood",
        "防汛防台",
        "Flood and typhoon",
        190,
        [
            Leaf("flood.waterlogging", "内涝积水", "Urban waterlogging", 2, "water"),
            Leaf("flood.landslide", "山体滑坡", "Landslide", 1, "emergency"),
        ],
    ),
]

# Care visits to key persons (走访关爱) find problems no other channel reports: they are
# categories of the catalog, but the demo's generated incidents never draw them (only the
# patrol history's findings do), so they are kept out of LEAVES.
CARE_GROUPS: list[tuple[str, str, str, int, list[Leaf]]] = [
    (
        "care",
        "特殊人群关爱",
        "Care of vulnerable people",
        330,
        [
            Leaf(
                "care.living_difficulty", "生活困难", "Hardship in daily living", 3, "civil_affairs"
            ),
            Leaf("care.health_risk", "健康风险", "Health risk", 2, "health"),
            Leaf("care.home_safety", "居家安全隐患", "Safety hazard at home", 2, "emergency"),
            Leaf(
                "care.out_of_contact",
                "失联脱管",
                "Out of contact or supervision",
                1,
                "public_security",
            ),
            Leaf(
                "care.child_welfare", "儿童监护缺失", "Child left without care", 2, "civil_affairs"
            ),
        ],
    ),
]

LEAVES: list[Leaf] = [leaf for *_, leaves in CATEGORY_GROUPS for leaf in leaves]
LEAF_CODES: list[str] = [leaf.code for leaf in LEAVES]
LEAF_INDEX: dict[str, int] = {c: i for i, c in enumerate(LEAF_CODES)}


def _hex(hue: float, light: float, sat: float) -> str:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360.0, light, sat)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def category_rows(
    dept_ids: dict[str, int],
) -> list[tuple[str, str | None, str, str, str, int, int | None, int]]:
    """Rows of ``incident_category``: groups first, then their leaves.

    Columns: code, parent_code, name_zh, name_en, color, default_priority,
    department_id, sort_order. Leaf colours share their group's hue.
    """
    rows: list[tuple[str, str | None, str, str, str, int, int | None, int]] = []
    order = 0
    for g_code, g_zh, g_en, hue, leaves in CATEGORY_GROUPS + CARE_GROUPS:
        order += 1
        rows.append((g_code, None, g_zh, g_en, _hex(hue, 0.45, 0.75), 3, None, order))
        n = len(leaves)
        for i, leaf in enumerate(leaves):
            order += 1
            light = 0.32 + 0.36 * (i / max(n - 1, 1))
            color = _hex(hue + (i - (n - 1) / 2) * 9, light, 0.8)
            rows.append(
                (
                    leaf.code,
                    g_code,
                    leaf.name_zh,
                    leaf.name_en,
                    color,
                    leaf.priority,
                    dept_ids[leaf.department],
                    order,
                )
            )
    return rows


# --- key sites and key persons ----------------------------------------------------------
# site type -> (count, urban weight multiplier, risk grade probabilities 1..4)
SITE_MIX: dict[SiteType, tuple[int, float, tuple[float, float, float, float]]] = {
    SiteType.RENTAL_HOUSING: (700, 4.0, (0.55, 0.30, 0.12, 0.03)),
    SiteType.MARKET: (260, 2.0, (0.50, 0.32, 0.14, 0.04)),
    SiteType.CONSTRUCTION: (220, 2.0, (0.25, 0.35, 0.28, 0.12)),
    SiteType.KINDERGARTEN: (200, 1.5, (0.65, 0.25, 0.08, 0.02)),
    SiteType.SCHOOL: (190, 1.2, (0.65, 0.25, 0.08, 0.02)),
    SiteType.ENTERTAINMENT: (160, 4.0, (0.40, 0.35, 0.18, 0.07)),
    SiteType.GAS_STATION: (90, 0.8, (0.20, 0.40, 0.30, 0.10)),
    SiteType.ELDERLY_CARE: (70, 1.2, (0.50, 0.30, 0.15, 0.05)),
    SiteType.HOSPITAL: (70, 2.0, (0.55, 0.30, 0.12, 0.03)),
    SiteType.HAZCHEM: (40, 0.5, (0.05, 0.25, 0.40, 0.30)),
}
# person category -> (count, urban weight multiplier, care level probabilities 1..3,
#                     birth-year range)
PERSON_MIX: dict[PersonCategory, tuple[int, float, tuple[float, float, float], tuple[int, int]]] = {
    PersonCategory.ELDERLY_ALONE: (280, 0.8, (0.30, 0.45, 0.25), (1932, 1958)),
    PersonCategory.DISABLED: (170, 1.0, (0.35, 0.45, 0.20), (1950, 2012)),
    PersonCategory.LEFT_BEHIND_CHILD: (140, 0.3, (0.45, 0.40, 0.15), (2010, 2021)),
    PersonCategory.MENTAL_DISORDER: (90, 1.0, (0.15, 0.45, 0.40), (1960, 2003)),
    PersonCategory.COMMUNITY_CORRECTION: (60, 1.5, (0.20, 0.50, 0.30), (1965, 2004)),
    PersonCategory.DRUG_REHAB: (50, 1.5, (0.15, 0.45, 0.40), (1965, 2002)),
    PersonCategory.PETITIONER: (40, 1.3, (0.25, 0.45, 0.30), (1945, 1995)),
    PersonCategory.LOW_INCOME: (170, 0.7, (0.40, 0.45, 0.15), (1940, 2000)),
}

# --- name pools ---------------------------------------------------------------------------
SURNAMES = list("陈林黄李张吴郑刘蔡杨王许曾彭钟叶徐庄卢罗苏谢赖邱")
GIVEN = list("志伟建国文华明俊丽芳秀英海燕晓春德辉永强金玲美婷嘉雄丹")
PLACE_HEAD = list("东西南北新旧上下大小前后黄林石竹龙凤白青长高")
PLACE_TAIL = list("塘围埔湖田坑洋寮厝溪港山坝岭墩头尾园美沙坡湾")
URBAN_TAIL = [
    "东",
    "西",
    "南",
    "北",
    "中",
    "新城",
    "海滨",
    "港湾",
    "凤翔",
    "金湖",
    "红海",
    "新河",
    "文昌",
    "人民",
    "城南",
    "城北",
    "香城",
    "银湖",
    "滨河",
    "品清",
]
ROAD_POOL = [
    "人民路",
    "新华路",
    "中山路",
    "海滨大道",
    "汕尾大道",
    "通港路",
    "工业大道",
    "建设路",
    "解放路",
    "东风路",
    "和平路",
    "红海大道",
    "品清路",
    "文化路",
    "二马路",
    "凤山路",
    "香洲路",
    "新港路",
    "同德路",
    "环城路",
    "迎宾路",
    "滨河路",
    "安平路",
    "朝阳路",
    "金湖路",
    "育才路",
    "兴业路",
    "长安路",
    "民主路",
    "幸福路",
]
LANE_POOL = [
    "一巷",
    "二巷",
    "三巷",
    "四巷",
    "五巷",
    "东片",
    "西片",
    "南片",
    "北片",
    "新村",
    "老村",
    "大道",
    "祠堂前",
    "榕树下",
]
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Chinese numeral for 1 <= n <= 99 (一, 十二, 二十, 三十五)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def stem(town_name: str) -> str:
    """A town's name without its 街道 / 镇 suffix."""
    for suffix in ("街道", "镇"):
        if town_name.endswith(suffix):
            return town_name[: -len(suffix)]
    return town_name


def community_roads(code: str, k: int = 4) -> list[str]:
    """A few road names of a community, fixed by its code."""
    base = int(code[-6:])
    return [ROAD_POOL[(base * 7 + i * 11) % len(ROAD_POOL)] for i in range(k)]
