"""The area import page (/import/areas: pages/area_import_page.py); the checks' own
messages are in messages_area_import.py."""

from __future__ import annotations

AREA_PAGE: dict[str, dict[str, str]] = {
    "nav.import.areas": {"zh-CN": "区划与网格导入", "en": "Area import"},
    "area_page.title": {"zh-CN": "区划与网格导入", "en": "Area and grid import"},
    "area_page.subtitle": {
        "zh-CN": "本县的区县、街道（乡镇）、社区（村）和网格边界",
        "en": "The county's own boundaries: county, street/town, community, grid",
    },
    "area_page.back": {"zh-CN": "返回", "en": "Back"},
    "area_page.upload": {
        "zh-CN": "拖放文件到此处，或点击选择",
        "en": "Drop a file here, or click to choose",
    },
    "area_page.upload_hint": {
        "zh-CN": "Shapefile（.shp、.shx、.dbf、.prj 一起压缩为 .zip）、GeoPackage、GeoJSON 或 "
        "KML，网页上传最大 {max_mb} MB。更大的文件（如全省网格）请在服务器上运行 "
        "python app.py import areas 文件名。全部无误才写入。",
        "en": "A Shapefile (.shp, .shx, .dbf and .prj zipped together), GeoPackage, GeoJSON "
        "or KML, at most {max_mb} MB through this page. Bigger files (a whole province's "
        "grids) go through python app.py import areas FILE on the server. Everything or "
        "nothing is written.",
    },
    "area_page.file": {
        "zh-CN": "{name}：{format}，{count} 个要素；字段：{columns}",
        "en": "{name}: {format}, {count} features; columns: {columns}",
    },
    "area_page.mapping": {"zh-CN": "字段对应", "en": "Columns"},
    "area_page.mapping_from.remembered": {
        "zh-CN": "已按上次导入同样结构文件时的选择填好",
        "en": "Filled in as chosen for the last file of this layout",
    },
    "area_page.mapping_from.guessed": {
        "zh-CN": "已按字段名推测填好，请核对",
        "en": "Guessed from the column names; please check",
    },
    "area_page.mapping_none": {"zh-CN": "（不导入）", "en": "(not imported)"},
    "area_page.required": {"zh-CN": "必填", "en": "required"},
    "area_page.options": {"zh-CN": "导入设置", "en": "Settings"},
    "area_page.level": {"zh-CN": "要素层级", "en": "Level of the features"},
    "area_page.shift": {"zh-CN": "坐标偏移", "en": "Coordinate offset"},
    "area_page.shift.detected": {
        "zh-CN": "自动判断（与已有边界比对）",
        "en": "Detected (against the loaded boundaries)",
    },
    "area_page.preview": {"zh-CN": "预览与检查", "en": "Preview and check"},
    "area_page.accept": {
        "zh-CN": "接受自动修复（MakeValid），面积变化见检查结果",
        "en": "Accept the repairs (MakeValid); the change of area is listed in the findings",
    },
    # --- the preview ---
    "area_page.crs": {
        "zh-CN": "文件声明的坐标系：{crs}",
        "en": "Declared coordinate system: {crs}",
    },
    "area_page.crs_none": {"zh-CN": "未声明", "en": "none"},
    "area_page.detect.fixed": {
        "zh-CN": "该坐标系不会带有 GCJ-02 / BD-09 偏移，未作比对",
        "en": "This coordinate system carries no GCJ-02 / BD-09 offset; nothing compared",
    },
    "area_page.detect.none": {
        "zh-CN": "无法判断偏移：附近没有已导入的边界可比对",
        "en": "The offset cannot be told: no loaded boundaries nearby to compare with",
    },
    "area_page.detect.unclear": {
        "zh-CN": "抽取 {sampled} 个边界点与已有边界比对，结果不明确（{shares}）",
        "en": "{sampled} boundary points compared with the loaded boundaries: unclear ({shares})",
    },
    "area_page.detect.found": {
        "zh-CN": "抽取 {sampled} 个边界点与已有边界比对，最吻合的是 {system}（{shares}）",
        "en": "{sampled} boundary points compared with the loaded boundaries; the best fit is "
        "{system} ({shares})",
    },
    "area_page.share": {"zh-CN": "{system} 吻合 {share}", "en": "{system} fits {share}"},
    "area_page.shift_undone": {
        "zh-CN": "导入时按 {shift} 处理坐标",
        "en": "Coordinates are taken as {shift}",
    },
    "area_page.plan": {
        "zh-CN": "导入后：新增 {new} 个，无变化 {unchanged} 个，更新属性 {renamed} 个，"
        "更新边界 {reshaped} 个",
        "en": "The import will add {new}, leave {unchanged} unchanged, update the attributes "
        "of {renamed} and the boundary of {reshaped}",
    },
    "area_page.counts": {
        "zh-CN": "错误 {error} 处，可修复 {repair} 处，提示 {warning} 处",
        "en": "{error} errors, {repair} repairable, {warning} warnings",
    },
    "area_page.ready": {
        "zh-CN": "检查通过，可以导入",
        "en": "The check passed: the file can be imported",
    },
    "area_page.ready_repairs": {
        "zh-CN": "接受自动修复后可以导入",
        "en": "The file can be imported once the repairs are accepted",
    },
    "area_page.problems": {"zh-CN": "检查结果", "en": "Findings"},
    "area_page.no_problems": {"zh-CN": "未发现问题", "en": "Nothing found"},
    "area_page.more_problems": {
        "zh-CN": "另有 {n} 条未列出",
        "en": "{n} more not listed",
    },
    "area_page.col.feature": {"zh-CN": "要素", "en": "Feature"},
    "area_page.col.code": {"zh-CN": "编码", "en": "Code"},
    "area_page.col.field": {"zh-CN": "字段", "en": "Field"},
    "area_page.col.severity": {"zh-CN": "类别", "en": "Kind"},
    "area_page.col.message": {"zh-CN": "说明", "en": "What"},
    "area_page.col.name": {"zh-CN": "名称", "en": "Name"},
    "area_page.col.level": {"zh-CN": "层级", "en": "Level"},
    "area_page.col.parent": {"zh-CN": "上级", "en": "Parent"},
    "area_page.col.plan": {"zh-CN": "导入后", "en": "Will be"},
    "area_page.first_rows": {"zh-CN": "前 {n} 个要素", "en": "The first {n} features"},
    "area_page.map": {
        "zh-CN": "预览图：蓝线为文件中的边界，橙色为缝隙等提示，红色为错误，紫色为修复后的图形",
        "en": "Preview map: blue lines are the file's boundaries, orange gaps and other "
        "warnings, red errors, purple repaired shapes",
    },
    "area_page.done": {
        "zh-CN": "已导入：新增 {new} 个，无变化 {unchanged} 个，更新属性 {renamed} 个，"
        "更新边界 {reshaped} 个；改归其他网格的事件 {incident} 件、重点场所 {key_site} 处、"
        "重点人员 {key_person} 人",
        "en": "Imported: {new} new, {unchanged} unchanged, {renamed} with new attributes, "
        "{reshaped} with a new boundary; {incident} incidents, {key_site} key sites and "
        "{key_person} key persons changed grid",
    },
    # --- refusals ---
    "area_page.error.upload": {
        "zh-CN": "文件未能上传，请重新选择",
        "en": "The file did not arrive; choose it again",
    },
    "area_page.error.too_large": {
        "zh-CN": "文件过大（{mb} MB），网页上传上限为 {max_mb} MB；请在服务器上用 "
        "python app.py import areas 导入",
        "en": "The file is too large ({mb} MB); the page takes at most {max_mb} MB. Import it "
        "on the server with python app.py import areas",
    },
    "area_page.error.expired": {
        "zh-CN": "上传的文件已过期或已导入，请重新选择文件",
        "en": "The upload has expired or was imported already; choose the file again",
    },
    "area_page.error.not_yours": {
        "zh-CN": "这份上传不属于当前账号，请重新选择文件",
        "en": "This upload belongs to another account; choose the file again",
    },
    "area_page.error.no_file": {"zh-CN": "请先选择文件", "en": "Choose a file first"},
    "area_page.error.stale": {
        "zh-CN": "文件或设置已变更，请先重新预览",
        "en": "The file or the settings changed since the preview; preview again",
    },
}
