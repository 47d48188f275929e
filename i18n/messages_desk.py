"""Messages of the front-desk form (/frontdesk) and the possible-duplicates blocks."""

from __future__ import annotations

DESK: dict[str, dict[str, str]] = {
    "desk.page.title": {"zh-CN": "来电来访登记", "en": "Front desk"},
    "desk.page.subtitle": {
        "zh-CN": "电话或当面反映的民情，由网格员、督导或指挥中心登记",
        "en": "Reports taken by phone or in person",
    },
    "desk.back_to_map": {"zh-CN": "返回地图", "en": "Back to the map"},
    "desk.field.category": {"zh-CN": "事件类别", "en": "Category"},
    "desk.field.description": {"zh-CN": "情况描述", "en": "Description"},
    "desk.field.address": {"zh-CN": "地址", "en": "Address"},
    "desk.field.location": {"zh-CN": "位置", "en": "Location"},
    "desk.field.occurred_at": {"zh-CN": "发生时间", "en": "Occurred at"},
    "desk.field.priority": {"zh-CN": "优先级", "en": "Priority"},
    "desk.field.reporter": {"zh-CN": "反映人", "en": "Reporter"},
    "desk.field.reporter.name": {"zh-CN": "反映人姓名", "en": "Reporter's name"},
    "desk.field.reporter.phone": {"zh-CN": "联系电话", "en": "Reporter's phone"},
    "desk.field.external_id": {"zh-CN": "表单编号", "en": "Form id"},
    "desk.priority.default": {"zh-CN": "按类别默认", "en": "Category default"},
    "desk.placeholder.description": {
        "zh-CN": "反映的问题、现场情况、诉求",
        "en": "What was reported, what is there, what is asked",
    },
    "desk.placeholder.address": {"zh-CN": "如：香洲街道幸福路 12 号", "en": "e.g. 12 Xingfu Rd"},
    "desk.placeholder.optional": {"zh-CN": "选填", "en": "optional"},
    "desk.location.hint": {
        "zh-CN": "在地图上点击事发位置（默认为本辖区中心）",
        "en": "Click the map where it happened (default: the centre of your area)",
    },
    "desk.location.value": {"zh-CN": "经度 {lon}，纬度 {lat}", "en": "lon {lon}, lat {lat}"},
    "desk.location.none": {"zh-CN": "尚未选择位置", "en": "No location chosen yet"},
    "desk.check": {"zh-CN": "查重", "en": "Check duplicates"},
    "desk.submit": {"zh-CN": "登记", "en": "Register"},
    "desk.done": {
        "zh-CN": "已登记，事件编号 #{id}（{grid}）",
        "en": "Registered as incident #{id} ({grid})",
    },
    "desk.replayed": {
        "zh-CN": "此表单已登记过，事件编号 #{id}，未重复登记",
        "en": "This form was already registered as incident #{id}; nothing new was written",
    },
    "desk.no_grid": {"zh-CN": "未落入网格", "en": "no grid"},
    "desk.error.required": {"zh-CN": "请填写", "en": "required"},
    "desk.error.form": {
        "zh-CN": "表单已失效，请刷新页面后重新填写",
        "en": "This form has expired; reload the page and fill it in again",
    },
    "desk.error.out_of_area": {
        "zh-CN": "位置不在您的管辖区域（{area}）内，未登记",
        "en": "the location lies outside your area ({area}); nothing was written",
    },
    "desk.error.title": {
        "zh-CN": "未登记，请修改后重试：",
        "en": "Not registered; please correct and retry:",
    },
    # --- possible duplicates (form and map panel) ---
    "desk.dup.title": {"zh-CN": "可能重复的事件", "en": "Possible duplicates"},
    "desk.dup.none": {
        "zh-CN": "附近 {m} 米、{h} 小时内没有同类未办结事件",
        "en": "No open incident of this category within {m} m and {h} h",
    },
    "desk.dup.found": {
        "zh-CN": "附近 {m} 米、{h} 小时内有 {n} 件同类未办结事件：",
        "en": "{n} open incident(s) of this category within {m} m and {h} h:",
    },
    "desk.dup.distance": {"zh-CN": "{d} 米", "en": "{d} m"},
    "desk.dup.same_address": {
        "zh-CN": "同址重复：该地址近一年已有 {n} 次反映",
        "en": "Repeated address: {n} reports at this address in the last year",
    },
    "desk.dup.open": {"zh-CN": "打开事件 #{id}", "en": "Open incident #{id}"},
    "desk.dup.merge_hint": {
        "zh-CN": "确属重复时，可在“处置”中选择“合并”，填入保留事件的编号",
        "en": "If it is a duplicate, choose 'merge' under handling and enter the kept id",
    },
    "desk.dup.form_hint": {
        "zh-CN": "如为同一事件，可不再登记，或登记后由调度合并",
        "en": "If it is the same case you may skip registering, or a dispatcher merges it",
    },
}
