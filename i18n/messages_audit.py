"""Texts of the auditor's page (审计日志): filters, results, chain check, CSV export."""

from __future__ import annotations

AUDIT: dict[str, dict[str, str]] = {
    # --- page and header ---
    "audit.page.title": {"zh-CN": "审计日志", "en": "Audit log"},
    "audit.page.subtitle": {
        "zh-CN": "安全审计 · 操作全程留痕",
        "en": "Security audit trail · every access on record",
    },
    # --- filters ---
    "audit.filter.title": {"zh-CN": "筛选条件", "en": "Filters"},
    "audit.filter.dates": {"zh-CN": "时间范围", "en": "Time range"},
    "audit.filter.start": {"zh-CN": "开始日期", "en": "Start date"},
    "audit.filter.end": {"zh-CN": "结束日期", "en": "End date"},
    "audit.filter.username": {"zh-CN": "用户名", "en": "Username"},
    "audit.filter.exact": {"zh-CN": "精确匹配", "en": "Exact match"},
    "audit.filter.action": {"zh-CN": "操作类型", "en": "Action"},
    "audit.filter.action_all": {"zh-CN": "全部操作", "en": "All actions"},
    "audit.filter.outcome": {"zh-CN": "结果", "en": "Outcome"},
    "audit.filter.outcome_all": {"zh-CN": "全部结果", "en": "All outcomes"},
    "audit.filter.object_type": {"zh-CN": "对象类型", "en": "Object type"},
    "audit.filter.object_id": {"zh-CN": "对象编号", "en": "Object id"},
    "audit.search": {"zh-CN": "查询", "en": "Search"},
    # --- tools ---
    "audit.verify": {"zh-CN": "校验哈希链", "en": "Verify chain"},
    "audit.verify.title": {
        "zh-CN": "重新计算全部记录的哈希链，找出第一条被篡改的记录",
        "en": "Recompute the hash chain of every record and name the first tampered one",
    },
    "audit.export": {"zh-CN": "导出 CSV", "en": "Export CSV"},
    "audit.export.title": {
        "zh-CN": "按当前查询条件导出（最多 {cap} 条）；导出操作本身记入审计日志",
        "en": "Export the current query (at most {cap} records); the export itself is audited",
    },
    "audit.export.capped": {
        "zh-CN": "（已截断：仅导出最新的 {cap} 条记录，请缩小筛选范围）",
        "en": "(truncated: only the newest {cap} records were exported; narrow the filters)",
    },
    # --- results ---
    "audit.results.title": {"zh-CN": "审计记录", "en": "Audit records"},
    "audit.prev": {"zh-CN": "上一页", "en": "Previous"},
    "audit.next": {"zh-CN": "下一页", "en": "Next"},
    "audit.page_label": {
        "zh-CN": "第 {page} 页 · 第 {first}–{last} 条",
        "en": "Page {page} · records {first}–{last}",
    },
    "audit.page_empty": {"zh-CN": "第 {page} 页", "en": "Page {page}"},
    "audit.reason": {"zh-CN": "事由：{reason}", "en": "Reason: {reason}"},
    "audit.col.id": {"zh-CN": "编号", "en": "#"},
    "audit.col.time": {"zh-CN": "时间", "en": "Time"},
    "audit.col.user": {"zh-CN": "用户", "en": "User"},
    "audit.col.role": {"zh-CN": "角色", "en": "Role"},
    "audit.col.action": {"zh-CN": "操作", "en": "Action"},
    "audit.col.object": {"zh-CN": "对象", "en": "Object"},
    "audit.col.object_type": {"zh-CN": "对象类型", "en": "Object type"},
    "audit.col.object_id": {"zh-CN": "对象编号", "en": "Object id"},
    "audit.col.outcome": {"zh-CN": "结果", "en": "Outcome"},
    "audit.col.client": {"zh-CN": "客户端地址", "en": "Client address"},
    "audit.col.reason": {"zh-CN": "事由", "en": "Reason"},
    "audit.col.detail": {"zh-CN": "详情", "en": "Detail"},
    "audit.col.row_hash": {"zh-CN": "记录哈希", "en": "Row hash"},
    # --- action and outcome names (AuditAction / AuditOutcome values) ---
    "audit.action.login": {"zh-CN": "登录", "en": "Sign-in"},
    "audit.action.login_failed": {"zh-CN": "登录失败", "en": "Failed sign-in"},
    "audit.action.logout": {"zh-CN": "退出登录", "en": "Sign-out"},
    "audit.action.view_clear": {"zh-CN": "查看明文", "en": "Viewed in clear"},
    "audit.action.view_attachment": {"zh-CN": "查看附件", "en": "Opened an attachment"},
    "audit.action.export": {"zh-CN": "导出", "en": "Export"},
    "audit.action.data_change": {"zh-CN": "数据变更", "en": "Data change"},
    "audit.action.permission_change": {"zh-CN": "权限变更", "en": "Permission change"},
    "audit.action.access_denied": {"zh-CN": "拒绝访问", "en": "Access denied"},
    "audit.action.audit_purge": {"zh-CN": "清理审计日志", "en": "Audit purge"},
    "audit.action.audit_search": {"zh-CN": "查询审计日志", "en": "Audit search"},
    "audit.action.password_change": {"zh-CN": "修改本人密码", "en": "Own password change"},
    "audit.outcome.success": {"zh-CN": "成功", "en": "Success"},
    "audit.outcome.failure": {"zh-CN": "失败", "en": "Failure"},
    "audit.outcome.denied": {"zh-CN": "拒绝", "en": "Denied"},
    # --- errors of hand-made or malformed queries ---
    "error.audit.too_long": {
        "zh-CN": "筛选条件过长（每项最多 {max} 个字符）",
        "en": "Filter too long (at most {max} characters each)",
    },
    "error.audit.bad_value": {
        "zh-CN": "查询条件格式不正确，请刷新页面后重试",
        "en": "Malformed query; reload the page and try again",
    },
    "error.audit.page": {
        "zh-CN": "页码须在 1 到 {max} 之间；请缩小筛选范围或导出",
        "en": "The page must be between 1 and {max}; narrow the filters or export",
    },
}
