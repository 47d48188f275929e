"""Messages of incident intake: request errors and per-field item errors (zh-CN, en)."""

from __future__ import annotations

INTAKE: dict[str, dict[str, str]] = {
    # --- the request as a whole ---
    "intake.error.empty_body": {
        "zh-CN": "请求体为空，须为 JSON",
        "en": "The request body is empty; send JSON",
    },
    "intake.error.encoding": {
        "zh-CN": "请求体不是 UTF-8 编码的 JSON",
        "en": "The request body is not UTF-8 encoded JSON",
    },
    "intake.error.json": {
        "zh-CN": "JSON 格式错误：第 {line} 行第 {column} 列（{reason}）",
        "en": "Malformed JSON at line {line}, column {column} ({reason})",
    },
    "intake.error.object": {
        "zh-CN": "请求体须为一个事件的 JSON 对象",
        "en": "The request body must be a JSON object describing one incident",
    },
    "intake.error.bulk_shape": {
        "zh-CN": '批量请求体须为 {"items": [...]} 或 JSON 数组',
        "en": 'A bulk body must be {"items": [...]} or a JSON array',
    },
    "intake.error.no_items": {
        "zh-CN": "批量请求中没有事件",
        "en": "The bulk request holds no items",
    },
    "intake.error.too_many": {
        "zh-CN": "一次最多提交 {max} 条事件，本次为 {n} 条；请分批提交",
        "en": "At most {max} items per request, got {n}; split the batch",
    },
    "intake.error.too_large": {
        "zh-CN": "请求体超过 {max_mb} MB 上限",
        "en": "The request body is larger than the {max_mb} MB limit",
    },
    "intake.error.invalid_item": {
        "zh-CN": "字段“{field}”无效：{detail}。未写入任何数据",
        "en": "Invalid field '{field}': {detail}. Nothing was written",
    },
    "intake.error.invalid_items": {
        "zh-CN": "{total} 条中有 {n} 条无效，未写入任何数据（首个错误：第 {index} 条，"
        "字段“{field}”：{detail}）",
        "en": "{n} of {total} items are invalid; nothing was written (first: item {index}, "
        "field '{field}': {detail})",
    },
    # --- one field of one item ---
    "intake.field.not_object": {
        "zh-CN": "须为 JSON 对象",
        "en": "must be a JSON object",
    },
    "intake.field.missing": {"zh-CN": "缺少必填字段", "en": "required field missing"},
    "intake.field.unknown": {
        "zh-CN": "未知字段 {value}（可用：{choices}）",
        "en": "unknown field(s) {value} (allowed: {choices})",
    },
    "intake.field.source": {
        "zh-CN": "来源由令牌决定（{source}），请勿在请求体中另行指定",
        "en": "the source is set by the token ({source}); do not send another one",
    },
    "intake.field.not_text": {"zh-CN": "须为字符串", "en": "must be a string"},
    "intake.field.too_long": {
        "zh-CN": "最多 {max} 个字符（当前 {n} 个）",
        "en": "at most {max} characters (got {n})",
    },
    "intake.field.encoding": {
        "zh-CN": "含有无效字符（不是有效的 UTF-8 文本）",
        "en": "holds characters that are not valid UTF-8 text",
    },
    "intake.field.control_chars": {
        "zh-CN": "含有控制字符",
        "en": "contains control characters",
    },
    "intake.field.external_id": {
        "zh-CN": "外部编号须为 1 到 64 个可打印字符",
        "en": "the external id must be 1 to 64 printable characters",
    },
    "intake.field.category": {
        "zh-CN": "未知事件类别“{value}”：须为末级类别代码，见 GET /api/v1/categories",
        "en": "unknown category '{value}': send a leaf code from GET /api/v1/categories",
    },
    "intake.field.time_format": {
        "zh-CN": "须为 ISO 8601 时间，如 2026-11-28T09:30:00+08:00（不带时区按北京时间）",
        "en": "must be an ISO 8601 time such as 2026-11-28T09:30:00+08:00 (no zone: Beijing time)",
    },
    "intake.field.time_future": {
        "zh-CN": "发生时间不能晚于当前时间 10 分钟以上",
        "en": "must not be more than 10 minutes in the future",
    },
    "intake.field.time_past": {
        "zh-CN": "发生时间不能早于 2000 年",
        "en": "must not be before the year 2000",
    },
    "intake.field.not_number": {"zh-CN": "须为数字", "en": "must be a number"},
    "intake.field.not_finite": {
        "zh-CN": "须为有限数字（不能是 NaN 或无穷大）",
        "en": "must be a finite number (not NaN or infinity)",
    },
    "intake.field.lon_range": {
        "zh-CN": "经度 {value} 超出 -180 到 180 的范围",
        "en": "longitude {value} is outside -180..180",
    },
    "intake.field.lat_range": {
        "zh-CN": "纬度 {value} 超出 -90 到 90 的范围",
        "en": "latitude {value} is outside -90..90",
    },
    "intake.field.crs": {
        "zh-CN": "未知坐标系“{value}”（可用：{choices}）",
        "en": "unknown coordinate system '{value}' (one of: {choices})",
    },
    "intake.field.priority": {
        "zh-CN": "优先级须为 1 到 4 的整数",
        "en": "priority must be an integer from 1 to 4",
    },
    "intake.field.reporter": {
        "zh-CN": '须为 {"name": ..., "phone": ...} 形式的对象',
        "en": 'must be an object {"name": ..., "phone": ...}',
    },
    "intake.field.phone": {
        "zh-CN": "电话号码只能包含数字、+、- 和空格，最多 20 个字符",
        "en": "a phone number holds only digits, +, - and spaces, at most 20 characters",
    },
    "intake.field.outside": {
        "zh-CN": "位置不在本辖区任何网格内",
        "en": "the location lies outside every grid of the jurisdiction",
    },
    "intake.field.out_of_area": {
        "zh-CN": "位置不在本令牌的辖区（{area}）内",
        "en": "the location lies outside this token's area ({area})",
    },
}
