"""Messages of the key-site and key-person register import (zh-CN, en).

No message takes an identity cell as a parameter: a name, ID number, phone or address
of a register is never quoted back (governance/registry_rows.py).
"""

from __future__ import annotations

REGISTRY_IMPORT: dict[str, dict[str, str]] = {
    # --- the file and its mapping ---
    "registry.error.kind": {
        "zh-CN": "未知的导入类型：可选 {choices}",
        "en": "Unknown kind of register: choose one of {choices}",
    },
    "registry.error.unmapped": {
        "zh-CN": "以下字段没有对应的列：{fields}。文件中的列：{headers}",
        "en": "No column holds {fields}. The file's columns: {headers}",
    },
    "registry.error.mojibake": {
        "zh-CN": "表头是乱码（可能是 GBK 文件被当作 UTF-8 打开后又保存）：请用原始文件，"
        "或在 Excel 中另存为“CSV UTF-8”后重新导入",
        "en": "The headers are garbled (a GBK file opened as UTF-8 and saved again?): use "
        "the original file, or save it from Excel as 'CSV UTF-8' and import again",
    },
    "registry.error.concurrent": {
        "zh-CN": "导入期间另一次导入写入了相同编号的记录，未导入任何数据：请重新预览后再导入",
        "en": "Another import wrote rows with the same codes meanwhile; nothing was imported: "
        "preview again and import",
    },
    "registry.error.map_option": {
        "zh-CN": "--map 的格式应为 列名=字段（如 场所名称=name），收到“{value}”",
        "en": "--map takes COLUMN=FIELD (e.g. 场所名称=name), got '{value}'",
    },
    # --- field names ---
    "registry.field.code": {"zh-CN": "编号", "en": "Code"},
    "registry.field.id": {"zh-CN": "系统编号", "en": "System id"},
    "registry.field.name": {"zh-CN": "场所名称", "en": "Site name"},
    "registry.field.site_type": {"zh-CN": "场所类型", "en": "Site type"},
    "registry.field.risk_grade": {"zh-CN": "风险等级", "en": "Risk grade"},
    "registry.field.lon": {"zh-CN": "经度", "en": "Longitude"},
    "registry.field.lat": {"zh-CN": "纬度", "en": "Latitude"},
    "registry.field.crs": {"zh-CN": "坐标系", "en": "Coordinate system"},
    "registry.field.address": {"zh-CN": "地址", "en": "Address"},
    "registry.field.community": {"zh-CN": "所属社区", "en": "Community"},
    "registry.field.street": {"zh-CN": "所属街道", "en": "Street"},
    "registry.field.full_name": {"zh-CN": "姓名", "en": "Name"},
    "registry.field.id_number": {"zh-CN": "身份证号", "en": "ID number"},
    "registry.field.phone": {"zh-CN": "联系电话", "en": "Phone"},
    "registry.field.category": {"zh-CN": "人员类别", "en": "Category"},
    "registry.field.care_level": {"zh-CN": "关怀等级", "en": "Care level"},
    "registry.field.location": {
        "zh-CN": "位置（经纬度、所属社区或地址）",
        "en": "Location (coordinates, community or address)",
    },
    # --- one cell ---
    "registry.cell.missing": {"zh-CN": "此项必填，当前为空", "en": "Required, but empty"},
    "registry.cell.too_long": {
        "zh-CN": "内容过长：最多 {max} 个字符",
        "en": "Too long: at most {max} characters",
    },
    "registry.cell.control": {
        "zh-CN": "含有不可见的控制字符或无效编码，请删除后重新导出",
        "en": "Holds invisible control characters or invalid text; remove them and export again",
    },
    "registry.cell.mojibake": {
        "zh-CN": "文字是乱码（可能是 GBK 文件被当作 UTF-8 打开后又保存）：请用原始文件，"
        "或在 Excel 中另存为“CSV UTF-8”后重新导入",
        "en": "The text is garbled (a GBK file opened as UTF-8 and saved again?): use the "
        "original file, or save it from Excel as 'CSV UTF-8' and import again",
    },
    "registry.cell.code_spaces": {
        "zh-CN": "编号中间不能有空格",
        "en": "A code cannot hold spaces",
    },
    "registry.cell.code_chars": {
        "zh-CN": "编号只能包含字母、数字和 _ . - /",
        "en": "A code may hold only letters, digits and _ . - /",
    },
    "registry.cell.choice": {
        "zh-CN": "不是可识别的类型：可填 {names}",
        "en": "Not a known type: use one of {names}",
    },
    "registry.cell.level": {
        "zh-CN": "应为 1 到 {top} 的等级",
        "en": "Must be a grade from 1 to {top}",
    },
    "registry.cell.phone": {
        "zh-CN": "不是有效的电话号码（只能包含数字、+ 和 -）",
        "en": "Not a valid phone number (digits, + and - only)",
    },
    "registry.cell.number": {
        "zh-CN": "不是数字：经纬度请填十进制度数（如 113.57）",
        "en": "Not a number: give decimal degrees (e.g. 113.57)",
    },
    "registry.cell.range": {
        "zh-CN": "超出范围：应在 {lo} 到 {hi} 之间",
        "en": "Out of range: must lie between {lo} and {hi}",
    },
    "registry.cell.crs": {
        "zh-CN": "未知坐标系：可填 {choices}",
        "en": "Unknown coordinate system: use one of {choices}",
    },
    "registry.cell.community_unknown": {
        "zh-CN": "没有名为“{value}”的社区：请填写系统中的社区全称",
        "en": "No community is named '{value}': give the community's full name",
    },
    "registry.cell.community_ambiguous": {
        "zh-CN": "多个街道有同名社区（{streets}）：请增加“所属街道”列",
        "en": "Communities of this name exist in several streets ({streets}): add a street column",
    },
    "registry.cell.street_unknown": {
        "zh-CN": "所填街道下没有这个社区",
        "en": "That street has no community of this name",
    },
    "registry.cell.no_place": {
        "zh-CN": "无法定位：请填写经纬度，或系统中已有的所属社区",
        "en": "Cannot be placed: give coordinates or an existing community",
    },
    "registry.cell.outside": {
        "zh-CN": "该点不在任何网格内：请核对经纬度和坐标系",
        "en": "The point lies in no grid: check the coordinates and their system",
    },
    "registry.cell.community_no_grid": {
        "zh-CN": "该社区的中心点不在任何网格内，无法按社区定位：请填写经纬度",
        "en": "The community's centre lies in no grid: give coordinates instead",
    },
    "registry.cell.scope": {
        "zh-CN": "该点不在您的管辖范围（{area}）内，不能导入",
        "en": "The point lies outside your area ({area}); it cannot be imported",
    },
    "registry.cell.scope_stored": {
        "zh-CN": "此人已在您管辖范围以外登记，不能由您更新",
        "en": "This person is registered outside your area; you cannot update them",
    },
    "registry.cell.site_id": {
        "zh-CN": "系统编号应为正整数",
        "en": "The system id must be a positive whole number",
    },
    "registry.cell.site_id_unknown": {
        "zh-CN": "系统中没有这个编号的场所",
        "en": "No site has this system id",
    },
    "registry.cell.id_code_mismatch": {
        "zh-CN": "该系统编号的场所已有另一个编号",
        "en": "The site with this system id already has another code",
    },
    "registry.cell.name_ambiguous": {
        "zh-CN": "同一网格内有多个同名场所：请增加编号列",
        "en": "Several sites of this name lie in this grid: add a code column",
    },
    "registry.cell.repeat": {
        "zh-CN": "与第 {row} 行重复",
        "en": "Repeats row {row}",
    },
    "registry.cell.id_taken": {
        "zh-CN": "该身份证号已登记在另一编号的人员名下",
        "en": "This ID number is registered to a person with another code",
    },
    # --- ID numbers (GB 11643): never quoted ---
    "registry.id.excel": {
        "zh-CN": "身份证号被 Excel 转成了科学计数法数字（如 1.2E+17），末几位已丢失："
        "请将该列设置为“文本”格式后重新录入并导出",
        "en": "Excel turned this ID number into a number (like 1.2E+17) and lost its last "
        "digits; format the column as text and export again",
    },
    "registry.id.length": {
        "zh-CN": "身份证号应为 18 位",
        "en": "An ID number has 18 characters",
    },
    "registry.id.chars": {
        "zh-CN": "身份证号前 17 位应为数字，最后一位为数字或 X",
        "en": "An ID number is 17 digits and a digit or X",
    },
    "registry.id.birth": {
        "zh-CN": "身份证号中的出生日期（第 7-14 位）无效",
        "en": "The date of birth in the ID number (characters 7-14) is not valid",
    },
    "registry.id.check": {
        "zh-CN": "身份证号校验位不符（可能有录入错误）",
        "en": "The check digit does not match (a typing error?)",
    },
    # --- corrections ---
    "registry.fix.folded": {
        "zh-CN": "全角字符或空格已转为半角、删除",
        "en": "Full-width characters made ASCII, spaces removed",
    },
    "registry.fix.swapped": {
        "zh-CN": "经度和纬度填反了，已互换",
        "en": "Longitude and latitude were swapped back",
    },
    # --- the command line ---
    "registry.cli.counts": {
        "zh-CN": "{file}：共 {total} 行，新增 {new}，更新 {updated}，未变 {unchanged}，"
        "错误 {errors}，自动更正 {fixes}",
        "en": "{file}: {total} rows, {new} new, {updated} updated, {unchanged} unchanged, "
        "{errors} errors, {fixes} corrections",
    },
    "registry.cli.row": {
        "zh-CN": "第 {row} 行，{column}：{message}",
        "en": "row {row}, {column}: {message}",
    },
    "registry.cli.more": {
        "zh-CN": "……另有 {n} 条未列出",
        "en": "... and {n} more",
    },
    "registry.cli.map_hint": {
        "zh-CN": "用 --map 列名=字段 指定列，字段可选：{fields}",
        "en": "Map columns with --map COLUMN=FIELD; the fields: {fields}",
    },
    # --- the page (/import/sites) ---
    "nav.import.sites": {"zh-CN": "场所导入", "en": "Site import"},
    "registry.page.title": {"zh-CN": "场所导入", "en": "Site import"},
    "registry.page.subtitle": {
        "zh-CN": "重点场所台账（CSV / XLSX）：列对应、预览、全部导入或全部不导入",
        "en": "Key-site registers (CSV / XLSX): map, preview, import all rows or none",
    },
    "registry.page.crs": {
        "zh-CN": "文件坐标系（“坐标系”列优先）",
        "en": "File CRS (a CRS column wins)",
    },
    "registry.page.summary": {
        "zh-CN": "共 {total} 行：新增 {new}，更新 {updated}，未变 {unchanged}",
        "en": "{total} rows: {new} new, {updated} updated, {unchanged} unchanged",
    },
    "registry.cli.fix": {"zh-CN": "更正", "en": "correction"},
    "registry.cli.dry_run": {
        "zh-CN": "预览完毕，未写入任何数据（--dry-run）",
        "en": "Preview only; nothing was written (--dry-run)",
    },
    "registry.cli.done": {
        "zh-CN": "已导入：新增 {new}，更新 {updated}，未变 {unchanged}",
        "en": "Imported: {new} new, {updated} updated, {unchanged} unchanged",
    },
    "registry.cli.refused": {
        "zh-CN": "文件有 {n} 处错误，未导入任何数据",
        "en": "The file has {n} errors; nothing was imported",
    },
    "registry.cli.corrections": {
        "zh-CN": "文件需要 {n} 处自动更正，未导入任何数据：核对后加 --accept-corrections 再导入",
        "en": "The file needs {n} automatic corrections; nothing was imported: check them "
        "and import again with --accept-corrections",
    },
}
