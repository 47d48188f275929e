"""Chinese text of the demo city: fake-but-plausible addresses and incident
descriptions built from templates."""

from __future__ import annotations

import numpy as np

from geodata.demo.catalog import LANE_POOL, LEAF_CODES, community_roads
from geodata.demo.spatial import CityModel
from geodata.models import IncidentSource

SOURCE_PREFIX: dict[str, list[str]] = {
    IncidentSource.GRID.value: ["网格员巡查发现", "网格员日常走访发现", "网格员上报："],
    IncidentSource.HOTLINE.value: ["市民致电12345反映", "12345热线工单：来电人反映", "市民来电称"],
    IncidentSource.POLICE.value: ["110接警：报警人称", "110警情：群众报警称", "110转来警情："],
    IncidentSource.IOT.value: ["物联感知设备告警：", "智能传感器自动上报：", "感知平台告警："],
    IncidentSource.PUBLIC.value: ["群众通过随手拍反映", "居民通过小程序上报", "群众来访反映"],
}

BODIES: dict[str, list[str]] = {
    "city.street_vending": [
        "{loc}附近有流动摊贩占道经营，影响行人通行。",
        "{loc}门前早市摊点占用人行道，堵塞交通。",
    ],
    "city.clutter": [
        "{loc}楼道及门前乱堆杂物，存在安全隐患。",
        "{loc}路边长期堆放建筑材料，影响市容。",
    ],
    "city.garbage": [
        "{loc}垃圾桶满溢未及时清运，气味较大。",
        "{loc}路口生活垃圾堆积多日无人清理。",
    ],
    "city.illegal_building": [
        "{loc}有住户在楼顶违规加建铁皮房。",
        "{loc}沿街商铺擅自搭建雨棚占用公共空间。",
    ],
    "safety.fire_hazard": [
        "{loc}电动车在楼道内充电，存在消防隐患。",
        "{loc}消防通道被车辆和杂物堵塞。",
        "{loc}烟感探测器报警，疑似有烟雾。",
    ],
    "safety.public_order": ["{loc}有人酒后争吵并发生推搡。", "{loc}夜宵摊点有顾客发生纠纷。"],
    "safety.traffic_accident": [
        "{loc}路段两车发生碰擦，无人员受伤。",
        "{loc}路口电动车与小汽车相撞，一人轻伤。",
    ],
    "safety.gas_leak": ["{loc}居民家中闻到燃气异味。", "{loc}可燃气体探测器浓度超限报警。"],
    "dispute.neighbour": [
        "{loc}两户居民因漏水问题发生争执。",
        "{loc}邻居之间因宅基地界线产生矛盾。",
    ],
    "dispute.labour": [
        "{loc}工地多名工人反映被拖欠工资。",
        "{loc}一家工厂员工反映未按时发放工资。",
    ],
    "dispute.property": [
        "{loc}小区业主对物业收费有异议。",
        "{loc}小区电梯长期故障，物业未及时维修。",
    ],
    "service.water_supply": ["{loc}一带自来水停水超过十二小时。", "{loc}供水管道破裂，路面冒水。"],
    "service.power_outage": ["{loc}片区突然停电，尚未恢复。", "{loc}变压器异响并频繁跳闸。"],
    "service.street_light": ["{loc}路段多盏路灯夜间不亮。", "{loc}路灯灯杆倾斜，有倒伏危险。"],
    "service.road_damage": ["{loc}路面出现坑洼，易致车辆颠簸。", "{loc}井盖缺失，存在安全隐患。"],
    "service.noise": [
        "{loc}夜间广场舞音响声音过大。",
        "{loc}工地夜间施工噪音扰民。",
        "{loc}商铺外放音乐音量过大。",
    ],
    "eco.water_pollution": ["{loc}附近河涌水体发黑发臭。", "{loc}有企业疑似向河道排放污水。"],
    "eco.air_pollution": ["{loc}附近厂房排放刺鼻气体。", "{loc}工地扬尘严重，未落实降尘措施。"],
    "eco.waste_burning": ["{loc}附近有人露天焚烧垃圾，浓烟较大。", "{loc}田边焚烧秸秆和塑料垃圾。"],
    "production.site_hazard": ["{loc}工地脚手架未设防护网。", "{loc}在建工地塔吊作业未设警戒区。"],
    "production.hazchem": ["{loc}仓库违规存放危险化学品。", "{loc}有车辆违规装卸液化气钢瓶。"],
    "flood.waterlogging": [
        "{loc}路段积水较深，车辆无法通行。",
        "{loc}地下车库进水，需要抽排。",
        "{loc}水位监测点水位超过警戒值。",
    ],
    "flood.landslide": ["{loc}后山出现裂缝，有滑坡风险。", "{loc}山边道路发生小面积塌方。"],
}
assert set(BODIES) == set(LEAF_CODES), "every leaf category needs description templates"


def _village_lanes(code: str, k: int = 4) -> list[str]:
    base = int(code[-6:])
    return [LANE_POOL[(base + i * 5) % len(LANE_POOL)] for i in range(k)]


class AddressBook:
    """Addresses of grids: ``<county><town><community><road/lane><n>号``."""

    def __init__(self, model: CityModel) -> None:
        self.model = model
        self.comm_roads = [
            community_roads(code) if urban else _village_lanes(code)
            for code, urban in zip(model.comm_code, model.comm_urban.tolist(), strict=True)
        ]
        self.grid_prefix: list[str] = []
        for g in range(len(model.grids)):
            county, street, comm = model.grid_place(g)
            self.grid_prefix.append(county + street + comm)

    def addresses(
        self, g: np.ndarray, k: np.ndarray, num: np.ndarray
    ) -> tuple[list[str], list[str]]:
        """Full addresses and short locations (community + road + number)."""
        comm_of = self.model.grid_comm
        names = self.model.comm_name
        full: list[str] = []
        short: list[str] = []
        for gi, ki, ni in zip(g.tolist(), k.tolist(), num.tolist(), strict=True):
            c = int(comm_of[gi])
            tail = f"{self.comm_roads[c][ki % 4]}{ni}号"
            full.append(self.grid_prefix[gi] + tail)
            short.append(names[c] + tail)
        return full, short


def descriptions(
    rng: np.random.Generator, sources: list[str], cats: np.ndarray, short: list[str]
) -> list[str]:
    """One description per incident: a source phrase plus a category template."""
    n = len(short)
    pick_p = rng.integers(0, 3, n).tolist()
    pick_b = rng.integers(0, 6, n).tolist()
    out: list[str] = []
    for s, c, loc, ip, ib in zip(sources, cats.tolist(), short, pick_p, pick_b, strict=True):
        pre = SOURCE_PREFIX[s]
        bodies = BODIES[LEAF_CODES[c]]
        out.append(pre[ip % len(pre)] + bodies[ib % len(bodies)].format(loc=loc))
    return out


# --- notes in the timelines (each chosen by the incident id) ----------------------------
REJECT_NOTES = (
    "不属于受理范围，已告知来电人",
    "重复来电，已答复",
    "信息不全，无法核实",
    "经核实问题不存在",
)
ESCALATE_NOTE = "涉及多个部门职责，提请上级协调"
RETURN_NOTE = "非本单位职责，申请退回重新派遣"
TRANSFER_NOTE = "派遣有误，改派主办部门"
SUSPEND_NOTES = (
    "等待法院判决结果",
    "等待第三方检测报告",
    "需待雨季结束后施工",
    "当事人外出，待返回后调解",
    "等待上级部门批复",
    "涉及产权争议，待确权",
)
ASK_NOTES = (
    "情况复杂，需协调多方，申请延期",
    "需等待材料补齐，申请延期",
    "施工需分段实施，申请延期",
)
DENY_NOTE = "理由不充分，请按期办结"
AGAIN_NOTE = "已重新处理，并回访当事人"
# by category group (the part of the leaf code before the dot)
RESOLVE_NOTES: dict[str, tuple[str, ...]] = {
    "city": ("已现场清理，恢复整洁", "已责令当事人整改完毕", "已依法处置，现场恢复"),
    "safety": ("已现场处置，隐患消除", "已出警处置完毕", "已排除险情，现场安全"),
    "dispute": ("已组织调解，双方达成一致", "已调解完毕，签订协议", "已依法答复当事人"),
    "service": ("已抢修完毕，恢复正常", "已修复，现场验收合格", "已处理完毕，已回复来电人"),
    "eco": ("已现场检查，督促整改到位", "已查处，污染源已清除", "已处置完毕，监测正常"),
    "production": ("已督促企业整改，隐患消除", "已责令停工整改，复查合格", "已处置完毕"),
    "flood": ("已排水完毕，道路恢复通行", "已清理塌方，设置警示", "已处置完毕，持续巡查"),
}
