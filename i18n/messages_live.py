"""Live updates: the connection indicator of the map and the wall screen."""

from __future__ import annotations

LIVE: dict[str, dict[str, str]] = {
    "live.connecting": {"zh-CN": "连接中", "en": "Connecting"},
    "live.on": {"zh-CN": "实时", "en": "Live"},
    "live.reconnecting": {"zh-CN": "重连中", "en": "Reconnecting"},
    "live.title_on": {
        "zh-CN": "实时推送已连接：新事件和状态变化会自动显示",
        "en": "Live updates on: new incidents and changes appear by themselves",
    },
    "live.title_off": {
        "zh-CN": "实时推送已断开，正在重连；重连后自动刷新事件图层",
        "en": "Live updates interrupted, reconnecting; the incident layers refresh once back",
    },
}
