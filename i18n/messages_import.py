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
