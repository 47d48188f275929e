"""Alerts: subscriptions, the inbox, webhooks (governance/alerts.py, governance/webhooks.py)."""

from __future__ import annotations

ALERTS: dict[str, dict[str, str]] = {
    "nav.alerts": {"zh-CN": "预警", "en": "Alerts"},
    "alerts.page.title": {"zh-CN": "预警订阅与收件箱", "en": "Alert subscriptions and inbox"},
    "alerts.page.subtitle": {
        "zh-CN": "突增预警和倒查盲区，按区域、类别订阅",
        "en": "Spike warnings and cross-check blind spots, by area and category",
    },
    "alerts.badge.title": {"zh-CN": "未读预警 {n} 条", "en": "{n} unread alerts"},
    "alerts.kind.spike": {"zh-CN": "事件突增预警", "en": "Spike warning"},
    "alerts.kind.blind_spot": {"zh-CN": "倒查盲区", "en": "Cross-check blind spot"},
    "alerts.all_categories": {"zh-CN": "全部类别", "en": "All categories"},
    "alerts.whole_scope": {"zh-CN": "我的全部辖区", "en": "My whole area"},
    "alerts.subs.title": {"zh-CN": "我的订阅", "en": "My subscriptions"},
    "alerts.subs.none": {"zh-CN": "还没有订阅。", "en": "No subscriptions yet."},
    "alerts.subs.kind": {"zh-CN": "预警类型", "en": "Kind"},
    "alerts.subs.area": {"zh-CN": "区域", "en": "Area"},
    "alerts.subs.category": {"zh-CN": "事件类别", "en": "Category"},
    "alerts.subs.add": {"zh-CN": "订阅", "en": "Subscribe"},
    "alerts.subs.remove": {"zh-CN": "取消订阅", "en": "Unsubscribe"},
    "alerts.subs.added": {"zh-CN": "已订阅。", "en": "Subscribed."},
    "alerts.subs.exists": {"zh-CN": "已有相同订阅。", "en": "You already hold this subscription."},
    "alerts.subs.removed": {"zh-CN": "已取消订阅。", "en": "Unsubscribed."},
    "alerts.inbox.title": {"zh-CN": "收件箱", "en": "Inbox"},
    "alerts.inbox.none": {"zh-CN": "暂无预警。", "en": "No alerts."},
    "alerts.inbox.read": {"zh-CN": "标为已读", "en": "Mark read"},
    "alerts.inbox.all_read": {"zh-CN": "全部标为已读", "en": "Mark all read"},
    "alerts.inbox.open": {"zh-CN": "查看", "en": "Open"},
    "alerts.inbox.unread": {"zh-CN": "未读 {n} 条", "en": "{n} unread"},
    "alerts.words.spike": {
        "zh-CN": "近 {window_hours} 小时发生 {observed} 件，按基线预期约 {expected} 件。",
        "en": "{observed} incidents in the last {window_hours} h; about {expected} expected "
        "from the baseline.",
    },
    "alerts.words.blind_spot": {
        "zh-CN": "外部渠道 {external} 件，网格自报仅 {own} 件，按全区网格自报占比应有约 {expected} 件。",
        "en": "{external} reports from external channels but only {own} from the grid; about "
        "{expected} were expected at the area's grid share.",
    },
    "alerts.words.period": {"zh-CN": "时段：{start} 至 {end}。", "en": "Period: {start} to {end}."},
    "alerts.words.q": {"zh-CN": "多重校正后 q = {q}。", "en": "After correction q = {q}."},
    "alerts.words.cell": {"zh-CN": "六边形 {cell}。", "en": "Hexagon {cell}."},
    "alerts.error.kind": {
        "zh-CN": "预警类型“{value}”无效，可选：{choices}",
        "en": "Unknown alert kind “{value}”; choose one of: {choices}",
    },
    "alerts.error.category": {
        "zh-CN": "没有事件类别“{value}”",
        "en": "There is no incident category “{value}”",
    },
    "alerts.error.evidence": {
        "zh-CN": "预警依据字段“{field}”不允许或格式不对（只允许数字、代码和时间，不得含个人信息）",
        "en": "Alert evidence field “{field}” is not allowed or malformed (numbers, codes and "
        "times only, never personal data)",
    },
    "alerts.error.key": {
        "zh-CN": "去重键须为 1 至 {max} 个可打印字符",
        "en": "The de-duplication key must be 1 to {max} printable characters",
    },
    "alerts.error.too_many": {
        "zh-CN": "订阅最多 {max} 条，请先取消一些",
        "en": "At most {max} subscriptions; remove some first",
    },
    "alerts.error.no_subscription": {
        "zh-CN": "没有这条订阅",
        "en": "No such subscription",
    },
    "alerts.error.no_target": {"zh-CN": "没有这个推送地址", "en": "No such webhook target"},
    "alerts.error.name": {
        "zh-CN": "名称须为 1 至 {max} 个字符",
        "en": "The name must be 1 to {max} characters",
    },
    "alerts.error.url": {
        "zh-CN": "推送地址无效（最长 {max} 个字符的 http 或 https 地址）",
        "en": "Not a valid webhook URL (an http or https URL of at most {max} characters)",
    },
    "alerts.error.url_scheme": {
        "zh-CN": "推送地址只能是 http 或 https",
        "en": "A webhook URL must be http or https",
    },
    "alerts.error.url_userinfo": {
        "zh-CN": "推送地址不得含用户名或密码（@）",
        "en": "A webhook URL may not carry a user name or password (@)",
    },
    "alerts.error.url_address": {
        "zh-CN": "推送地址指向本机、内网或保留地址，不允许",
        "en": "The webhook URL points to this machine, an internal network or a reserved "
        "address; not allowed",
    },
    "alerts.error.url_resolve": {
        "zh-CN": "无法解析主机名“{host}”",
        "en": "The host name “{host}” does not resolve",
    },
    "nav.admin.webhooks": {"zh-CN": "预警推送", "en": "Webhooks"},
    "webhooks.page.title": {"zh-CN": "预警推送地址", "en": "Alert webhooks"},
    "webhooks.page.subtitle": {
        "zh-CN": "向其他系统推送预警（签名、重试）",
        "en": "Alerts sent to other systems (signed, retried)",
    },
    "webhooks.add.title": {"zh-CN": "新增推送地址", "en": "Add a webhook"},
    "webhooks.name": {"zh-CN": "名称", "en": "Name"},
    "webhooks.url": {"zh-CN": "地址（http/https）", "en": "URL (http/https)"},
    "webhooks.add": {"zh-CN": "新增", "en": "Add"},
    "webhooks.targets": {"zh-CN": "推送地址", "en": "Webhook targets"},
    "webhooks.none": {"zh-CN": "还没有推送地址。", "en": "No webhook targets yet."},
    "webhooks.disable": {"zh-CN": "停用", "en": "Disable"},
    "webhooks.disabled": {"zh-CN": "已停用", "en": "disabled"},
    "webhooks.counts": {
        "zh-CN": "待发 {pending}，已送达 {sent}，失败 {failed}",
        "en": "{pending} pending, {sent} sent, {failed} failed",
    },
    "webhooks.deliveries": {"zh-CN": "最近推送", "en": "Latest deliveries"},
    "webhooks.no_deliveries": {"zh-CN": "暂无推送。", "en": "No deliveries yet."},
    "webhooks.status.pending": {"zh-CN": "待发", "en": "pending"},
    "webhooks.status.sent": {"zh-CN": "已送达", "en": "sent"},
    "webhooks.status.failed": {"zh-CN": "失败", "en": "failed"},
    "webhooks.attempts": {"zh-CN": "尝试 {n} 次", "en": "{n} attempt(s)"},
    "alerts.webhook.secret_once": {
        "zh-CN": "密钥只显示这一次，请妥善保存：{secret}",
        "en": "The secret is shown this once only; keep it safe: {secret}",
    },
}
