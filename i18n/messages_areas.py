"""Messages of the area-code resolver (governance/area_codes.py): what a typed area code
may be, and why one was refused."""

from __future__ import annotations

_CODES_ZH = (
    "区域代码为 6 位（区县）、9 位（街道/镇）、12 位（社区）或 15 位（网格）数字，"
    "也可在末尾补 0 至 12 或 15 位"
)
_CODES_EN = (
    "codes are 6 (county), 9 (street/town), 12 (community) or 15 (grid) digits, "
    "or padded with zeros to 12 or 15"
)
_LIST_ZH = "全部代码见 python app.py areas list"
_LIST_EN = "see python app.py areas list"

AREAS: dict[str, dict[str, str]] = {
    "areas.city": {"zh-CN": "全市", "en": "Whole city"},
    "areas.error.unknown": {
        "zh-CN": f"没有代码为“{{value}}”的区域：{_CODES_ZH}；全市为 {{city}}；{_LIST_ZH}",
        "en": f"No area has the code '{{value}}'; {_CODES_EN}; the city is {{city}}; {_LIST_EN}",
    },
    "areas.error.unknown_no_city": {
        "zh-CN": f"没有代码为“{{value}}”的区域：{_CODES_ZH}；{_LIST_ZH}",
        "en": f"No area has the code '{{value}}'; {_CODES_EN}; {_LIST_EN}",
    },
    "areas.error.malformed": {
        "zh-CN": f"区域代码“{{value}}”格式不对：{_CODES_ZH}；全市为 {{city}}；{_LIST_ZH}",
        "en": f"The area code '{{value}}' is malformed: {_CODES_EN}; the city is {{city}}; "
        f"{_LIST_EN}",
    },
    "areas.error.malformed_no_city": {
        "zh-CN": f"区域代码“{{value}}”格式不对：{_CODES_ZH}；{_LIST_ZH}",
        "en": f"The area code '{{value}}' is malformed: {_CODES_EN}; {_LIST_EN}",
    },
    "areas.error.city_for_supervisor": {
        "zh-CN": "{code} 是全市的代码；督导须指定一个区县、街道/镇、社区或网格作为管辖区域"
        f"（{_LIST_ZH}）",
        "en": "{code} is the whole city; a supervisor's scope must be a county, street/town, "
        f"community or grid ({_LIST_EN})",
    },
    "areas.error.city_for_grid_worker": {
        "zh-CN": f"{{code}} 是全市的代码；网格员须指定一个网格（15 位代码；{_LIST_ZH}）",
        "en": f"{{code}} is the whole city; a grid worker's scope must be a grid "
        f"(15 digits; {_LIST_EN})",
    },
}
