"""The demo city's checklists: one per key-site type and one per key-person category.

Items are written compactly here and expanded to the template format of
``governance/patrol_templates.py``:

* ``("pf", key, zh, en, fail_category[, priority])``: pass / fail / not applicable;
* ``("num", key, zh, en, min, max, unit, fail_category[, priority])``: a measurement;
* ``("choice", key, zh, en, [(value, zh, en, fails)], fail_category)``;
* ``("text", key, zh, en)``: optional remarks; ``("photo", key, zh, en, min_photos)``.
"""

from __future__ import annotations

from typing import Any

# site type -> (name_zh, name_en, items)
SITE_TEMPLATES: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {
    "gas_station": (
        "加油站安全巡查表",
        "Petrol station safety check",
        [
            (
                "pf",
                "no_smoking_signs",
                "禁烟禁火标识齐全",
                "No-smoking signs in place",
                "production.hazchem",
            ),
            (
                "pf",
                "extinguishers",
                "灭火器在有效期内且压力正常",
                "Extinguishers in date and charged",
                "safety.fire_hazard",
            ),
            (
                "pf",
                "unloading_area",
                "卸油区无违规作业",
                "No unsafe work at the unloading area",
                "production.hazchem",
                1,
            ),
            (
                "num",
                "queue_vehicles",
                "排队车辆数（辆）",
                "Vehicles queuing",
                0,
                15,
                "辆",
                "safety.traffic_accident",
                3,
            ),
            ("photo", "forecourt", "加油区现场照片", "Photo of the forecourt", 1),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "hazchem": (
        "危险化学品场所巡查表",
        "Hazardous chemicals site check",
        [
            (
                "pf",
                "storage_separation",
                "危化品分类分区储存",
                "Chemicals stored apart by class",
                "production.hazchem",
                1,
            ),
            (
                "pf",
                "leak_detection",
                "泄漏报警装置运行正常",
                "Leak alarms working",
                "production.hazchem",
                1,
            ),
            (
                "num",
                "storage_temp",
                "库房温度（℃）",
                "Store room temperature",
                -10,
                35,
                "℃",
                "production.hazchem",
                2,
            ),
            ("pf", "duty_staff", "值班人员在岗", "Staff on duty", "production.hazchem"),
            ("pf", "fire_passage", "消防通道畅通", "Fire lanes clear", "safety.fire_hazard"),
            ("photo", "store", "库房现场照片", "Photo of the store", 1),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "construction": (
        "建筑工地巡查表",
        "Construction site check",
        [
            (
                "pf",
                "hoarding",
                "围挡完整牢固",
                "Hoarding intact and firm",
                "production.site_hazard",
            ),
            (
                "pf",
                "helmets",
                "作业人员佩戴安全帽",
                "Workers wear helmets",
                "production.site_hazard",
            ),
            (
                "pf",
                "dust_control",
                "裸土覆盖、喷淋降尘",
                "Bare soil covered, dust sprayed",
                "eco.air_pollution",
            ),
            (
                "choice",
                "night_work",
                "夜间施工情况",
                "Night work",
                [
                    ("none", "无夜间施工", "None", False),
                    ("permitted", "有许可", "With a permit", False),
                    ("unpermitted", "无许可夜间施工", "Without a permit", True),
                ],
                "service.noise",
            ),
            (
                "pf",
                "wage_notice",
                "农民工工资公示牌",
                "Wage notice board for migrant workers",
                "dispute.labour",
            ),
            ("photo", "site", "工地现场照片", "Photo of the site", 1),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "school": (
        "学校周边巡查表",
        "School surroundings check",
        [
            (
                "pf",
                "gate_guard",
                "校门口护学岗在岗",
                "Guard post at the gate staffed",
                "safety.public_order",
            ),
            (
                "pf",
                "no_vendors",
                "校园周边无流动摊贩",
                "No street vendors around the school",
                "city.street_vending",
            ),
            (
                "pf",
                "traffic_signs",
                "减速带、警示标志完好",
                "Speed bumps and warning signs intact",
                "safety.traffic_accident",
            ),
            (
                "pf",
                "no_internet_cafe",
                "200米内无网吧、娱乐场所",
                "No internet cafe or bar within 200 m",
                "safety.public_order",
                3,
            ),
            ("photo", "gate", "校门口照片", "Photo of the gate", 0),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "kindergarten": (
        "幼儿园安全巡查表",
        "Kindergarten safety check",
        [
            (
                "pf",
                "pickup_check",
                "接送核验制度落实",
                "Pick-up checks done",
                "safety.public_order",
            ),
            (
                "pf",
                "kitchen",
                "食堂卫生、留样规范",
                "Kitchen clean, food samples kept",
                "care.health_risk",
            ),
            (
                "pf",
                "play_equipment",
                "大型玩具无破损",
                "Play equipment undamaged",
                "care.home_safety",
            ),
            ("pf", "fire_exits", "安全出口畅通", "Exits clear", "safety.fire_hazard"),
            ("photo", "yard", "园区照片", "Photo of the yard", 0),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "market": (
        "农贸市场巡查表",
        "Market check",
        [
            ("pf", "aisles", "通道无占道经营", "Aisles free of stalls", "city.street_vending"),
            ("pf", "garbage", "垃圾及时清运", "Garbage collected", "city.garbage"),
            ("pf", "wiring", "电线无私拉乱接", "No improvised wiring", "safety.fire_hazard"),
            (
                "pf",
                "scales",
                "公平秤设置、计量器具合格",
                "Public scale in place, scales certified",
                "dispute.property",
                4,
            ),
            ("photo", "stalls", "市场现场照片", "Photo of the market", 0),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "rental_housing": (
        "出租屋巡查表",
        "Rental housing check",
        [
            (
                "pf",
                "registration",
                "租客信息登记完整",
                "Tenants registered",
                "safety.public_order",
                3,
            ),
            (
                "pf",
                "ebike_charging",
                "无电动车入户充电",
                "No e-bikes charged indoors",
                "safety.fire_hazard",
            ),
            (
                "num",
                "occupants",
                "居住人数（人）",
                "Occupants",
                0,
                12,
                "人",
                "safety.fire_hazard",
                3,
            ),
            (
                "pf",
                "escape_route",
                "逃生通道畅通、无铁笼封窗",
                "Escape route clear, windows not caged",
                "safety.fire_hazard",
            ),
            (
                "pf",
                "gas_safety",
                "燃气管道、软管完好",
                "Gas pipes and hoses sound",
                "safety.gas_leak",
            ),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "elderly_care": (
        "养老机构巡查表",
        "Elderly-care home check",
        [
            (
                "pf",
                "staff_ratio",
                "护理人员配备到位",
                "Enough carers on duty",
                "care.living_difficulty",
            ),
            (
                "pf",
                "fire_drills",
                "消防设施完好、定期演练",
                "Fire equipment sound, drills held",
                "safety.fire_hazard",
            ),
            (
                "pf",
                "food_safety",
                "食品安全、餐具消毒",
                "Food safe, tableware disinfected",
                "care.health_risk",
            ),
            ("pf", "call_bells", "呼叫设施正常", "Call bells working", "care.home_safety"),
            ("photo", "rooms", "居室照片", "Photo of the rooms", 0),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "hospital": (
        "医院周边巡查表",
        "Hospital surroundings check",
        [
            ("pf", "security_post", "安保岗位在岗", "Security post staffed", "safety.public_order"),
            (
                "pf",
                "no_touts",
                "无“医托”、号贩子",
                "No touts or ticket scalpers",
                "safety.public_order",
            ),
            (
                "pf",
                "parking_order",
                "周边停车秩序良好",
                "Orderly parking around",
                "safety.traffic_accident",
                4,
            ),
            (
                "pf",
                "medical_waste",
                "医疗废物规范处置",
                "Medical waste handled properly",
                "eco.water_pollution",
            ),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
    "entertainment": (
        "娱乐场所巡查表",
        "Entertainment venue check",
        [
            ("pf", "licence", "证照齐全、亮证经营", "Licences displayed", "safety.public_order", 3),
            ("pf", "no_minors", "无接纳未成年人", "No minors admitted", "safety.public_order"),
            (
                "pf",
                "exits",
                "安全出口、应急照明正常",
                "Exits and emergency lights working",
                "safety.fire_hazard",
            ),
            (
                "num",
                "noise_db",
                "夜间边界噪声（分贝）",
                "Night-time noise at the boundary",
                0,
                55,
                "dB",
                "service.noise",
                3,
            ),
            ("text", "remarks", "其他情况", "Other observations"),
        ],
    ),
}

_CONTACT = [
    ("ok", "本人在家、状态良好", "At home, well", False),
    ("relatives", "由家属代为说明", "Relatives answered", False),
    ("not_found", "未见到本人且联系不上", "Not seen and unreachable", True),
]

# person category -> (name_zh, name_en, items)
PERSON_TEMPLATES: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {
    "elderly_alone": (
        "独居老人走访表",
        "Visit to an elderly person living alone",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact"),
            ("pf", "health", "身体状况良好", "In good health", "care.health_risk"),
            (
                "pf",
                "daily_needs",
                "饮食起居有保障",
                "Meals and daily needs covered",
                "care.living_difficulty",
            ),
            (
                "pf",
                "home_safety",
                "用电用气安全",
                "Electricity and gas safe at home",
                "care.home_safety",
            ),
            ("text", "needs", "诉求与需要", "Requests and needs"),
        ],
    ),
    "disabled": (
        "残疾人走访表",
        "Visit to a person with a disability",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 2),
            (
                "pf",
                "assistance",
                "补贴、辅具落实",
                "Allowances and aids received",
                "care.living_difficulty",
            ),
            ("pf", "accessibility", "居所无障碍设施可用", "Home accessible", "care.home_safety", 3),
            ("text", "needs", "诉求与需要", "Requests and needs"),
        ],
    ),
    "left_behind_child": (
        "留守儿童走访表",
        "Visit to a left-behind child",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 2),
            (
                "pf",
                "guardian",
                "监护人在位履责",
                "Guardian present and caring",
                "care.child_welfare",
            ),
            ("pf", "schooling", "按时上学", "Attends school", "care.child_welfare"),
            (
                "pf",
                "home_safety",
                "居家安全（用电、防溺水）",
                "Safe at home (electricity, drowning)",
                "care.home_safety",
            ),
            ("text", "needs", "诉求与需要", "Requests and needs"),
        ],
    ),
    "mental_disorder": (
        "严重精神障碍患者随访表",
        "Follow-up of a person with a severe mental disorder",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 1),
            (
                "pf",
                "medication",
                "按时服药",
                "Takes medication as prescribed",
                "care.health_risk",
                2,
            ),
            (
                "choice",
                "risk_level",
                "危险性评估",
                "Risk assessment",
                [
                    ("0", "0级", "Level 0", False),
                    ("1_2", "1-2级", "Level 1-2", False),
                    ("3_plus", "3级及以上", "Level 3 or above", True),
                ],
                "care.health_risk",
                1,
            ),
            ("pf", "guardian", "监护人落实看护", "Guardian keeps watch", "care.living_difficulty"),
            ("text", "notes", "随访记录", "Follow-up notes"),
        ],
    ),
    "community_correction": (
        "社区矫正对象走访表",
        "Visit to a person under community correction",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 1),
            ("pf", "reporting", "按规定报到", "Reports as required", "care.out_of_contact", 2),
            (
                "pf",
                "employment",
                "就业或生活来源稳定",
                "Stable work or income",
                "care.living_difficulty",
                3,
            ),
            ("text", "notes", "走访记录", "Visit notes"),
        ],
    ),
    "drug_rehab": (
        "社区戒毒康复人员走访表",
        "Visit to a person in community drug rehabilitation",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 1),
            ("pf", "tests", "按时接受检测", "Tested as scheduled", "care.out_of_contact", 2),
            (
                "pf",
                "family_support",
                "家庭帮教落实",
                "Family support in place",
                "care.living_difficulty",
            ),
            ("text", "notes", "走访记录", "Visit notes"),
        ],
    ),
    "petitioner": (
        "重点信访人员走访表",
        "Visit to a person with a long-standing petition",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 2),
            (
                "pf",
                "stable",
                "情绪稳定、无进京赴省苗头",
                "Calm, no sign of travelling to petition",
                "dispute.neighbour",
                2,
            ),
            (
                "pf",
                "resolved_followup",
                "诉求化解措施落实",
                "Agreed measures carried out",
                "dispute.property",
            ),
            ("text", "requests", "诉求记录", "Requests"),
        ],
    ),
    "low_income": (
        "低保特困人员走访表",
        "Visit to a household on minimum income",
        [
            ("choice", "contact", "见面情况", "Seen in person", _CONTACT, "care.out_of_contact", 3),
            ("pf", "benefits", "低保金按时发放", "Benefit paid on time", "care.living_difficulty"),
            ("pf", "housing", "住房安全", "Housing safe", "care.home_safety"),
            ("pf", "medical", "就医有保障", "Medical care available", "care.health_risk", 3),
            ("text", "needs", "诉求与需要", "Requests and needs"),
        ],
    ),
}


def expand(spec: tuple[Any, ...]) -> dict[str, Any]:
    """One compact item as the template format has it."""
    kind, key, zh, en, *rest = spec
    base: dict[str, Any] = {"key": key, "label_zh": zh, "label_en": en}
    if kind == "pf":
        return base | {
            "kind": "pass_fail",
            "fail_category": rest[0],
            "fail_priority": (rest[1:] or [None])[0],
        }
    if kind == "num":
        lo, hi, unit, category, *p = rest
        return base | {
            "kind": "number",
            "min": lo,
            "max": hi,
            "unit": unit,
            "fail_category": category,
            "fail_priority": (p or [None])[0],
        }
    if kind == "choice":
        choices, category, *p = rest
        return base | {
            "kind": "choice",
            "choices": [
                {"value": v, "label_zh": z, "label_en": e, "fail": f} for v, z, e, f in choices
            ],
            "fail_category": category,
            "fail_priority": (p or [None])[0],
        }
    if kind == "text":
        return base | {"kind": "text", "required": False}
    return base | {"kind": "photo", "min_photos": rest[0]}


def templates() -> list[dict[str, Any]]:
    """Every demo template: code, subject, applies_to, names, items."""
    out = []
    for subject, table in (("site", SITE_TEMPLATES), ("person", PERSON_TEMPLATES)):
        for applies_to, (zh, en, items) in table.items():
            out.append(
                {
                    "code": f"{subject}.{applies_to}",
                    "subject": subject,
                    "applies_to": applies_to,
                    "name_zh": zh,
                    "name_en": en,
                    "items": [expand(i) for i in items],
                }
            )
    return out
