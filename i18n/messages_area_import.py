"""Import of a county's own areas (governance/area_import.py, governance/area_files.py)."""

from __future__ import annotations

_FORMATS = "Shapefile（.shp、.shx、.dbf、.prj 一起压缩为 .zip）、GeoPackage、GeoJSON 或 KML"
_FORMATS_EN = "a Shapefile (.shp, .shx, .dbf and .prj zipped together), GeoPackage, GeoJSON or KML"

AREA_IMPORT: dict[str, dict[str, str]] = {
    # --- reading the file ---
    "area_import.error.too_large": {
        "zh-CN": "文件超过 {mb} MB，请按街道或区县分批导入",
        "en": "The file is larger than {mb} MB; import it street by street or county by county",
    },
    "area_import.error.empty_file": {"zh-CN": "文件是空的", "en": "The file is empty"},
    "area_import.error.no_such_file": {
        "zh-CN": "找不到文件 {name}",
        "en": "No such file: {name}",
    },
    "area_import.error.lone_shapefile_part": {
        "zh-CN": "Shapefile 由多个文件组成：请把 .shp、.shx、.dbf、.prj（和 .cpg）一起压缩为 .zip 后上传",
        "en": "A Shapefile is several files: zip .shp, .shx, .dbf, .prj (and .cpg) together "
        "and upload the .zip",
    },
    "area_import.error.html": {
        "zh-CN": "这是一个网页，不是边界数据文件。请在网页中下载数据文件本身（" + _FORMATS + "）",
        "en": "This is a web page, not a boundary file. Download the data file itself from "
        "the page (" + _FORMATS_EN + ")",
    },
    "area_import.error.unknown_format": {
        "zh-CN": "无法识别的文件格式。请上传" + _FORMATS,
        "en": "Unrecognised file format. Upload " + _FORMATS_EN,
    },
    "area_import.error.encoding": {
        "zh-CN": "文件的文字编码既不是 UTF-8 也不是 GBK，请另存为 UTF-8 后再导入",
        "en": "The file's text is neither UTF-8 nor GBK; save it as UTF-8 and import again",
    },
    "area_import.error.bad_zip": {
        "zh-CN": "压缩包已损坏或无法读取，请重新压缩后上传",
        "en": "The zip file is damaged or unreadable; zip the files again and upload",
    },
    "area_import.error.zip_members": {
        "zh-CN": "压缩包中文件过多（超过 {limit} 个），一个压缩包只放一个图层",
        "en": "The zip holds too many files (more than {limit}); put one layer in a zip",
    },
    "area_import.error.zip_too_large": {
        "zh-CN": "压缩包解压后超过 {mb} MB，请分批导入",
        "en": "The zip unpacks to more than {mb} MB; import it in parts",
    },
    "area_import.error.zip_bomb": {
        "zh-CN": "压缩包中有文件的压缩比异常（可能是恶意压缩包），已拒绝",
        "en": "A file in the zip has an abnormal compression ratio (a zip bomb?); refused",
    },
    "area_import.error.several_layers": {
        "zh-CN": "压缩包中有 {count} 个 Shapefile，一次只能导入一个图层",
        "en": "The zip holds {count} Shapefiles; import one layer at a time",
    },
    "area_import.error.zip_useless": {
        "zh-CN": "压缩包中没有可导入的图层（需要 .shp 及其 .shx、.dbf，或一个 .gpkg、.geojson、.kml）",
        "en": "The zip holds no layer to import (a .shp with its .shx and .dbf, or one "
        ".gpkg, .geojson or .kml)",
    },
    "area_import.error.no_dbf": {
        "zh-CN": "压缩包中缺少 .dbf 属性表（编码和名称在其中），请一起压缩",
        "en": "The zip lacks the .dbf attribute table (it holds the codes and names); zip it too",
    },
    "area_import.error.no_shx": {
        "zh-CN": "压缩包中缺少 .shx 索引文件，请把 .shp、.shx、.dbf 一起压缩",
        "en": "The zip lacks the .shx index; zip .shp, .shx and .dbf together",
    },
    "area_import.error.unreadable_shapefile": {
        "zh-CN": "Shapefile 无法读取（文件可能已损坏或不完整）",
        "en": "The Shapefile cannot be read (damaged or incomplete)",
    },
    "area_import.error.unreadable_gpkg": {
        "zh-CN": "GeoPackage 无法读取（文件可能已损坏，或其中没有图层）",
        "en": "The GeoPackage cannot be read (damaged, or it has no layer)",
    },
    "area_import.error.unreadable_geojson": {
        "zh-CN": "GeoJSON 无法读取：内容不是有效的 JSON，或不是 FeatureCollection",
        "en": "The GeoJSON cannot be read: not valid JSON, or not a FeatureCollection",
    },
    "area_import.error.unreadable_kml": {
        "zh-CN": "KML 无法读取（XML 不完整或不是 KML）",
        "en": "The KML cannot be read (incomplete XML, or not KML)",
    },
    "area_import.error.no_features": {
        "zh-CN": "文件中没有任何要素（0 个图形）",
        "en": "The file holds no features (0 shapes)",
    },
    "area_import.error.too_many_features": {
        "zh-CN": "文件有 {count} 个要素，一次最多导入 {limit} 个，请分批导入",
        "en": "The file has {count} features; at most {limit} import at once, import it in parts",
    },
    "area_import.error.too_many_fields": {
        "zh-CN": "属性表字段过多（超过 {limit} 个）",
        "en": "The attribute table has too many fields (more than {limit})",
    },
    "area_import.error.crs_unknown": {
        "zh-CN": "文件声明的坐标系无法识别（.prj 可能已损坏）",
        "en": "The file's coordinate system cannot be recognised (a damaged .prj?)",
    },
    "area_import.error.crs_unsupported": {
        "zh-CN": "文件的坐标系“{name}”不受支持。支持：CGCS2000（EPSG:4490）、WGS84（EPSG:4326）、"
        "CGCS2000 高斯-克吕格投影（EPSG:4491–4554）、Web 墨卡托（EPSG:3857）",
        "en": 'The file\'s coordinate system "{name}" is not supported. Supported: CGCS2000 '
        "(EPSG:4490), WGS84 (EPSG:4326), CGCS2000 Gauss-Kruger zones (EPSG:4491-4554), "
        "web Mercator (EPSG:3857)",
    },
    "area_import.error.crs_choice": {
        "zh-CN": "坐标偏移只能选 WGS84（无偏移）、GCJ-02 或 BD-09",
        "en": "The offset can only be WGS84 (none), GCJ-02 or BD-09",
    },
    "area_import.error.level": {
        "zh-CN": "层级只能是：按编码判断、区县、街道/乡镇、社区/村、网格",
        "en": "The level must be: by code, county, street/town, community/village or grid",
    },
    "area_import.error.no_column": {
        "zh-CN": "“{field}”对应的列“{column}”在文件中不存在",
        "en": 'The column "{column}" chosen for "{field}" is not in the file',
    },
    "area_import.error.unmapped": {
        "zh-CN": "请指定哪一列是“{field}”",
        "en": 'Choose the column that holds "{field}"',
    },
    "area_import.error.has_errors": {
        "zh-CN": "文件有 {n} 处错误，未导入任何数据。请按预览修改后重新导入",
        "en": "The file has {n} errors; nothing was imported. Correct them as the preview "
        "says and import again",
    },
    "area_import.error.repairs_not_accepted": {
        "zh-CN": "有 {n} 个图形无效，需要先确认自动修复，未导入任何数据",
        "en": "{n} shapes are invalid; accept their repair first. Nothing was imported",
    },
    "area_import.error.not_staged": {
        "zh-CN": "请先上传文件并预览",
        "en": "Upload a file and preview it first",
    },
    # --- what reading did ---
    "area_import.note.no_prj": {
        "zh-CN": "Shapefile 没有 .prj，文件未声明坐标系",
        "en": "The Shapefile has no .prj: it declares no coordinate system",
    },
    "area_import.note.read_as_gbk": {
        "zh-CN": "属性表按 GBK 编码读取",
        "en": "The attribute table was read as GBK",
    },
    # --- fields ---
    "area_import.field.code": {"zh-CN": "编码", "en": "Code"},
    "area_import.field.name": {"zh-CN": "名称", "en": "Name"},
    "area_import.field.parent": {"zh-CN": "上级编码", "en": "Parent code"},
    "area_import.field.population": {"zh-CN": "人口", "en": "Population"},
    "area_import.field.geometry": {"zh-CN": "图形", "en": "Shape"},
    # --- codes ---
    "area_import.code.missing": {"zh-CN": "编码为空", "en": "The code is empty"},
    "area_import.code.space": {
        "zh-CN": "编码中有空格，请删除空格",
        "en": "The code contains a space; remove it",
    },
    "area_import.code.full_width": {
        "zh-CN": "编码含全角数字（如“４４１５”），请改为半角数字",
        "en": "The code has full-width digits (like ４４１５); use ordinary digits",
    },
    "area_import.code.digits": {
        "zh-CN": "编码只能由数字组成",
        "en": "The code may contain digits only",
    },
    "area_import.code.length": {
        "zh-CN": "{level}编码应为 {n} 位数字（或末尾补 0 到 12 位）",
        "en": "A {level} code has {n} digits (or is padded with zeros to 12)",
    },
    "area_import.code.zero_serial": {
        "zh-CN": "{level}编码的最后三位不能是 000（那是上级的编码）",
        "en": "The last three digits of a {level} code cannot be 000 (that is its parent's code)",
    },
    "area_import.code.length_auto": {
        "zh-CN": "编码有 {n} 位，无法判断层级（区县 6 位、街道 9 位、社区 12 位、网格 15 位）",
        "en": "The code has {n} digits, which is no level (county 6, street 9, community 12, "
        "grid 15)",
    },
    # --- per feature ---
    "area_import.check.no_name": {"zh-CN": "名称为空", "en": "The name is empty"},
    "area_import.check.long_name": {
        "zh-CN": "名称超过 {n} 个字",
        "en": "The name is longer than {n} characters",
    },
    "area_import.check.mojibake": {
        "zh-CN": "名称是乱码（GBK 文件被当作 UTF-8 读取？）。请另存为 UTF-8，或在 Shapefile 中附上内容为 GBK 的 .cpg 文件",
        "en": "The name is garbled (a GBK file read as UTF-8?). Save the file as UTF-8, or "
        "add a .cpg file saying GBK to the Shapefile",
    },
    "area_import.check.county_parent": {
        "zh-CN": "区县没有上级编码（市是最上级），请留空",
        "en": "A county has no parent code (the city is the top); leave it empty",
    },
    "area_import.check.not_extending": {
        "zh-CN": "上级编码 {parent} 与编码 {code} 不符：下级编码应以上级编码开头",
        "en": "Parent code {parent} does not fit code {code}: a child's code begins with "
        "its parent's",
    },
    "area_import.check.population": {
        "zh-CN": "人口应为不带小数的数字",
        "en": "The population must be a whole number",
    },
    "area_import.check.duplicate": {
        "zh-CN": "编码与第 {other} 个要素重复",
        "en": "The code repeats feature {other}'s",
    },
    "area_import.check.cycle": {
        "zh-CN": "上级编码形成循环：{chain}",
        "en": "The parent codes go round in a circle: {chain}",
    },
    "area_import.check.no_parent": {
        "zh-CN": "上级{level} {parent} 既不在文件中，也未导入。请先导入上级，或一起导入",
        "en": "The parent {level} {parent} is neither in the file nor loaded; import it "
        "first, or together",
    },
    "area_import.check.parent_level": {
        "zh-CN": "上级 {parent} 是{level}，层级不对",
        "en": "The parent {parent} is a {level}: the wrong level",
    },
    "area_import.check.unreadable": {
        "zh-CN": "图形无法读取（多边形至少需要 4 个点，且首尾相同）",
        "en": "The shape cannot be read (a polygon needs at least 4 points, the last "
        "equal to the first)",
    },
    "area_import.check.not_polygon": {
        "zh-CN": "图形是 {detail}，不是面（多边形）",
        "en": "The shape is a {detail}, not a polygon",
    },
    "area_import.check.empty": {"zh-CN": "图形为空", "en": "The shape is empty"},
    "area_import.check.not_finite": {
        "zh-CN": "坐标不是有效数字（NaN 或极大值）",
        "en": "The coordinates are not valid numbers (NaN or huge values)",
    },
    "area_import.check.not_degrees": {
        "zh-CN": "坐标不是经纬度，且文件未声明投影坐标系：请附上 .prj，或导出为经纬度",
        "en": "The coordinates are not degrees and the file declares no projection: add "
        "the .prj, or export in degrees",
    },
    "area_import.check.swapped": {
        "zh-CN": "经度和纬度颠倒了：请交换两列（或在导出时选择“经度在前”）",
        "en": "Longitude and latitude are swapped: exchange them (or export with longitude first)",
    },
    "area_import.check.outside_china": {
        "zh-CN": "图形在中国境外：请检查坐标系，或经纬度是否颠倒",
        "en": "The shape lies outside China: check the coordinate system, or whether "
        "longitude and latitude are swapped",
    },
    "area_import.check.unrepairable": {
        "zh-CN": "图形无效且无法修复（{detail}）",
        "en": "The shape is invalid and cannot be repaired ({detail})",
    },
    "area_import.check.invalid": {
        "zh-CN": "图形无效（{detail}），可自动修复，修复后面积变化 {sign}{m2} 平方米",
        "en": "The shape is invalid ({detail}); a repair is possible, changing its area "
        "by {sign}{m2} m²",
    },
    "area_import.check.invalid_tiny": {
        "zh-CN": "图形有微小的拓扑错误（{detail}），已自动修复，面积变化不足 1 平方米",
        "en": "The shape had a tiny topology error ({detail}), repaired automatically; "
        "its area changed by less than 1 m²",
    },
    "area_import.check.outside_parent": {
        "zh-CN": "有 {m2} 平方米（{share}）在上级 {other} 之外",
        "en": "{m2} m² ({share}) lie outside its parent {other}",
    },
    "area_import.check.overlap": {
        "zh-CN": "与同级 {other} 重叠 {m2} 平方米",
        "en": "Overlaps its sibling {other} by {m2} m²",
    },
    "area_import.check.gap": {
        "zh-CN": "{other} 内有 {m2} 平方米未被任何下级覆盖（缝隙）",
        "en": "{m2} m² inside {other} are covered by no child (a gap)",
    },
    "area_import.check.gap_top": {
        "zh-CN": "同级之间有 {m2} 平方米的缝隙",
        "en": "A gap of {m2} m² between areas of the same level",
    },
    "area_import.reason.self_intersection": {"zh-CN": "边界自相交", "en": "self-intersection"},
    "area_import.reason.ring_self_intersection": {
        "zh-CN": "环自相交",
        "en": "ring self-intersection",
    },
    "area_import.reason.too_few_points": {"zh-CN": "点数不足", "en": "too few points"},
    "area_import.reason.hole_outside": {
        "zh-CN": "内洞在外边界之外",
        "en": "a hole outside its shell",
    },
    "area_import.reason.nested": {"zh-CN": "内洞或多边形嵌套", "en": "nested rings"},
    "area_import.reason.other": {"zh-CN": "拓扑错误", "en": "a topology error"},
    "area_import.reason.at": {"zh-CN": "，位于 {lon}, {lat} 附近", "en": " near {lon}, {lat}"},
    # --- what the import will do ---
    "area_import.plan.new": {"zh-CN": "新增", "en": "New"},
    "area_import.plan.unchanged": {"zh-CN": "无变化", "en": "Unchanged"},
    "area_import.plan.renamed": {"zh-CN": "更新属性", "en": "Attributes updated"},
    "area_import.plan.reshaped": {"zh-CN": "更新边界", "en": "Boundary updated"},
    "area_import.severity.error": {"zh-CN": "错误", "en": "Error"},
    "area_import.severity.warning": {"zh-CN": "提示", "en": "Warning"},
    "area_import.severity.repair": {"zh-CN": "可修复", "en": "Repairable"},
    "area_import.shift.wgs84": {
        "zh-CN": "WGS84 / CGCS2000（无偏移）",
        "en": "WGS84 / CGCS2000 (no offset)",
    },
    "area_import.shift.gcj02": {"zh-CN": "GCJ-02（高德、腾讯）", "en": "GCJ-02 (AMap, Tencent)"},
    "area_import.shift.bd09": {"zh-CN": "BD-09（百度）", "en": "BD-09 (Baidu)"},
    "area_import.level.auto": {"zh-CN": "按编码长度判断", "en": "By code length"},
    # --- init --empty (governance/installation.py) ---
    "install.error.not_empty": {
        "zh-CN": "数据库中已有 {areas} 个区划、{accounts} 个账号、{incidents} 条事件：init --empty "
        "只在空数据库上新建系统（可用 MINQING_DATABASE_NAME 指定一个新数据库）",
        "en": "This database already holds {areas} areas, {accounts} accounts and {incidents} "
        "incidents: init --empty starts a new installation only on an empty database (set "
        "MINQING_DATABASE_NAME to a new one)",
    },
}
