"""Everyday and seasonal matters of a compound, written for the demo (the real messages in
``demo/data`` are letters to a provincial board: few of them are about a blocked drain).

Each row: key, months it occurs in (empty: all year), whether it is a patrol / woodpecker finding,
category path, urgency, title, body, reply. Placeholders as in ``texts.render``, plus
``{handler}`` (the unit or team that replies). The seasonal rows give later hot-spot work a clear
signal: heating in winter, flooding in the rainy season, power cuts in the heat.
"""

from __future__ import annotations

from functools import cache

from .texts import COMPLEX, EMERGENCY, GENERAL, UTILITY, Template

WINTER = (11, 12, 1, 2, 3)
COLD = (12, 1, 2)
RAINY = (6, 7, 8, 9)
HOT = (6, 7, 8)
WARM = (5, 6, 7, 8, 9)
SPRING = (3, 4, 5)
FESTIVAL = (1, 2)

M = ("城乡建设", "城市建设和市政管理")
P = ("城乡建设", "住房保障与房地产", "物业服务")
SAFE = ("城乡建设", "安全生产", "安全隐患")

ROWS: list[tuple[str, tuple[int, ...], bool, tuple[str, ...], str, str, str, str]] = [
    # --- winter: heating and frost -----------------------------------------------------------------
    ("heat-cold", WINTER, False, (*M, "冬季采暖"), UTILITY, "{estate}{building}暖气不热",
     "我是{estate}{building}的住户，入冬以来家里暖气一直不热，室温只有十三四度，家里有老人和小孩，"
     "物业说是供热站的问题，请尽快派人检修。",
     "您好！{handler}已派维修人员入户检查，系该单元立管存有空气、末端循环不畅，已排气并调整阀门，"
     "经回访室温已达到18℃以上。如仍有问题请拨打供热服务热线。"),
    ("heat-leak", WINTER, False, (*M, "冬季采暖"), UTILITY, "暖气管道漏水，楼下被淹",
     "{estate}{building}三楼暖气管道接头漏水，水流到楼下邻居家里，物业关了阀门后整个单元都没有暖气了，请抓紧维修。",
     "您好！{handler}接报后当天到场，更换了破损的管道接头，已恢复该单元供暖，楼下住户的损失由物业协调处理。"),
    ("heat-unpaid", WINTER, False, (*M, "冬季采暖"), UTILITY, "已交采暖费但一直未通暖",
     "我家住{estate}{building}，十一月初就交了采暖费，到现在暖气片还是冰凉的，打供热站电话一直占线。",
     "您好！经核查，您家入户阀门处于关闭状态，{handler}工作人员已上门开启阀门并检查管路，暖气已正常。"),
    ("heat-estate", WINTER, False, (*M, "冬季采暖"), UTILITY, "{estate}整体供暖温度不达标",
     "{estate}西边几栋楼这个冬天暖气都不热，很多住户家里只有十五度左右，希望供热单位查一查换热站的问题。",
     "您好！{handler}对{estate}换热站进行了检修，更换了循环泵并提高了供水温度，抽查住户室温均在18℃以上。"),
    ("heat-steam", WINTER, True, (*M, "冬季采暖"), UTILITY, "{road}供热管网检修井冒热气",
     "巡查发现{road}靠近{estate}路口的供热管网检修井持续冒热气，井盖周边路面结冰，行人容易滑倒。",
     "您好！{handler}已对该检修井内阀门进行维修，漏汽已消除，路面结冰已清理。"),
    ("frost-pipe", COLD, False, (*M, "自来水供应"), UTILITY, "水管冻裂，整栋楼停水",
     "连续几天低温，{estate}{building}楼顶水箱进水管冻裂，整栋楼停水两天了，老人只能下楼提水。",
     "您好！{handler}已更换冻裂的进水管并加装保温层，{building}已恢复供水。"),
    ("snow-walk", COLD, True, (*M, "环境卫生"), GENERAL, "{road}人行道积雪结冰无人清扫",
     "巡查发现{road}人行道积雪结冰，早上有老人滑倒，沿街商户门前未清扫。",
     "您好！{handler}已组织环卫工人和沿街商户清除积雪、撒布融雪剂，并落实门前三包责任。"),
    # --- rainy season: flooding --------------------------------------------------------------------
    ("flood-gate", RAINY, False, (*M, "基础设施"), GENERAL, "{estate}门口一下雨就积水",
     "{estate}大门口地势低，一下大雨积水就有半米深，居民进出只能蹚水，电动车都泡坏了，希望把排水管道改造一下。",
     "您好！{handler}已对{estate}门口雨水管道进行疏通，并新增两处雨水篦子，近期降雨后未再出现明显积水。"),
    ("flood-garage", RAINY, False, (*M, "基础设施"), EMERGENCY, "暴雨后地下车库进水",
     "昨晚暴雨，{estate}地下车库进水，已经淹了十几辆车，水还在往里灌，请赶紧派人抽水。",
     "您好！接报后{handler}调派抽水泵车到场连续排水，车库积水已排净，并在入口加设了挡水板。"),
    ("flood-cover", RAINY, True, (*M, "基础设施"), EMERGENCY, "{road}雨水井盖缺失",
     "巡查发现{road}{estate}东侧人行道雨水井盖缺失，下雨积水后看不见井口，行人极易坠落，已临时摆放警示锥。",
     "您好！{handler}已补装井盖并加装防坠网。"),
    ("flood-drain", RAINY, False, (*M, "基础设施"), GENERAL, "下水道堵塞，污水外溢",
     "{estate}{building}前面的下水道堵了一个多星期，下雨后污水漫到路面上，臭味很大。",
     "您好！{handler}已用疏通车清掏管道淤泥，污水外溢问题已解决，后续纳入汛期定期巡查。"),
    ("flood-road", RAINY, True, (*M, "基础设施"), GENERAL, "{road}下穿通道积水",
     "强降雨后{road}下穿通道积水约40厘米，车辆通行困难，需尽快排水并设置警示。",
     "您好！{handler}已排除积水并清理进水口杂物，通道已恢复通行。"),
    ("flood-slope", RAINY, False, SAFE, EMERGENCY, "{estate}后山边坡雨后有滑坡迹象",
     "{estate}后面的山坡连续下雨后出现裂缝，有小石块滚落，靠山的{building}住户很担心。",
     "您好！{handler}会同应急管理部门现场查看，已设置警戒区并临时转移靠山住户，边坡治理已列入计划。"),
    # --- heat of summer ------------------------------------------------------------------------------
    ("power-cut", HOT, False, (*M, "电力供应"), UTILITY, "{estate}频繁停电",
     "这几天天气太热，{estate}一天停好几次电，空调开不了，老人受不了，请供电公司查一下线路。",
     "您好！{handler}排查发现小区配电变压器负荷过重，已更换为大容量变压器，近期未再发生停电。"),
    ("mosquito", WARM, False, ("卫生计生", "公共卫生", "疾病预防控制"), GENERAL, "小区蚊虫太多，希望消杀",
     "{estate}绿化带和地下室积水处蚊虫特别多，晚上在楼下乘凉都待不住，希望组织一次消杀。",
     "您好！{handler}已组织对{estate}绿化带、地下室积水点进行消杀，并清除了积水容器。"),
    ("dance-noise", WARM, False, ("环境保护", "环境污染", "噪音污染"), GENERAL, "广场舞音响声音太大",
     "{estate}旁边小广场每天晚上跳广场舞，音响开得很大，一直到十点多，孩子没法写作业。",
     "您好！{handler}已与广场舞队伍负责人沟通，约定音量控制和结束时间（晚上九点前），将持续跟踪。"),
    ("bbq-smoke", WARM, False, ("环境保护", "环境污染", "大气污染"), GENERAL, "楼下烧烤店油烟扰民",
     "{estate}{building}楼下新开的烧烤店油烟直排，楼上住户家里窗户都不敢开，晚上还很吵。",
     "您好！{handler}已责令该店安装油烟净化设施并规范经营时间，复查时已整改到位。"),
    ("ac-drip", HOT, False, P, GENERAL, "楼上空调外机冷凝水滴在我家窗台",
     "{building}楼上住户的空调外机冷凝水一直滴在我家窗台上，晚上滴答声睡不着，沟通过几次都没用。",
     "您好！{handler}协调楼上住户加装了冷凝水导管，问题已解决。"),
    # --- spring, festivals, school -----------------------------------------------------------------
    ("tree-trim", SPRING, False, (*M, "园林绿化"), GENERAL, "小区树木遮挡采光，希望修剪",
     "{estate}{building}前面的树长得比四楼还高，低楼层家里白天都要开灯，希望安排修剪。",
     "您好！{handler}已安排园林工人对{building}前树木进行修剪，兼顾了采光和绿化。"),
    ("firework-litter", FESTIVAL, False, (*M, "环境卫生"), GENERAL, "小区燃放烟花爆竹后垃圾无人清理",
     "过年期间{estate}里燃放烟花爆竹，纸屑堆了好几天没人清理，还有安全隐患。",
     "您好！{handler}已督促物业清理，并在小区内张贴禁放提示，加强巡查。"),
    ("festival-stalls", FESTIVAL, True, (*M, "城管执法"), GENERAL, "春节期间{road}占道经营严重",
     "巡查发现{road}年货摊位占道经营，人行道被占满，行人只能走机动车道。",
     "您好！{handler}已对占道摊位进行劝导规范，引导进入临时疏导点经营。"),
    ("school-traffic", (9,), False, ("政法", "交通管理", "交通安全管理"), GENERAL, "开学后学校门口交通拥堵",
     "开学以后{road}学校门口早晚接送孩子的车辆乱停，堵得水泄不通，很不安全。",
     "您好！{handler}已协调交警在上下学时段安排警力疏导，并施划临时停车区。"),
    # --- all year: the compound ----------------------------------------------------------------------
    ("stair-light", (), False, P, GENERAL, "{building}楼道灯坏了",
     "{estate}{building}楼道的声控灯坏了半个多月，晚上上下楼黑漆漆的，老人差点摔倒。",
     "您好！{handler}已更换{building}各层楼道灯，经检查均已正常。"),
    ("lift-broken", (), False, P, GENERAL, "电梯经常出故障",
     "{estate}{building}的电梯这个月坏了三次，每次修好没几天又停，楼上老人出门很困难。",
     "您好！{handler}督促物业和电梯维保单位对该电梯进行了全面检修，更换了老化的门机部件。"),
    ("lift-trapped", (), False, ("商贸旅游", "质监检验检疫", "特种设备管理"), EMERGENCY, "电梯困人",
     "{estate}{building}电梯停在两层中间，里面困了一位老人，物业电话打不通，请马上派人。",
     "您好！接报后维保人员和{handler}十五分钟内到场，被困人员已安全救出，电梯已停用检修。"),
    ("garbage", (), False, (*M, "环境卫生"), GENERAL, "小区垃圾清运不及时",
     "{estate}垃圾桶天天满出来，清运车两三天才来一次，天一热臭味很大。",
     "您好！{handler}已协调环卫部门将{estate}垃圾清运调整为每日一次，并增设了垃圾桶。"),
    ("parking", (), False, (*M, "小区管理"), GENERAL, "小区停车难，消防通道被占",
     "{estate}车位不够，晚上车辆都停在消防通道上，救护车都进不来。",
     "您好！{handler}已在消防通道施划禁停标线，并协调周边单位夜间开放停车场。"),
    ("fire-lane", (), True, SAFE, GENERAL, "消防通道被私家车占用",
     "巡查发现{estate}{building}旁消防通道长期被私家车占用，已张贴提示但未改善。",
     "您好！{handler}已联系车主挪车，并加装了隔离桩。"),
    ("bikes", (), True, (*M, "城管执法"), GENERAL, "{road}共享单车乱停放",
     "巡查发现{road}公交站附近共享单车堆放，占用盲道和人行道。",
     "您好！{handler}已通知运营企业清运，并划定了停放区。"),
    ("tiles", (), True, SAFE, GENERAL, "{estate}外墙瓷砖脱落",
     "巡查发现{estate}{building}外墙瓷砖有脱落，下方是居民出入通道，存在伤人隐患。",
     "您好！{handler}已设置警戒区，并组织对外墙空鼓瓷砖进行清除和修补。"),
    ("roof-leak", (), False, ("城乡建设", "住房保障与房地产", "修缮装修"), GENERAL, "顶楼漏水",
     "我家在{estate}{building}顶楼，一下雨屋顶就漏水，墙面都发霉了，找物业说要用维修资金。",
     "您好！{handler}已协调启用专项维修资金，对{building}屋面防水进行了翻新。"),
    ("fee-rise", (), False, P, GENERAL, "物业费上涨未公示",
     "{estate}物业突然通知物业费上涨，没有开业主大会，也没有公示收支情况。",
     "您好！{handler}已约谈物业公司，要求其暂停调价、公示收支，并按程序召开业主大会表决。"),
    ("reno-noise", (), False, ("环境保护", "环境污染", "噪音污染"), GENERAL, "邻居装修噪音扰民",
     "{building}楼上装修，周末早上七点就开始电钻，中午也不停。",
     "您好！{handler}已上门告知装修管理规定，施工时间已调整为工作日8:00—12:00、14:00—18:00。"),
    ("stray-dog", (), False, ("政法", "社会治安", "其他"), GENERAL, "小区流浪狗追咬行人",
     "{estate}里有几条流浪狗，晚上追着人叫，前几天还咬伤了一个孩子。",
     "您好！{handler}已联系犬类收容机构对流浪犬进行收容，并提醒居民文明养犬。"),
    ("corridor-junk", (), True, SAFE, GENERAL, "楼道堆放杂物",
     "巡查发现{estate}{building}楼道内堆放纸箱、旧家具，堵塞疏散通道。",
     "您好！{handler}已督促住户和物业清理楼道杂物。"),
    ("flying-wire", (), True, SAFE, GENERAL, "居民飞线给电动车充电",
     "巡查发现{estate}{building}一楼有居民从窗户拉线给电动车充电，存在火灾隐患。",
     "您好！{handler}已劝导拆除飞线，并在小区增设了电动车集中充电桩。"),
    ("street-light", (), True, (*M, "城市公共设施"), GENERAL, "{road}路灯不亮",
     "巡查发现{road}有一段路灯连续几晚不亮，晚上行人和车辆都看不清。",
     "您好！{handler}已更换损坏的灯具和线路，路灯已恢复照明。"),
    ("sidewalk", (), True, (*M, "城市公共设施"), GENERAL, "{road}人行道地砖破损",
     "巡查发现{road}人行道多处地砖松动破损，下雨踩上去溅水。",
     "您好！{handler}已对破损地砖进行更换修补。"),
    ("manhole", (), True, (*M, "基础设施"), GENERAL, "井盖松动，车辆经过异响",
     "巡查发现{road}与{estate}入口处井盖松动，车辆经过哐当作响。",
     "您好！{handler}已更换井座并固定井盖。"),
    ("throwing", (), False, ("政法", "社会治安", "治安案件"), GENERAL, "高空抛物",
     "{estate}{building}经常有人从楼上往下扔垃圾，昨天差点砸到人。",
     "您好！{handler}已会同派出所调取监控并上门教育，小区加装了高空抛物监控。"),
    ("lift-install", (), False, ("城乡建设", "住房保障与房地产", "修缮装修"), COMPLEX, "老旧小区加装电梯怎么申请",
     "{estate}是九十年代的老楼，住的大多是老人，大家想加装电梯，请问需要什么手续，有没有补贴。",
     "您好！{handler}已到{estate}召开居民协商会，讲解了加装电梯的申请程序和补贴政策，并协助成立了加装电梯工作小组。"),
    ("subsistence", (), False, ("民政", "社会救助", "城镇低保"), GENERAL, "低保申请咨询",
     "我家在{estate}，丈夫生病不能工作，孩子还在上学，想问问能不能申请低保，需要什么材料。",
     "您好！{handler}已上门了解家庭情况，协助准备申请材料并提交审核。"),
    ("elder-alone", (), False, ("民政", "社会服务", "其他"), GENERAL, "独居老人需要照顾",
     "{estate}{building}有位八十多岁的独居老人，子女在外地，最近身体不好，希望社区多关照。",
     "您好！{handler}已将老人纳入重点关爱对象，安排网格员和志愿者定期探访，并对接了助餐服务。"),
    ("sscard", (), False, ("劳动和社会保障", "城镇职工社会保险", "其他"), GENERAL, "社保卡怎么补办",
     "社保卡丢了，请问在社区能不能办理补卡。",
     "您好！{handler}已协助您在社区服务站提交补卡申请，新卡制好后将电话通知领取。"),
    ("sunroom", (), False, ("城乡建设", "城乡规划", "违章建筑"), COMPLEX, "顶楼违规搭建阳光房",
     "{estate}{building}顶楼住户在公共屋面上搭建阳光房，占用公共部位，还影响楼顶防水。",
     "您好！{handler}已下达限期拆除通知，当事人已自行拆除违建。"),
    ("stall", (), True, (*M, "城管执法"), GENERAL, "{road}占道经营",
     "巡查发现{road}有流动摊贩占道经营，早晚高峰影响通行。",
     "您好！{handler}已劝离摊贩，并引导其到便民市场经营。"),
    ("dog-waste", (), False, (*M, "环境卫生"), GENERAL, "小区宠物粪便随处可见",
     "{estate}草坪和步道上到处是狗屎，有的人遛狗不牵绳也不清理。",
     "您好！{handler}已在小区张贴文明养犬倡议，设置宠物便袋箱，并组织志愿者劝导。"),
    ("water-yellow", (), False, (*M, "自来水供应"), UTILITY, "自来水发黄有异味",
     "{estate}这两天自来水发黄，有股铁锈味，不敢喝。",
     "您好！{handler}已对{estate}二次供水水箱进行清洗消毒，水质检测合格。"),
    ("gas-smell", (), False, (*M, "燃气供应"), EMERGENCY, "楼道里有燃气味",
     "{estate}{building}二单元楼道里燃气味很重，担心漏气，请马上派人。",
     "您好！{handler}抢修人员二十分钟内到场，查明为楼道立管接口漏气，已关阀维修并检测合格。"),
]


@cache
def local_templates() -> tuple[Template, ...]:
    return tuple(Template(key=f"local:{key}", title=title, body=body, path=path, urgency=urgency, reply=reply,
                          months=months, finding=finding)
                 for key, months, finding, path, urgency, title, body, reply in ROWS)
