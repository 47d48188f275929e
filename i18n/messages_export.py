"""Exports of data: the export menus and the export use case's messages."""

from __future__ import annotations

EXPORT: dict[str, dict[str, str]] = {
    "export.error.dataset": {
        "zh-CN": "未知的导出数据“{value}”，可用：{choices}",
        "en": "Unknown export dataset '{value}'; available: {choices}",
    },
    "export.error.too_many": {
        "zh-CN": "符合条件的记录太多（{n} 条），单次最多导出 {cap} 条，请缩小时间范围、类别或区域后再导出",
        "en": "Too many records match ({n}); an export holds at most {cap}. "
        "Narrow the time range, categories or area and try again",
    },
    "export.error.area": {
        "zh-CN": "未知的区域编码“{value}”",
        "en": "Unknown area code '{value}'",
    },
    "export.menu": {"zh-CN": "导出", "en": "Export"},
    "export.menu_title": {
        "zh-CN": "导出当前视图（已脱敏，按权限范围，记入审计）",
        "en": "Export the current view (masked, within your area, audited)",
    },
    "export.incidents": {
        "zh-CN": "事件（当前筛选与视野）",
        "en": "Incidents (current filters and view)",
    },
    "export.sites": {"zh-CN": "重点场所（当前视野）", "en": "Key sites (current view)"},
    "export.inbox": {"zh-CN": "本部门待办", "en": "My department's open cases"},
    "export.grids": {"zh-CN": "网格统计（当前筛选）", "en": "Grids summary (current filters)"},
    "export.format.csv": {"zh-CN": "CSV", "en": "CSV"},
    "export.format.xlsx": {"zh-CN": "Excel", "en": "Excel"},
    "export.format.geojson": {"zh-CN": "GeoJSON", "en": "GeoJSON"},
    "export.format.gpkg": {"zh-CN": "GeoPackage", "en": "GeoPackage"},
}
