"""What the demo's staff and residents write on the way: reasons, notes, composed replies, comments.

Pure text pools (``rng`` picks); the real replies of ``texts.real_templates`` are used where a
message has one, ``compose_reply`` writes one in the same register where it has not.
"""

from __future__ import annotations

import random

# (first category levels, reason naming where it belongs): the first matching prefix wins.
REJECT_REASONS: list[tuple[tuple[str, ...], str]] = [
    (("劳动和社会保障", "劳动关系"), "该诉求属于劳动争议，请携带劳动合同、工资条等材料向张湾区劳动人事争议仲裁院申请仲裁，"
     "或拨打12333咨询。"),
    (("劳动和社会保障",), "该事项由社保经办机构依申请办理，请本人携带身份证到张湾区政务服务中心人社窗口办理，或拨打12333咨询。"),
    (("商贸旅游", "旅游管理"), "属于旅游合同纠纷，请向旅游市场监管部门投诉（12345转文旅局）或通过人民法院诉讼解决。"),
    (("商贸旅游",), "属于消费纠纷，请拨打12315或登录全国12315平台投诉，由市场监管部门依法调解。"),
    (("教育文体", "考试招生"), "招生录取政策由省市教育考试院统一制定，请向十堰市教育考试院咨询。"),
    (("教育文体",), "该校为市属（省属）学校，不属于本区基层治理平台受理范围，请向十堰市教育局反映。"),
    (("城乡建设", "住房保障与房地产", "房地产开发管理"), "属于购房合同民事纠纷，建议与开发商协商，协商不成可向人民法院起诉。"),
    (("政法",), "该事项已进入司法程序，请通过人民法院依法解决。"),
    ((), "该诉求不属于公共事务，建议通过相应渠道（协商、调解或诉讼）解决；如有新情况可再次反映。"),
]

RETURN_REASONS = [
    "经核实，该事项不属于本单位职责范围，应由{right}办理，请重新派单。",
    "现场核查后发现问题涉及{right}管辖的设施，本单位无法处置，申请退回。",
    "该诉求地址不在本单位服务区域，建议转{right}。",
]
TEAM_RETURN_REASONS = [
    "该问题涉及跨社区协调，社区无法单独解决，请街道统筹。",
    "需要职能部门执法，网格无执法权限，申请退回由上级派单。",
]
PARK_REASONS = [
    "该问题需纳入明年老旧小区改造计划统筹解决，先行挂账，定期复查。",
    "涉及历史遗留产权问题，需区级专题会议研究，挂账跟踪。",
    "需待汛期结束后施工，挂账至复查日期。",
    "涉及规划调整，需等待规划部门批复，挂账跟踪。",
]
EXTEND_REASONS = [
    "需采购材料并协调施工队伍，申请延期。",
    "涉及多户居民意见征集，需召开居民议事会，申请延期。",
    "需等待专项维修资金审批，申请延期。",
    "天气原因无法施工，申请延期。",
]
SUPERVISE_NOTES = [
    "超时未办结，列入督办，请承办单位三日内答复。",
    "群众反映强烈，街道督办，请加快办理并反馈进度。",
    "重复反映事项，列入督办。",
]
COMMENTS = [
    "已电话联系反映人，约定明天上门查看。",
    "已到现场拍照取证，正在协调物业。",
    "反映人电话未接通，已发短信告知办理进度。",
    "已联系施工单位，预计本周内处理。",
]
PATROL_CLOSE_NOTES = ["巡查问题已整改到位，予以办结。", "经复查已处置完毕，办结。"]
VERIFY_NOTES = ["已现场核实，问题已解决。", "电话回访反映人，确认已处理。", "经复查，整改到位。", ""]
DISPATCH_NOTES = ["请尽快核实处理并答复反映人。", "请按时限办理。", "", "请现场核查后答复。"]
TAKE_NOTES = ["", "已接单，马上安排人员处理。", "收到，今天到现场。"]
REPLY_AGAIN = "您好！针对您的评价，{handler}再次到现场核查处理：{reply}"
RATING_COMMENTS = {
    "satisfied": ["处理很及时，非常满意！", "谢谢网格员，问题解决了。", "", "", "效率很高，点赞。"],
    "basic": ["问题基本解决了，希望以后加强管理。", "处理了，但是慢了点。", ""],
    "unsatisfied": ["问题没有真正解决，现在还是老样子。", "只是打了个电话，没人来现场看。", "答复和实际情况不符。"],
}

ACTIONS = {
    "城乡建设": ["工作人员已到现场核查并督促相关单位整改，目前问题已处理完毕。",
                 "经现场查看，已协调物业和相关单位制定整改方案，并已完成整改。"],
    "环境保护": ["已会同生态环境执法人员现场检查，责令相关单位限期整改，复查时已整改到位。"],
    "交通运输": ["已转交通运输主管部门核实，相关线路和设施问题已按规定处理。"],
    "劳动和社会保障": ["已联系反映人详细了解情况，并协助其按程序办理相关手续。",
                       "已约谈用人单位，督促其依法保障劳动者权益，相关款项已支付。"],
    "教育文体": ["已转教育主管部门调查核实，学校已按规定整改，并向家长作了说明。"],
    "卫生计生": ["已会同卫生健康部门调查核实，相关机构已按规定整改。"],
    "商贸旅游": ["已转市场监管部门调查处理，经营者已按规定整改，并与反映人达成和解。"],
}
OPENINGS = ["您好！您反映的“{title}”问题已收悉。", "您好！关于您反映的“{title}”，", "您好！"]
CLOSINGS = ["感谢您对我们工作的理解和支持。", "如有疑问，请与社区联系。", "感谢您的监督。"]


def reject_reason(path: tuple[str, ...]) -> str:
    for prefix, reason in REJECT_REASONS:
        if path[: len(prefix)] == prefix:
            return reason
    return REJECT_REASONS[-1][1]


def compose_reply(rng: random.Random, title: str, path: tuple[str, ...], handler: str) -> str:
    opening = rng.choice(OPENINGS).format(title=title[:30])
    action = rng.choice(ACTIONS.get(path[0], ACTIONS["城乡建设"]))
    return f"{opening}{handler}高度重视，{action}{rng.choice(CLOSINGS)}"
