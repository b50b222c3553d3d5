"""Case texts of the demo: the real citizen messages in ``demo/data/`` turned into templates.

Each message becomes a :class:`Template` — title and body with the board's masked places ("西地省",
"A市", "A3区", "…街道", "…社区", "…小区", "…路") replaced by placeholders that ``render`` fills
with the demo case's own district, street, community, compound and roads; long bodies cut at a
sentence end; the official reply (when the message has one) cleaned of the board's salutation and
re-dated. The first-level label (or, for unlabeled messages, keywords) picks a deeper category of
the taxonomy by keywords (``classify``), which in turn gives the urgency (``urgency_for``).

Pure functions over files shipped with the package: no database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
BODY_LIMIT = 360
REPLY_LIMIT = 520
TITLE_LIMIT = 60
# worktime.models.Urgency values (kept as strings: this module imports no Django model)
EMERGENCY, UTILITY, GENERAL, COMPLEX = "emergency", "utility", "general", "complex"

# Placeholders ``render`` fills. Numbered ones are a second / third distinct place of that kind.
PLACE_KEYS = ("district", "city", "province", "street", "street2", "community", "community2",
              "estate", "estate2", "road", "road2", "road3", "building", "reply_date")


@dataclass(frozen=True)
class Template:
    key: str  # "labeled:3742", "reply:2549", "votes:360114", "local:heating-1"
    title: str
    body: str
    path: tuple[str, ...]  # category names, level 1 first
    urgency: str
    reply: str = ""  # "" → composed by ``stories.compose_reply``
    reply_days: float | None = None  # the real delay between message and reply, in days
    months: tuple[int, ...] = ()  # seasonal templates: the months they occur in
    finding: bool = False  # short patrol / woodpecker finding rather than a resident's letter
    source_year: int = 2019


# --- places ----------------------------------------------------------------------------------------

# Characters that cannot be part of a place name: function words, verbs that precede places,
# punctuation, the masked units and the placeholders. A name is the whole run of other characters
# right before its suffix (街道, 社区, 小区, 路 …), so "物业扬言要退出小区" is no compound.
_STOP = ("的了和与及或在于由从向对把被将让给是有无请到为因此该本各其这那我你他她们也都就还又再而且并所整个每"
         "一些要说想去来已做看修住近旁边附离出收取征通过跑走区市县省镇乡村路街道，。、；：！？“”‘’（）()《》【】{}<> \t\n"
         "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NAME = f"[^{re.escape(_STOP)}]"
_GENERIC = {"老旧", "住宅商业", "农民安置", "安置", "居民", "商品房", "周边", "周围", "城市", "农村", "和谐", "文明",
            "智慧", "新型", "老年", "高速", "高速公", "铁", "水泥", "泥巴", "进出口", "十字", "群众", "市政", "巿政",
            "空中", "商务楼宇", "公里", "一条", "一公里", "所在", "农民", "拆迁安置", "单位", "职工", "工厂"}
_PATTERNS = [
    # (regex, placeholder family); applied in this order. ``(?<!NAME)``: the name is the whole run.
    (re.compile(f"(?<!{_NAME})({_NAME}{{2,4}})街道(?:办事处)?"), "street"),
    (re.compile(f"(?<!{_NAME})({_NAME}{{2,5}})社区"), "community"),
    (re.compile(f"(?<!{_NAME})({_NAME}{{2,4}})(?:路|大道)(?![灯牌标面况费政员人口段边线上由网太])"), "road"),
    (re.compile(f"(?<!{_NAME})({_NAME}{{2,6}})(?:小区|花园|家园|新村)"), "estate"),
]
_FAMILY_SIZE = {"street": 2, "community": 2, "estate": 2, "road": 3}
_CITY_DISTRICT = re.compile(r"[A-Z]\d*市[A-Z]\d*[区县]|[A-Z]\d*[区县]")
_CITY = re.compile(r"[A-Z]\d*市")
_TOWN = re.compile(r"(?<=\{district\})[\u4e00-\u9fff]{1,3}[镇乡](?=[\u4e00-\u9fff]{2,4}(?:社区|村))")
_PHONE = re.compile(r"0\d{2,3}-[0-9-]{7,}")
_NETIZEN = re.compile(r"^(?:尊敬的)?(?:网友|网民|市民同志|市民|来信人)?(?:“[^”]{0,20}”)?[，,：:\s]*(?=您好|你好)")


def _name_ok(name: str) -> bool:
    return name not in _GENERIC and not name.endswith(("安置", "商业", "居民", "集资", "道路"))


def placeholders(text: str) -> str:
    """``text`` with the masked and the named places replaced by ``{placeholder}`` tokens."""
    text = text.replace("{", "（").replace("}", "）")
    text = text.replace("西地省", "{province}")
    text = _CITY_DISTRICT.sub("{district}", text)
    text = _CITY.sub("{city}", text)
    text = _TOWN.sub("{street}", text)
    text = _PHONE.sub("0719-8{phone}", text)
    for pattern, family in _PATTERNS:
        seen: dict[str, str] = {}

        def swap(m: re.Match, family=family, seen=seen) -> str:
            name = m.group(1)
            if not _name_ok(name):
                return m.group(0)
            if name not in seen:
                if len(seen) >= _FAMILY_SIZE[family]:
                    return m.group(0)
                seen[name] = family if not seen else f"{family}{len(seen) + 1}"
            return "{" + seen[name] + "}"

        text = pattern.sub(swap, text)
    # "张湾区张湾区" after masked city + district pairs like "A市A3区"
    return text.replace("{city}{district}", "{city}{district}").replace("{district}{district}", "{district}")


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut after the last sentence end that fits (else with ……)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(ch) for ch in "。！？!?；")
    if cut >= limit // 3:
        return head[: cut + 1]
    return head[: limit - 2].rstrip("，、,;；：: ") + "……"


def relative_years(text: str, year: int) -> str:
    """Years of the message written relative to it (今年, 去年, 前年), so they fit any case date;
    older years are kept as ``{yearN}`` offsets that ``render`` fills."""

    def swap(m: re.Match) -> str:
        delta = year - int(m.group(1))
        if delta == 0:
            return "今年"
        if delta == 1:
            return "去年"
        if delta == 2:
            return "前年"
        if 2 < delta < 30:
            return "{year-" + str(delta) + "}年"
        return m.group(0)

    return re.sub(r"(?<!\d)((?:19|20)\d{2})年", swap, text)


def clean_reply(reply: str, year: int) -> str:
    """The official reply without the board's preamble and signature date, re-dated and shortened."""
    reply = re.sub(r"\s+", " ", reply).strip()
    reply = re.sub(r"^.{0,120}?答复如下[:：]", "", reply)
    reply = _NETIZEN.sub("", reply)
    reply = re.sub(r"(?:特此回复[！!。]?)?\s*((?:19|20)\d{2})年\d{1,2}月\d{1,2}日?$", "", reply).strip()
    reply = relative_years(placeholders(reply), year)
    reply = shorten(reply, REPLY_LIMIT)
    if not reply.startswith(("您好", "你好")):
        reply = "您好！" + reply
    return reply + "{reply_date}"


# --- categories ----------------------------------------------------------------------------------

H = ("城乡建设", "城市建设和市政管理")
HOUSING = ("城乡建设", "住房保障与房地产")
# (keywords, category path): the first rule whose keyword occurs wins; rules are tried within the
# message's first-level label, or across all labels in this order for unlabeled messages.
RULES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("暖气", "供暖", "采暖", "供热"), (*H, "冬季采暖")),
    (("停水", "自来水", "水压", "供水", "水表", "水管"), (*H, "自来水供应")),
    (("停电", "供电", "电压", "电表", "电费"), (*H, "电力供应")),
    (("燃气", "天然气", "煤气"), (*H, "燃气供应")),
    (("积水", "内涝", "排水", "下水道", "井盖", "雨水", "淹"), (*H, "基础设施")),
    (("公交", "公共汽车", "站台"), (*H, "公共汽车")),
    (("垃圾", "环卫", "保洁", "公厕", "卫生很差"), (*H, "环境卫生")),
    (("绿化", "树木", "草坪", "砍树"), (*H, "园林绿化")),
    (("占道", "摊贩", "城管", "游商"), (*H, "城管执法")),
    (("违建", "违章", "搭建", "加盖", "私搭"), ("城乡建设", "城乡规划", "违章建筑")),
    (("规划", "容积率"), ("城乡建设", "城乡规划", "规划方案")),
    (("回迁",), ("城乡建设", "国有土地上房屋征收与补偿", "回迁房")),
    (("棚户", "城中村", "棚改"), ("城乡建设", "国有土地上房屋征收与补偿", "棚户区和城中村改造")),
    (("拆迁", "征收", "安置", "补偿"), ("城乡建设", "国有土地上房屋征收与补偿", "安置补偿")),
    (("加装电梯", "增设电梯", "装电梯"), (*HOUSING, "修缮装修")),
    (("物业", "业委会", "业主委员会", "电梯"), (*HOUSING, "物业服务")),
    (("房产证", "不动产", "办证"), (*HOUSING, "房产证登记、办理")),
    (("公积金",), (*HOUSING, "住房公积金")),
    (("公租房", "廉租房", "保障房", "经适房"), (*HOUSING, "保障性住房")),
    (("购房补贴", "人才购房"), (*HOUSING, "房屋补贴")),
    (("开发商", "楼盘", "交房", "烂尾", "售楼"), (*HOUSING, "房地产开发管理")),
    (("拖欠工程款", "工程款"), ("城乡建设", "建筑市场", "拖欠工程款")),
    (("施工", "工地", "渣土", "修路"), ("城乡建设", "工程质量", "施工安全")),
    (("停车", "车位", "停车场"), (*H, "小区管理")),
    (("安全隐患", "危房", "消防通道", "检测站"), ("城乡建设", "安全生产", "安全隐患")),
    (("路灯", "道路", "人行道", "马路", "路面"), (*H, "城市公共设施")),
    (("噪音", "噪声", "扰民", "广场舞"), ("环境保护", "环境污染", "噪音污染")),
    (("油烟", "废气", "烟尘", "粉尘", "异味", "臭味", "烧烤"), ("环境保护", "环境污染", "大气污染")),
    (("污水", "排污", "水质", "河道"), ("环境保护", "环境污染", "水污染")),
    (("土壤", "重金属", "尾砂"), ("环境保护", "环境污染", "土壤污染")),
    (("固废", "废渣"), ("环境保护", "环境污染", "固体污染")),
    (("辐射", "基站"), ("环境保护", "环境污染", "电磁污染")),
    (("环评",), ("环境保护", "建设项目审批", "环评报告不实")),
    (("网约车", "滴滴"), ("交通运输", "出租车管理", "网约车问题")),
    (("出租车", "的士"), ("交通运输", "出租车管理", "行业监管")),
    (("快递", "邮政"), ("交通运输", "邮政管理", "快递市场管理")),
    (("客运", "班车", "公交"), ("交通运输", "客货运输", "旅客运输")),
    (("公路", "收费站", "路段", "高速"), ("交通运输", "建设管理", "设施维护")),
    (("农民工",), ("劳动和社会保障", "劳动关系", "农民工权益")),
    (("工资", "欠薪", "拖欠"), ("劳动和社会保障", "工资福利", "工资发放")),
    (("工伤",), ("劳动和社会保障", "城镇职工社会保险", "职工工伤保险")),
    (("失业",), ("劳动和社会保障", "城镇职工社会保险", "职工失业保险")),
    (("生育保险", "生育津贴"), ("劳动和社会保障", "城镇职工社会保险", "职工生育保险")),
    (("医保", "医疗保险", "新农合"), ("劳动和社会保障", "城镇居民社会保险", "城镇居民医疗保险")),
    (("退休", "养老金", "退休金"), ("劳动和社会保障", "退休政策及待遇", "退休金发放")),
    (("社保", "养老保险", "五险"), ("劳动和社会保障", "城镇职工社会保险", "职工养老保险")),
    (("派遣",), ("劳动和社会保障", "劳动关系", "劳务派遣纠纷")),
    (("劳动合同", "辞退", "解除劳动", "加班", "开除"), ("劳动和社会保障", "劳动关系", "劳动合同纠纷")),
    (("就业", "招聘", "培训", "考编"), ("劳动和社会保障", "就业培训", "就业和再就业")),
    (("学费", "乱收费", "收费"), ("教育文体", "教育收费", "乱收费")),
    (("补课", "放假", "作业", "课时", "周末"), ("教育文体", "教育行政管理", "学生负担")),
    (("学位", "划片", "学区"), ("教育文体", "教育体制", "教育资源配置")),
    (("幼儿园", "入学", "招生", "录取", "中考", "高考"), ("教育文体", "考试招生", "招生录取")),
    (("教师", "老师"), ("教育文体", "教师队伍和待遇", "工资福利")),
    (("实习", "实训"), ("教育文体", "教育行政管理", "教学管理")),
    (("校园", "学校"), ("教育文体", "教育行政管理", "校园安全")),
    (("图书馆", "文化"), ("教育文体", "文化", "公共文化")),
    (("体育", "健身", "球场"), ("教育文体", "体育", "体育事业")),
    (("医疗事故", "医患", "纠纷"), ("卫生计生", "医患纠纷", "医疗事故争议")),
    (("非法行医", "诊所", "黑诊所"), ("卫生计生", "医政监管", "非法行医")),
    (("食品", "餐馆", "外卖", "饭店", "餐饮"), ("卫生计生", "食品药品监管", "食品安全")),
    (("药店", "药品", "保健品"), ("卫生计生", "食品药品监管", "药品和医疗器械管理")),
    (("疫苗", "防疫", "传染", "消杀", "蚊虫"), ("卫生计生", "公共卫生", "疾病预防控制")),
    (("独生子女", "计生", "二孩", "计划生育"), ("卫生计生", "人口计生", "独生子女父母奖励政策")),
    (("医院", "医生", "看病", "医疗", "护士"), ("卫生计生", "医政监管", "医疗技术和服务")),
    (("传销",), ("商贸旅游", "市场监管", "传销")),
    (("价格", "物价", "涨价", "收费标准"), ("商贸旅游", "市场监管", "物价监督")),
    (("特种设备", "锅炉"), ("商贸旅游", "质监检验检疫", "特种设备管理")),
    (("景区", "旅游", "导游"), ("商贸旅游", "旅游管理", "景区管理")),
    (("质量", "假冒", "伪劣"), ("商贸旅游", "市场监管", "商品质量")),
    (("广告",), ("商贸旅游", "市场监管", "广告监管")),
]
FALLBACK = {
    "城乡建设": (*H, "其他"), "环境保护": ("环境保护", "环境污染", "其他污染"),
    "交通运输": ("交通运输", "其他", "其他"), "劳动和社会保障": ("劳动和社会保障", "其他", "其他"),
    "教育文体": ("教育文体", "其他", "其他"), "卫生计生": ("卫生计生", "其他", "其他"),
    "商贸旅游": ("商贸旅游", "市场监管", "其他"),
}
LABEL_ORDER = tuple(FALLBACK)
UTILITY_LEAVES = {"冬季采暖", "自来水供应", "电力供应", "燃气供应"}
EMERGENCY_WORDS = ("漏气", "泄漏", "火灾", "着火", "塌陷", "坍塌", "触电", "爆管", "困人", "被困", "倒塌", "冒烟")
COMPLEX_PARTS = ("国有土地上房屋征收与补偿", "集体土地上房屋拆迁与补偿", "城乡规划", "建筑市场", "农民工权益",
                 "房地产开发管理", "土壤污染", "医疗事故争议")


def classify(title: str, body: str, label: str = "") -> tuple[str, ...]:
    """The category path of a message: keywords in the title first, then in the body, within the
    label's rules; the label's catch-all when no keyword matches."""
    labels = (label,) if label else LABEL_ORDER
    for text in (title, body[:240]):
        for words, path in RULES:
            if path[0] in labels and any(w in text for w in words):
                return path
    return FALLBACK.get(label or "城乡建设", (label,))


def urgency_for(path: tuple[str, ...], text: str) -> str:
    if any(w in text for w in EMERGENCY_WORDS):
        return EMERGENCY
    if path[-1] in UTILITY_LEAVES:
        return UTILITY
    if any(part in path for part in COMPLEX_PARTS):
        return COMPLEX
    return GENERAL


# --- the real messages -----------------------------------------------------------------------------


def _when(value: str) -> datetime:
    return datetime.strptime(value.replace("-", "/"), "%Y/%m/%d %H:%M:%S")


def _read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _template(kind: str, row: dict, label: str = "") -> Template:
    year = _when(row["submitted_at"]).year
    title = relative_years(placeholders(row["title"].strip()), year)
    body = relative_years(placeholders(row["body"]), year)
    path = classify(row["title"], row["body"], label)
    reply, days = "", None
    if row.get("reply"):
        reply = clean_reply(row["reply"], year)
        days = (_when(row["replied_at"]) - _when(row["submitted_at"])).total_seconds() / 86400
    return Template(key=f"{kind}:{row['id']}", title=shorten(title, TITLE_LIMIT), body=shorten(body, BODY_LIMIT),
                    path=path, urgency=urgency_for(path, row["title"] + row["body"]), reply=reply,
                    reply_days=days, source_year=year)


@cache
def real_templates() -> tuple[Template, ...]:
    """Every message of the three files as a template, in file order."""
    out = [_template("labeled", r, r["label"]) for r in _read("messages_labeled_sample.jsonl")]
    out += [_template("reply", r) for r in _read("messages_with_replies_sample.jsonl")]
    out += [_template("votes", r) for r in _read("messages_with_votes_sample.jsonl")]
    return tuple(t for t in out if len(t.body) >= 12)


@cache
def real_reply_days() -> tuple[float, ...]:
    """The real delays between message and official reply, in days, sorted (the timing guide)."""
    return tuple(sorted(t.reply_days for t in real_templates() if t.reply_days is not None))


def render(text: str, places: dict[str, str]) -> str:
    """Fill the placeholders; unknown ones (a second estate where there is none) fall back to the
    first of their family."""

    def fill(m: re.Match) -> str:
        key = m.group(1)
        if key in places:
            return places[key]
        if key.startswith("year-"):
            return str(int(places.get("year", "2026")) - int(key[5:]))
        family = key.rstrip("0123456789")
        return places.get(family, m.group(0))

    return re.sub(r"\{([a-z_]+\d?|year-\d+)\}", fill, text)
