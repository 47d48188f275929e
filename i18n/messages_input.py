"""Messages of the one input normaliser (governance/inputs.py) and the request checks
(web/requests.py): what was wrong with what a client sent, naming the field."""

from __future__ import annotations

INPUT: dict[str, dict[str, str]] = {
    "error.input.required": {"zh-CN": "“{field}”不能为空", "en": "'{field}' is required"},
    "error.input.type": {
        "zh-CN": "“{field}”的类型不正确",
        "en": "'{field}' has the wrong type",
    },
    "error.input.encoding": {
        "zh-CN": "“{field}”含有无效字符（不是有效的 UTF-8 文本）",
        "en": "'{field}' holds characters that are not valid UTF-8 text",
    },
    "error.input.control": {
        "zh-CN": "“{field}”含有不允许的控制字符",
        "en": "'{field}' holds control characters that are not allowed",
    },
    "error.input.too_long": {
        "zh-CN": "“{field}”过长（最多 {max} 个字符）",
        "en": "'{field}' is too long (at most {max} characters)",
    },
    "error.input.integer": {
        "zh-CN": "“{field}”须为整数（半角数字）",
        "en": "'{field}' must be a whole number (ASCII digits)",
    },
    "error.input.number": {
        "zh-CN": "“{field}”须为数字（半角数字）",
        "en": "'{field}' must be a number (ASCII digits)",
    },
    "error.input.finite": {
        "zh-CN": "“{field}”须为有限数字（不能是 NaN 或无穷大）",
        "en": "'{field}' must be a finite number (not NaN or infinity)",
    },
    "error.input.unknown": {
        "zh-CN": "未知字段“{field}”（可用：{choices}）",
        "en": "Unknown field '{field}' (one of: {choices})",
    },
    "error.input.range": {
        "zh-CN": "“{field}”须在 {lo} 到 {hi} 之间",
        "en": "'{field}' must be between {lo} and {hi}",
    },
    "error.input.date": {
        "zh-CN": "“{field}”须为日期，格式 YYYY-MM-DD",
        "en": "'{field}' must be a date, YYYY-MM-DD",
    },
    "error.input.date_range": {
        "zh-CN": "“{field}”须在 {lo} 到 {hi} 之间",
        "en": "'{field}' must be between {lo} and {hi}",
    },
    "error.input.json": {
        "zh-CN": "请求内容不是有效的 JSON（第 {line} 行第 {column} 列：{reason}）",
        "en": "The body is not valid JSON (line {line}, column {column}: {reason})",
    },
    "error.input.json_empty": {"zh-CN": "请求内容为空", "en": "The body is empty"},
    "error.input.json_size": {
        "zh-CN": "请求内容过大（最多 {max_kb} KB）",
        "en": "The body is too large (at most {max_kb} KB)",
    },
    "error.input.json_encoding": {
        "zh-CN": "请求内容含有无效字符（不是有效的 UTF-8）",
        "en": "The body holds characters that are not valid UTF-8",
    },
    "error.input.json_depth": {
        "zh-CN": "请求内容嵌套过深（最多 {max} 层）",
        "en": "The body is nested too deeply (at most {max} levels)",
    },
    "error.input.json_number": {
        "zh-CN": "请求内容中的数字过长（最多 {max} 位）",
        "en": "A number in the body is too long (at most {max} digits)",
    },
    "error.request.control": {
        "zh-CN": "请求地址或参数含有不允许的控制字符",
        "en": "The address or a parameter of the request holds control characters",
    },
    "error.request.origin": {
        "zh-CN": "请求来自其他网站，已拒绝",
        "en": "The request came from another site and was refused",
    },
    "error.request.callback": {
        "zh-CN": "页面请求格式不正确，请刷新页面后重试",
        "en": "Malformed page request; reload the page and try again",
    },
    "error.request.title": {"zh-CN": "请求未能完成", "en": "The request could not be done"},
    "error.request.home": {"zh-CN": "返回首页", "en": "Back to the start page"},
    "error.request.bad": {
        "zh-CN": "请求格式不正确，请刷新页面后重试",
        "en": "Malformed request; reload the page and try again",
    },
    "error.request.not_found": {"zh-CN": "没有这个页面", "en": "There is no such page"},
    "error.request.too_large": {
        "zh-CN": "请求过大，已拒绝",
        "en": "The request is too large and was refused",
    },
    "error.request.method": {
        "zh-CN": "不支持此请求方法",
        "en": "This method is not allowed here",
    },
    # the walking-order suggestion (governance/route_order.py)
    "error.route.start": {
        "zh-CN": "当前位置无效：须为经度、纬度两个有限数字，经度在 -180 到 180 之间，纬度在 -90 到 90 之间",
        "en": "The current position is not valid: it must be two finite numbers, longitude"
        " between -180 and 180 and latitude between -90 and 90",
    },
    "error.route.stop": {
        "zh-CN": "第 {number} 个巡查点的坐标无效：须为经度、纬度两个有限数字，经度在 -180 到 180"
        " 之间，纬度在 -90 到 90 之间",
        "en": "Stop {number} has no valid position: it must be two finite numbers, longitude"
        " between -180 and 180 and latitude between -90 and 90",
    },
    "error.route.too_many": {
        "zh-CN": "巡查点过多（{count} 个），一次最多排 {max} 个",
        "en": "Too many stops ({count}): at most {max} can be ordered at once",
    },
}
