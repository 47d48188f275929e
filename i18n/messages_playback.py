"""Time playback on the map (governance/playback.py, pages/map_playback.py)."""

from __future__ import annotations

PLAYBACK: dict[str, dict[str, str]] = {
    "playback.error.day": {
        "zh-CN": "{field} 须为 2000–2099 年的日期（YYYY-MM-DD）",
        "en": "{field} must be a day of 2000-2099 (YYYY-MM-DD)",
    },
    "playback.error.area": {
        "zh-CN": "区域编码须为数字",
        "en": "The area code must be digits",
    },
    "playback.error.step": {
        "zh-CN": "回放步长须为 hour 或 day",
        "en": "The playback step must be hour or day",
    },
    "playback.error.inverted": {
        "zh-CN": "回放的结束日期早于开始日期",
        "en": "The playback period ends before it starts",
    },
    "playback.error.too_long": {
        "zh-CN": "回放时段最长 {days} 天，请缩短时段",
        "en": "Playback covers at most {days} days; choose a shorter period",
    },
    "playback.error.frame": {
        "zh-CN": "第 {frame} 帧不在回放时段内（共 {frames} 帧）",
        "en": "Frame {frame} is outside the period ({frames} frames)",
    },
    "playback.title": {"zh-CN": "回放", "en": "Playback"},
    "playback.mode": {
        "zh-CN": "回放模式（暂停实时图层）",
        "en": "Playback mode (pauses live layers)",
    },
    "playback.period": {"zh-CN": "回放时段", "en": "Period"},
    "playback.step": {"zh-CN": "步长", "en": "Step"},
    "playback.step.day": {"zh-CN": "按天", "en": "By day"},
    "playback.step.hour": {"zh-CN": "按小时", "en": "By hour"},
    "playback.speed": {"zh-CN": "速度", "en": "Speed"},
    "playback.play": {"zh-CN": "播放", "en": "Play"},
    "playback.pause": {"zh-CN": "暂停", "en": "Pause"},
    "playback.frame": {"zh-CN": "回放帧", "en": "Playback frame"},
    "playback.total": {"zh-CN": "{n} 件", "en": "{n} incidents"},
    "playback.off": {
        "zh-CN": "打开回放模式后，地图按所选时段逐帧重放事件密度",
        "en": "Turn playback mode on to replay incident density frame by frame",
    },
    "playback.failed": {
        "zh-CN": "本帧加载失败",
        "en": "This frame could not be loaded",
    },
}
