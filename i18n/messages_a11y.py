"""Words mostly for assistive technology (screen readers): names of controls that show an
icon or a placeholder, not a label of their own."""

from __future__ import annotations

A11Y: dict[str, dict[str, str]] = {
    "a11y.clear_date": {"zh-CN": "清除日期", "en": "Clear date"},
    "a11y.clear_dates": {"zh-CN": "清除日期范围", "en": "Clear dates"},
    "a11y.date_start": {"zh-CN": "开始日期", "en": "Start date"},
    "a11y.date_end": {"zh-CN": "结束日期", "en": "End date"},
}
