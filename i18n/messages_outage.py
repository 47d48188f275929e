"""A database outage: the 503 page, the JSON message and the banner of open screens."""

from __future__ import annotations

OUTAGE: dict[str, dict[str, str]] = {
    # the JSON ``message`` of a 503, shown as is by the banner of open Dash screens
    "outage.retrying": {
        "zh-CN": "数据库暂时不可用，正在重试…",
        "en": "The database is temporarily unavailable; retrying…",
    },
    "outage.title": {"zh-CN": "服务暂时不可用", "en": "Temporarily unavailable"},
    "outage.page_hint": {
        "zh-CN": "本页每 {seconds} 秒自动重试一次，数据库恢复后即可继续使用，无需操作。",
        "en": "This page tries again by itself every {seconds} seconds and carries on once "
        "the database is back; there is nothing to do.",
    },
    "outage.not_saved": {
        "zh-CN": "您提交的内容未能保存。请稍后返回上一页重新提交。",
        "en": "What you submitted could not be saved. Please go back and submit it again "
        "in a moment.",
    },
    "outage.retry_now": {"zh-CN": "立即重试", "en": "Try again now"},
    "outage.back": {"zh-CN": "返回", "en": "Back"},
}
