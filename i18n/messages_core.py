"""Core messages: errors, API, domain vocabulary shared by every screen."""

from __future__ import annotations

CORE: dict[str, dict[str, str]] = {
    # --- errors (geodata/governance/api) ---
    "error.unknown_layer": {
        "zh-CN": "未知图层“{layer}”，可用图层：{choices}",
        "en": "Unknown layer '{layer}'; available: {choices}",
    },
    "error.bbox_format": {
        "zh-CN": "bbox 格式错误，应为“最小经度,最小纬度,最大经度,最大纬度”",
        "en": "Malformed bbox; expected 'minlon,minlat,maxlon,maxlat'",
    },
    "error.bbox_range": {
        "zh-CN": "bbox 超出范围：经度须在 -180 到 180 之间，纬度在 -90 到 90 之间，且最小值小于最大值",
        "en": "bbox out of range: longitudes within -180..180, latitudes within -90..90, and min below max",
    },
    "error.zoom_range": {
        "zh-CN": "缩放级别 z 须为 0 到 22 之间的数字",
        "en": "Zoom z must be a number between 0 and 22",
    },
    "error.time_format": {
        "zh-CN": "时间参数“{name}”格式错误，应为 YYYY-MM-DD 或 ISO 8601",
        "en": "Time parameter '{name}' is malformed; expected YYYY-MM-DD or ISO 8601",
    },
    "error.time_inverted": {
        "zh-CN": "时间范围颠倒：开始时间晚于结束时间",
        "en": "Inverted time range: start is after end",
    },
    "error.time_window": {
        "zh-CN": "未知时间窗口“{window}”，可用：{choices}",
        "en": "Unknown time window '{window}'; available: {choices}",
    },
    "error.unknown_category": {
        "zh-CN": "未知事件类别：{codes}",
        "en": "Unknown incident categories: {codes}",
    },
    "error.unknown_value": {
        "zh-CN": "参数“{name}”的取值无效：{value}",
        "en": "Invalid value for '{name}': {value}",
    },
    "error.format": {
        "zh-CN": "不支持的格式“{format}”，可用：{choices}",
        "en": "Unsupported format '{format}'; available: {choices}",
    },
    "error.not_found": {"zh-CN": "未找到：{what}", "en": "Not found: {what}"},
    "error.internal": {
        "zh-CN": "服务器内部错误，已记录日志",
        "en": "Internal server error; it has been logged",
    },
    "error.database": {"zh-CN": "数据库不可用", "en": "Database unavailable"},
    # --- area levels ---
    "level.county": {"zh-CN": "县（区）", "en": "County"},
    "level.street": {"zh-CN": "街道（镇）", "en": "Street / town"},
    "level.community": {"zh-CN": "社区（村）", "en": "Community"},
    "level.grid": {"zh-CN": "网格", "en": "Grid"},
    # --- incident sources ---
    "source.grid": {"zh-CN": "网格上报", "en": "Grid report"},
    "source.hotline_12345": {"zh-CN": "12345 热线", "en": "12345 hotline"},
    "source.police_110": {"zh-CN": "110 警情", "en": "110 police"},
    "source.iot": {"zh-CN": "物联感知", "en": "IoT alarm"},
    "source.public": {"zh-CN": "群众上报", "en": "Public report"},
    "source.patrol": {"zh-CN": "巡查发现", "en": "Patrol finding"},
    # --- incident status ---
    "status.registered": {"zh-CN": "已登记", "en": "Registered"},
    "status.verified": {"zh-CN": "已核实", "en": "Verified"},
    "status.rejected": {"zh-CN": "已作废", "en": "Rejected"},
    "status.dispatched": {"zh-CN": "已派遣", "en": "Dispatched"},
    "status.accepted": {"zh-CN": "已签收", "en": "Accepted"},
    "status.in_progress": {"zh-CN": "处置中", "en": "In progress"},
    "status.resolved": {"zh-CN": "已办结", "en": "Resolved"},
    "status.closed": {"zh-CN": "已结案", "en": "Closed"},
    "status.evaluated": {"zh-CN": "已评价", "en": "Evaluated"},
    "status.suspended": {"zh-CN": "已挂起", "en": "Suspended"},
    "status.merged": {"zh-CN": "已合并", "en": "Merged"},
    # --- priorities ---
    "priority.1": {"zh-CN": "特急", "en": "Critical"},
    "priority.2": {"zh-CN": "紧急", "en": "Urgent"},
    "priority.3": {"zh-CN": "一般", "en": "Normal"},
    "priority.4": {"zh-CN": "较低", "en": "Low"},
    # --- key site types ---
    "site.school": {"zh-CN": "学校", "en": "School"},
    "site.kindergarten": {"zh-CN": "幼儿园", "en": "Kindergarten"},
    "site.market": {"zh-CN": "农贸市场", "en": "Market"},
    "site.construction": {"zh-CN": "建筑工地", "en": "Construction site"},
    "site.gas_station": {"zh-CN": "加油站", "en": "Gas station"},
    "site.hazchem": {"zh-CN": "危化品场所", "en": "Hazardous chemicals"},
    "site.elderly_care": {"zh-CN": "养老机构", "en": "Elderly care home"},
    "site.rental_housing": {"zh-CN": "出租屋", "en": "Rental housing"},
    "site.hospital": {"zh-CN": "医院", "en": "Hospital"},
    "site.entertainment": {"zh-CN": "娱乐场所", "en": "Entertainment venue"},
    "risk.1": {"zh-CN": "低风险", "en": "Low risk"},
    "risk.2": {"zh-CN": "一般风险", "en": "Moderate risk"},
    "risk.3": {"zh-CN": "较大风险", "en": "High risk"},
    "risk.4": {"zh-CN": "重大风险", "en": "Major risk"},
    # --- key person categories ---
    "person.elderly_alone": {"zh-CN": "独居老人", "en": "Elderly living alone"},
    "person.disabled": {"zh-CN": "残疾人", "en": "Person with disability"},
    "person.left_behind_child": {"zh-CN": "留守儿童", "en": "Left-behind child"},
    "person.mental_disorder": {"zh-CN": "严重精神障碍患者", "en": "Severe mental disorder"},
    "person.community_correction": {"zh-CN": "社区矫正对象", "en": "Community correction"},
    "person.drug_rehab": {"zh-CN": "社区戒毒康复人员", "en": "Drug rehabilitation"},
    "person.petitioner": {"zh-CN": "重点信访人员", "en": "Key petitioner"},
    "person.low_income": {"zh-CN": "低保特困人员", "en": "Low-income household"},
    # --- audit ---
    "audit.verify.ok": {
        "zh-CN": "审计日志完整：{rows} 条记录哈希链校验通过（链头 #{head_id} {head_hash}）",
        "en": "Audit trail intact: {rows} records verified (head #{head_id} {head_hash})",
    },
    "audit.verify.empty": {
        "zh-CN": "审计日志为空，无需校验",
        "en": "The audit trail is empty; nothing to verify",
    },
    "audit.verify.row_hash_mismatch": {
        "zh-CN": "审计日志被篡改：第 {id} 号记录的内容与其哈希值不符",
        "en": "Audit trail tampered: record {id} does not match its hash",
    },
    "audit.verify.prev_hash_mismatch": {
        "zh-CN": "审计日志断链：第 {id} 号记录与前一条记录不衔接（其前的记录被删除或改写）",
        "en": "Audit chain broken at record {id}: it does not follow the previous record (a record before it was deleted or rewritten)",
    },
    "audit.verify.unanchored_start": {
        "zh-CN": "审计日志起点异常：第 {id} 号记录之前的记录被删除，且无合规清理记录",
        "en": "Audit trail start not anchored: records before {id} were removed without a recorded purge",
    },
    "audit.purge.done": {
        "zh-CN": "已清理 {n} 条早于 {before} 的审计记录",
        "en": "Purged {n} audit records older than {before}",
    },
    "audit.search.none": {"zh-CN": "没有符合条件的审计记录", "en": "No matching audit records"},
    "error.audit_retention": {
        "zh-CN": "审计记录须保存至少 {days} 天：只能清理 {limit} 及以前的日期",
        "en": "Audit records are kept at least {days} days: --before must be {limit} or earlier",
    },
    "data_level.core": {"zh-CN": "核心数据", "en": "Core data"},
    "data_level.important": {"zh-CN": "重要数据", "en": "Important data"},
    "data_level.general": {"zh-CN": "一般数据", "en": "General data"},
    "pi_class.sensitive_personal": {
        "zh-CN": "敏感个人信息",
        "en": "Sensitive personal information",
    },
    "pi_class.personal": {"zh-CN": "个人信息", "en": "Personal information"},
    "pi_class.none": {"zh-CN": "非个人信息", "en": "Not personal information"},
    "catalog.table": {"zh-CN": "表", "en": "Table"},
    "catalog.column": {"zh-CN": "字段", "en": "Column"},
    "catalog.level": {"zh-CN": "数据级别", "en": "Level"},
    "catalog.pi": {"zh-CN": "个人信息类别", "en": "PI class"},
    "catalog.masking": {"zh-CN": "脱敏规则", "en": "Masking rule"},
    "catalog.at_rest": {"zh-CN": "存储保护", "en": "At rest"},
}
