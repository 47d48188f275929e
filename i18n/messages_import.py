"""Messages of the file import of hotline exports (/import) (zh-CN, en)."""

from __future__ import annotations

IMPORT: dict[str, dict[str, str]] = {
    # --- the file ---
    "import.error.too_large": {
        "zh-CN": "文件过大（{mb} MB），上限为 {max_mb} MB；请拆分后分批导入",
        "en": "The file is too large ({mb} MB); the limit is {max_mb} MB, split it",
    },
    "import.error.request_too_large": {
        "zh-CN": "上传内容超过 {max_mb} MB 上限，未处理",
        "en": "The upload is larger than the {max_mb} MB limit; nothing was processed",
    },
    "import.error.too_many_rows": {
        "zh-CN": "一次最多导入 {max} 行；请拆分文件",
        "en": "At most {max} rows per file; split the file",
    },
    "import.error.empty": {"zh-CN": "文件为空", "en": "The file is empty"},
    "import.error.upload": {
        "zh-CN": "上传内容无法读取，请重新选择文件",
        "en": "The upload could not be read; choose the file again",
    },
    "import.error.no_file": {"zh-CN": "请先选择文件", "en": "Choose a file first"},
    "import.error.format": {
        "zh-CN": "不支持的文件格式（{name}）：请另存为 CSV 或 XLSX",
        "en": "Unsupported file format ({name}): save it as CSV or XLSX",
    },
    "import.error.encoding": {
        "zh-CN": "无法识别文件编码：CSV 须为 UTF-8 或 GBK/GB18030",
        "en": "Unknown text encoding: a CSV must be UTF-8 or GBK/GB18030",
    },
    "import.error.encoding_at": {
        "zh-CN": "无法识别文件编码：第 {row} 行有既非 UTF-8 也非 GBK/GB18030 的字节",
        "en": "Unknown text encoding: line {row} holds bytes that are neither UTF-8 nor "
        "GBK/GB18030",
    },
    # --- limits (governance/file_limits.py) ---
    "import.error.line_too_long": {
        "zh-CN": "第 {row} 行过长（超过 {max} 个字符）：这不像表格文件",
        "en": "Line {row} is too long (over {max} characters): this does not look like a table",
    },
    "import.error.span": {
        "zh-CN": "第 {row} 行超出上限：文件（含空行）最多读取 {max} 行。请删除数据下方的空行，"
        "或拆分文件",
        "en": "Row {row} is past the limit: at most {max} rows are read, empty rows included. "
        "Delete the empty rows below the data, or split the file",
    },
    "import.error.dimension": {
        "zh-CN": "工作表声明的范围 {ref} 超出上限（最多 {rows} 行、{columns} 列，含空行）。"
        "请删除数据以外的空行、空列及其格式后另存",
        "en": "The sheet declares the range {ref}, over the limit ({rows} rows, {columns} "
        "columns, empty ones included). Delete the empty rows and columns around the data "
        "and save again",
    },
    "import.error.too_many_columns": {
        "zh-CN": "第 {row} 行有超出第 {max} 列的内容：最多 {max} 列",
        "en": "Row {row} holds values past column {max}: at most {max} columns",
    },
    "import.error.cell_too_long": {
        "zh-CN": "第 {row} 行有单元格超过 {max} 个字符",
        "en": "Row {row} has a cell longer than {max} characters",
    },
    "import.error.string_too_long": {
        "zh-CN": "文件中有文本超过 {max} 个字符（Excel 单元格的上限）",
        "en": "The file holds a text longer than {max} characters (Excel's limit for a cell)",
    },
    "import.error.too_many_cells": {
        "zh-CN": "文件内容过多：非空单元格超过 {max} 个；请拆分文件",
        "en": "Too much content: more than {max} non-empty cells; split the file",
    },
    "import.error.too_much_text": {
        "zh-CN": "文件内容过多：文本超过 {max} 个字符；请拆分文件",
        "en": "Too much content: more than {max} characters of text; split the file",
    },
    "import.error.zip_members": {
        "zh-CN": "XLSX 文件内部条目过多（上限 {max} 个），不像工作簿",
        "en": "The XLSX file holds too many parts (at most {max}): not a workbook",
    },
    "import.error.zip_ratio": {
        "zh-CN": "XLSX 文件中的“{name}”压缩比异常（疑似压缩炸弹），已拒绝",
        "en": "'{name}' in the XLSX file inflates far beyond its size (a zip bomb); refused",
    },
    "import.error.unzipped_too_large": {
        "zh-CN": "XLSX 文件解压后过大（{mb} MB），上限为 {max_mb} MB；请拆分后分批导入",
        "en": "The XLSX file inflates to {mb} MB; the limit is {max_mb} MB, split it",
    },
    "import.error.xlsx_part": {
        "zh-CN": "XLSX 文件中的“{name}”解压后过大（{mb} MB，上限 {max_mb} MB）",
        "en": "'{name}' in the XLSX file inflates to {mb} MB (the limit is {max_mb} MB)",
    },
    "import.error.xml_elements": {
        "zh-CN": "XLSX 文件结构过于复杂（XML 元素超过 {max} 个）；请另存为 CSV 或拆分文件",
        "en": "The XLSX file is too complex (over {max} XML elements); save it as CSV or split it",
    },
    "import.error.xlsx_encrypted": {
        "zh-CN": "这是加密（设有打开密码）的工作簿或旧版 .xls 文件：请取消密码并另存为 XLSX 或 CSV",
        "en": "This workbook is encrypted (password to open) or an old .xls file: remove the "
        "password and save it as XLSX or CSV",
    },
    # --- the upload kept between steps (governance/file_uploads.py) ---
    "import.error.expired": {
        "zh-CN": "上传的文件已过期或已导入，请重新选择文件",
        "en": "The upload has expired or was imported already; choose the file again",
    },
    "import.error.not_yours": {
        "zh-CN": "这份上传不属于当前账号，请重新选择文件",
        "en": "This upload belongs to another account; choose the file again",
    },
    "import.error.binary": {
        "zh-CN": "这不是文本表格文件：请上传 CSV 或 XLSX",
        "en": "This is not a text table: upload a CSV or XLSX file",
    },
    "import.error.csv": {
        "zh-CN": "CSV 格式错误：第 {row} 行（{reason}）",
        "en": "Malformed CSV at row {row} ({reason})",
    },
    "import.error.xlsx": {
        "zh-CN": "无法读取 XLSX 文件（文件损坏或不是 Excel 2007+ 格式）",
        "en": "The XLSX file cannot be read (damaged, or not Excel 2007+)",
    },
    "import.error.no_rows": {
        "zh-CN": "文件中没有表头或数据行",
        "en": "The file holds no header row or no data rows",
    },
    "import.error.duplicate_header": {
        "zh-CN": "表头“{column}”出现多次",
        "en": "The header '{column}' appears more than once",
    },
    # --- the options ---
    "import.error.source": {
        "zh-CN": "未知来源：可选 {choices}",
        "en": "Unknown source: choose one of {choices}",
    },
    "import.error.crs": {
        "zh-CN": "未知坐标系：可选 {choices}",
        "en": "Unknown coordinate system: choose one of {choices}",
    },
    "import.error.mapping_field": {
        "zh-CN": "未知字段“{field}”",
        "en": "Unknown field '{field}'",
    },
    "import.error.mapping_column": {
        "zh-CN": "文件中没有列“{column}”",
        "en": "The file has no column '{column}'",
    },
    "import.error.unmapped": {
        "zh-CN": "必填字段未对应到文件中的列：{fields}。文件的列为：{headers}",
        "en": "Required fields not mapped to a column of the file: {fields}. "
        "The file's columns: {headers}",
    },
    "import.error.invalid_rows": {
        "zh-CN": "{total} 行中有 {n} 行有误，未导入任何数据（首个错误：第 {row} 行，"
        "列“{column}”：{detail}）",
        "en": "{n} of {total} rows are invalid; nothing was imported (first: row {row}, "
        "column '{column}': {detail})",
    },
    "import.error.corrections": {
        "zh-CN": "预览列出的 {n} 处自动更正（{rows} 行）尚未接受，未导入任何数据：请核对后勾选"
        "“接受以上自动更正”再导入，或修改文件后重新预览",
        "en": "The {n} automatic corrections listed by the preview ({rows} rows) were not "
        "accepted; nothing was imported. Check them and tick 'Accept these corrections', "
        "or fix the file and preview again",
    },
    # --- a bad cell, in the words of the person importing (governance/file_feedback.py) ---
    "import.cell.missing": {
        "zh-CN": "此格为空：请填写{field}",
        "en": "this cell is empty: fill in the {field}",
    },
    "import.cell.category": {
        "zh-CN": "“{value}”不是已有的事件类别：请改为类别名称，如“{names}”",
        "en": "'{value}' is not a known category: write a category name, such as '{names}'",
    },
    "import.list_sep": {"zh-CN": "”“", "en": "', '"},
    "import.cell.time_format": {
        "zh-CN": "“{value}”不是可识别的时间：请写成 2026-11-28 09:30 或 2026/11/28 09:30",
        "en": "'{value}' is not a time we can read: write it as 2026-11-28 09:30 or "
        "2026/11/28 09:30",
    },
    "import.cell.time_future": {
        "zh-CN": "时间“{value}”晚于现在：请核对日期",
        "en": "the time '{value}' is in the future: check the date",
    },
    "import.cell.time_past": {
        "zh-CN": "时间“{value}”早于 2000 年：请核对日期",
        "en": "the time '{value}' is before the year 2000: check the date",
    },
    "import.cell.not_number": {
        "zh-CN": "“{value}”不是数字：{field}请填写小数，如 115.37（半角数字，不带单位）",
        "en": "'{value}' is not a number: write the {field} as a decimal such as 115.37 (no unit)",
    },
    "import.cell.lon_range": {
        "zh-CN": "经度“{value}”超出 -180 到 180：请检查经度和纬度两列是否对应正确",
        "en": "the longitude '{value}' is outside -180 to 180: check that the longitude "
        "and latitude columns are mapped the right way",
    },
    "import.cell.lat_range": {
        "zh-CN": "纬度“{value}”超出 -90 到 90：请检查经度和纬度两列是否对应正确",
        "en": "the latitude '{value}' is outside -90 to 90: check that the longitude and "
        "latitude columns are mapped the right way",
    },
    "import.cell.crs": {
        "zh-CN": "未知坐标系“{value}”：请填写 {choices} 之一，或清空此格（按“文件坐标系”）",
        "en": "unknown coordinate system '{value}': write one of {choices}, or leave the "
        "cell empty (the file's CRS applies)",
    },
    "import.cell.priority": {
        "zh-CN": "优先级“{value}”无效：请填写 1（特急）、2（紧急）、3（一般）或 4（较低），"
        "或清空此格（按类别默认）",
        "en": "the priority '{value}' is not valid: write 1 (critical), 2 (urgent), "
        "3 (normal) or 4 (low), or leave it empty (the category's default)",
    },
    "import.cell.phone": {
        "zh-CN": "电话“{value}”无效：只能有数字、+、- 和空格，最多 20 位",
        "en": "the phone number '{value}' is not valid: digits, +, - and spaces only, at most 20",
    },
    "import.cell.too_long": {
        "zh-CN": "内容过长（{n} 个字符）：请缩短到 {max} 个字符以内",
        "en": "too long ({n} characters): shorten it to at most {max}",
    },
    "import.cell.external_id": {
        "zh-CN": "工单编号“{value}”无效：请填写 1 到 64 个字符，不含不可见字符",
        "en": "the ticket number '{value}' is not valid: 1 to 64 characters, no invisible "
        "characters",
    },
    "import.cell.control_chars": {
        "zh-CN": "含有不可见的控制字符或乱码：请在表格中重新输入此格",
        "en": "holds invisible control characters or garbled text: type the cell again",
    },
    "import.cell.not_text": {
        "zh-CN": "此格不是文字：请改为文字",
        "en": "this cell is not text: write it as text",
    },
    "import.cell.outside": {
        "zh-CN": "该位置不在本辖区任何网格内：请核对经纬度，以及“文件坐标系”是否选对",
        "en": "this place lies in no grid of the jurisdiction: check the coordinates and the "
        "'File CRS' setting",
    },
    "import.cell.out_of_area": {
        "zh-CN": "该位置不在您负责的辖区内：请核对经纬度和“文件坐标系”，辖区外的工单请交指挥中心导入",
        "en": "this place lies outside your area: check the coordinates and the 'File CRS' "
        "setting; the command centre imports tickets from other areas",
    },
    # --- corrections the import makes by itself, for the user to accept ---
    "import.fix.swapped": {
        "zh-CN": "经度与纬度填反（{lon} / {lat}），已对调",
        "en": "longitude and latitude were the wrong way round ({lon} / {lat}); swapped",
    },
    "import.fix.trimmed": {
        "zh-CN": "已删除首尾空格",
        "en": "spaces at the start or end removed",
    },
    "import.fix.normalised": {
        "zh-CN": "已删除不可见字符并统一字符写法",
        "en": "invisible characters removed and characters written in one standard form",
    },
    "import.fix.day": {
        "zh-CN": "只有日期，时间按当天 00:00 计",
        "en": "a date without a time: taken as 00:00 that day",
    },
    "import.corrections": {
        "zh-CN": "{n} 处自动更正：请逐行核对，接受后才能导入",
        "en": "{n} automatic corrections: check them row by row; they must be accepted "
        "before the import",
    },
    "import.correction_line": {
        "zh-CN": "第 {row} 行，列“{column}”：{message}",
        "en": "Row {row}, column '{column}': {message}",
    },
    "import.more_corrections": {
        "zh-CN": "另有 {n} 处更正未列出",
        "en": "{n} more corrections not listed",
    },
    "import.accept": {"zh-CN": "接受以上自动更正", "en": "Accept these corrections"},
    "import.col.corrections": {"zh-CN": "自动更正", "en": "Corrections"},
    "import.error.stale": {
        "zh-CN": "文件或设置已变更，请先重新预览",
        "en": "The file or the settings changed since the preview; preview again",
    },
    # --- fields ---
    "import.field.external_id": {"zh-CN": "工单编号", "en": "Ticket number"},
    "import.field.category": {"zh-CN": "事件类别", "en": "Category"},
    "import.field.occurred_at": {"zh-CN": "发生/受理时间", "en": "Time"},
    "import.field.lon": {"zh-CN": "经度", "en": "Longitude"},
    "import.field.lat": {"zh-CN": "纬度", "en": "Latitude"},
    "import.field.crs": {"zh-CN": "坐标系（每行）", "en": "CRS (per row)"},
    "import.field.description": {"zh-CN": "诉求内容", "en": "Description"},
    "import.field.address": {"zh-CN": "地址", "en": "Address"},
    "import.field.priority": {"zh-CN": "优先级", "en": "Priority"},
    "import.field.reporter_name": {"zh-CN": "来电人", "en": "Caller name"},
    "import.field.reporter_phone": {"zh-CN": "联系电话", "en": "Caller phone"},
    # --- the page ---
    "import.page.title": {"zh-CN": "文件导入", "en": "File import"},
    "import.page.subtitle": {
        "zh-CN": "12345 热线等工单导出文件",
        "en": "Hotline (12345) and other ticket exports",
    },
    "import.back": {"zh-CN": "返回地图", "en": "Back to the map"},
    "import.upload": {
        "zh-CN": "拖放文件到此处，或点击选择",
        "en": "Drop a file here, or click to choose",
    },
    "import.upload_hint": {
        "zh-CN": "CSV（UTF-8 或 GBK）或 XLSX，最大 {max_mb} MB、{rows} 行；全部成功才写入",
        "en": "CSV (UTF-8 or GBK) or XLSX, at most {max_mb} MB and {rows} rows; all rows or none",
    },
    "import.file": {
        "zh-CN": "{name}：{rows} 行，{columns} 列",
        "en": "{name}: {rows} rows, {columns} columns",
    },
    "import.options": {"zh-CN": "来源与坐标系", "en": "Source and coordinates"},
    "import.source": {"zh-CN": "来源", "en": "Source"},
    "import.crs": {"zh-CN": "文件坐标系", "en": "File CRS"},
    "import.mapping": {"zh-CN": "列对应", "en": "Column mapping"},
    "import.mapping_none": {"zh-CN": "（不导入）", "en": "(not imported)"},
    "import.required": {"zh-CN": "必填", "en": "required"},
    "import.preview": {"zh-CN": "预览", "en": "Preview"},
    "import.import": {"zh-CN": "导入", "en": "Import"},
    "import.summary": {
        "zh-CN": "共 {total} 行：新增 {new}，已存在（重复导入）{replays}，文件内重复 {repeats}",
        "en": "{total} rows: {new} new, {replays} already stored (replays), "
        "{repeats} repeated in the file",
    },
    "import.errors": {
        "zh-CN": "{n} 个错误，修正文件或列对应后重新预览；有错误时不能导入",
        "en": "{n} errors: fix the file or the mapping and preview again; "
        "a file with errors cannot be imported",
    },
    "import.error_line": {
        "zh-CN": "第 {row} 行，列“{column}”：{message}",
        "en": "Row {row}, column '{column}': {message}",
    },
    "import.more_errors": {
        "zh-CN": "另有 {n} 个错误未列出",
        "en": "{n} more errors not listed",
    },
    "import.first_rows": {
        "zh-CN": "前 {n} 行（按入库后的值）",
        "en": "First {n} rows (as they will be stored)",
    },
    "import.row_error": {"zh-CN": "有误", "en": "invalid"},
    "import.col.row": {"zh-CN": "行号", "en": "Row"},
    "import.done": {
        "zh-CN": "已导入 {rows} 行：新增 {created} 条事件，已存在 {replayed} 条，文件内重复 {repeats} 条",
        "en": "Imported {rows} rows: {created} new incidents, {replayed} already stored, "
        "{repeats} repeated in the file",
    },
}
