"""The demo's chains: seven chains the Jining 231 document (seed 004) spells out, and one provincial chain.

What the text gives is marked with its clause and loaded as 政策文件 (Source.POLICY): the chains, their segments
(the text's own wording, its 补链 lists as segments to fill, its 延链/扩展 items as extension segments) and the
enterprises it names for each chain. What the text does not give is 演示数据 (Source.DEMO): the split of a
chain into sub-segments beyond the text's words, the outside companies (all named "某…企业（演示）"), an
enterprise the text names for another chain placed here, and every supply link and amount.

A placement is (party, role, product, policy): `party` is a registry enterprise's name (the packs' short
names, e.g. 山推股份) or a key of OUTSIDE; `policy` False marks a placement the demo made up.
A segment's `volume` is what the chain's buyers bought on it in 2023 (万元), `local` the share (%) of it bought
from the segment's local suppliers; the generator (jiqun.chains.demo) splits these among the suppliers and lets
them grow a little each year. `counted` segments get links without amounts (the count-based rate).
"""

from dataclasses import dataclass

from jiqun.chains.models import Position, SegmentKind
from jiqun.enterprises.models import MemberRole

UP, MID, DOWN = Position.UPSTREAM, Position.MIDSTREAM, Position.DOWNSTREAM
SERVICE = SegmentKind.SERVICE
CL, LD, BB, SP = MemberRole.CHAIN_LEADER, MemberRole.LEADER, MemberRole.BACKBONE, MemberRole.SUPPORTING
JN = "JN-2020-231"


@dataclass(frozen=True)
class Place:
    party: str
    role: str = SP
    product: str = ""
    policy: bool = True


@dataclass(frozen=True)
class Seg:
    code: str  # U/M/D + number; a sub-segment adds ".n" to its parent's code
    name: str
    position: str
    industry: str = ""  # GB/T 4754-2017 codes where obvious
    kind: str = SegmentKind.PRODUCT
    extension: bool = False  # 延链: the chain does not reach it yet
    note: str = ""
    places: tuple[Place, ...] = ()
    volume: int = 0
    local: int = 0
    counted: bool = False
    buyers: tuple[str, ...] = ()  # who buys on this segment, when not the chain's buyers


@dataclass(frozen=True)
class ChainSpec:
    code: str
    name: str
    region: str
    clusters: tuple[tuple[str, str], ...]  # (programme code, cluster code)
    clause: str
    description: str
    leader: str | None  # the 链主 enterprise (a registry name)
    chief_name: str
    buyers: tuple[str, ...]  # the local enterprises whose purchases make the chain's 本地配套率
    segments: tuple[Seg, ...]
    target_clause: str = "004 一(三)：本地配套率提升到５０％以上"
    generated: bool = False  # the whole chain is 演示数据


# name: (place, region code inside the province or None, notes, named by a seed text)
OUTSIDE: dict[str, tuple[str, str | None, str, bool]] = {
    "潍坊某柴油发动机企业（演示）": ("山东省潍坊市", "370700", "演示数据：工程机械、农机用柴油发动机供应商", False),
    "常州某液压件企业（演示）": ("江苏省常州市", None, "演示数据：液压泵、油缸和多路阀供应商", False),
    "杭州某齿轮箱企业（演示）": ("浙江省杭州市", None, "演示数据：齿轮、变速箱供应商", False),
    "徐州某驱动桥企业（演示）": ("江苏省徐州市", None, "演示数据：驱动桥、桥箱供应商", False),
    "临沂某铸造企业（演示）": ("山东省临沂市", "371300", "演示数据：铸件、结构件供应商", False),
    "洛阳某轴承企业（演示）": ("河南省洛阳市", None, "演示数据：轴承、链条供应商", False),
    "临沂某铆焊件企业（演示）": ("山东省临沂市", "371300", "演示数据：农机铆焊件供应商", False),
    "北京某北斗导航企业（演示）": ("北京市", None, "演示数据：北斗导航自动驾驶系统供应商", False),
    "常州某电芯企业（演示）": ("江苏省常州市", None, "演示数据：动力电池电芯供应商", False),
    "深圳某驱动电机企业（演示）": ("广东省深圳市", None, "演示数据：新能源汽车驱动电机供应商", False),
    "上海某电控企业（演示）": ("上海市", None, "演示数据：电机控制器、整车控制器供应商", False),
    "大连某变压吸附设备企业（演示）": ("辽宁省大连市", None, "演示数据：氢气纯化（变压吸附）设备供应商", False),
    "中材大力": ("山东省济宁市嘉祥县", "370829", "004 二(四)2：嘉祥中材大力氢能储运装备制造等项目", True),
    "北京某储氢瓶企业（演示）": ("北京市", None, "演示数据：车载储氢瓶供应商", False),
    "上海某燃料电池电堆企业（演示）": ("上海市", None, "演示数据：氢燃料电池电堆供应商", False),
    "宁夏某单晶硅企业（演示）": ("宁夏回族自治区银川市", None, "演示数据：单晶硅供应商", False),
    "上海某硅片企业（演示）": ("上海市", None, "演示数据：晶圆片供应商", False),
    "厦门某外延片企业（演示）": ("福建省厦门市", None, "演示数据：外延片供应商", False),
    "北京某碳化硅衬底企业（演示）": ("北京市", None, "演示数据：碳化硅、氮化镓衬底供应商", False),
    "无锡某封装测试企业（演示）": ("江苏省无锡市", None, "演示数据：功率器件封装测试", False),
    "四川某稀土精矿企业（演示）": ("四川省凉山彝族自治州", None, "演示数据：稀土精矿供应商", False),
    "包头某稀土冶炼分离企业（演示）": ("内蒙古自治区包头市", None, "演示数据：稀土氧化物供应商", False),
    "赣州某稀土分离企业（演示）": ("江西省赣州市", None, "演示数据：中重稀土氧化物供应商", False),
    "淄博某氯碱企业（演示）": ("山东省淄博市", "370300", "演示数据：液氯、烧碱供应商", False),
    "唐山某煤焦油加工企业（演示）": ("河北省唐山市", None, "演示数据：工业萘、煤焦油馏分供应商", False),
    "南京某树脂企业（演示）": ("江苏省南京市", None, "演示数据：涂料用树脂、乳液供应商", False),
    # The provincial chain's companies (all generated)
    "青岛某轨道交通整车企业（演示）": ("山东省青岛市", "370200", "演示数据：动车组、城轨车辆整车", False),
    "青岛某转向架企业（演示）": ("山东省青岛市", "370200", "演示数据：转向架", False),
    "青岛某制动系统企业（演示）": ("山东省青岛市", "370200", "演示数据：制动系统", False),
    "江苏某铝型材企业（演示）": ("江苏省常州市", None, "演示数据：车体铝合金型材", False),
    "株洲某牵引系统企业（演示）": ("湖南省株洲市", None, "演示数据：牵引变流器、牵引电机", False),
    "北京某制动系统企业（演示）": ("北京市", None, "演示数据：制动控制装置", False),
    "北京某列车控制企业（演示）": ("北京市", None, "演示数据：列车网络控制与信号系统", False),
}

EQUIPMENT = (JN, "high-end-equipment")

CHAINS: tuple[ChainSpec, ...] = (
    ChainSpec(
        "JN-GCJX", "工程机械产业链", "370800", (EQUIPMENT,), "004 二(一)2",
        "打造“产品设计—关键零部件生产—系统集成—整机装配—产品营销(租赁)—服务支持—产品再制造”工程机械产业链，"
        "做强整机，提升现有配套企业产品质量和产能（004 二(一)2）；加大发动机、液压件、齿轮、桥箱等核心零部件的"
        "研发招引（二(一)3）。",
        "山推股份", "济宁高新区主要负责同志（演示）", ("山推股份", "山重建机", "小松山推"),
        (
            Seg("U1", "产品设计", UP, "7491", SERVICE, note="004 二(一)3：加快建设山重集团研究院，打造集产品研发、设计、"
                "试制、实验于一体的综合性研发平台",
                places=(Place("山重集团", LD, "工程机械研发设计（山重集团研究院）"),)),
            Seg("U2", "关键零部件生产", UP, note="004 二(一)3：加强对铸造件等基础部件研发和质量提升",
                places=(Place("联诚集团", SP, "铸造件、结构件", policy=False), Place("临沂某铸造企业（演示）", SP, "铸件")),
                volume=3000, local=75),
            Seg("U2.1", "发动机", UP, "3412", note="004 二(一)3 补链：加大发动机…的研发招引",
                places=(Place("潍坊某柴油发动机企业（演示）", SP, "工程机械用柴油发动机"),), volume=2200),
            Seg("U2.2", "液压件", UP, "3444", note="004 二(一)2：二通插装阀、高性能多路阀；二(一)3 补链：液压件",
                places=(Place("泰丰智能", LD, "二通插装阀、高性能多路阀"),
                        Place("常州某液压件企业（演示）", SP, "液压泵、液压油缸")), volume=3600, local=40),
            Seg("U2.3", "齿轮", UP, "3453", note="004 二(一)3 补链：齿轮",
                places=(Place("杭州某齿轮箱企业（演示）", SP, "齿轮、变速箱"),), volume=800),
            Seg("U2.4", "桥箱", UP, note="004 二(一)3 补链：桥箱",
                places=(Place("徐州某驱动桥企业（演示）", SP, "驱动桥"),), volume=1200),
            Seg("M1", "系统集成", MID, "3514",
                places=(Place("山推股份", CL, "传动、液压与电控系统集成"), Place("泰丰智能", LD, "液压系统集成"))),
            Seg("M2", "整机装配", MID, "3514", note="004 二(一)2：全液压推土机、挖掘机、高端智能工程机械、大型矿用工程机械",
                places=(Place("山推股份", CL, "全液压推土机、大型矿用工程机械"), Place("山重建机", LD, "挖掘机"),
                        Place("小松山推", LD, "挖掘机、推土机"))),
            Seg("M2.1", "新能源工程机械", MID, "3514", extension=True, note="004 二(一)2：重点发展…新能源工程机械"),
            Seg("M2.2", "无人驾驶智能机械", MID, "3514", extension=True, note="004 二(一)2：重点发展…无人驾驶智能机械"),
            Seg("D1", "产品营销(租赁)", DOWN, "7113", SERVICE,
                places=(Place("山重建机", LD, "整机销售与融资租赁"),)),
            Seg("D2", "服务支持", DOWN, "4330", SERVICE, note="售后维修、配件供应、施工服务"),
            Seg("D3", "产品再制造", DOWN, kind=SERVICE, extension=True,
                note="004 二(一)2：产业链的末端环节，本地尚未形成"),
        ),
    ),
    ChainSpec(
        "JN-NJZB", "农机装备产业链", "370812", (EQUIPMENT,), "004 二(一)2",
        "打造“零部件制造—农机整机制造—农机作业服务—农机衍生服务—林牧渔市场发展”农机装备产业链；积极向种植、植保、"
        "干燥与仓储、秸秆处理与应用、畜禽养殖等高附加值领域扩展（004 二(一)2）；加大发动机、链条、齿轮、轴承、齿轮泵、"
        "铆焊件、多路阀及智能控制系统的研发招引（二(一)3）。",
        "联诚集团", "兖州区主要负责同志（演示）", ("联诚集团", "金大丰机械", "国丰机械"),
        (
            Seg("U1", "零部件制造", UP, "3576", places=(Place("联诚集团", CL, "农机铸件、覆盖件等零部件"),
                                                  Place("临沂某铸造企业（演示）", SP, "铸件")),
                volume=3500, local=80, buyers=("金大丰机械", "国丰机械")),
            Seg("U1.1", "发动机", UP, "3412", note="004 二(一)3 补链：发动机",
                places=(Place("潍坊某柴油发动机企业（演示）", SP, "拖拉机用柴油发动机"),), volume=2400),
            Seg("U1.2", "链条、齿轮和轴承", UP, "3451,3453", note="004 二(一)3 补链：链条、齿轮、轴承",
                places=(Place("洛阳某轴承企业（演示）", SP, "轴承、链条"), Place("杭州某齿轮箱企业（演示）", SP, "齿轮")),
                volume=1000),
            Seg("U1.3", "齿轮泵和多路阀", UP, "3444", note="004 二(一)3 补链：齿轮泵、多路阀",
                places=(Place("泰丰智能", SP, "多路阀", policy=False), Place("常州某液压件企业（演示）", SP, "齿轮泵")),
                volume=900, local=45),
            Seg("U1.4", "铆焊件", UP, "3311", note="004 二(一)3 补链：铆焊件",
                places=(Place("临沂某铆焊件企业（演示）", SP, "机架、铆焊结构件"),), volume=600),
            Seg("U1.5", "智能控制系统", UP, note="004 二(一)2：基于北斗导航的自动驾驶系统；二(一)3 补链：智能控制系统",
                places=(Place("北京某北斗导航企业（演示）", SP, "北斗自动驾驶系统"),), volume=700),
            Seg("M1", "农机整机制造", MID, "3571,3572",
                note="004 二(一)2：大型拖拉机、大型高效配套农机具、宽幅联合耕整机械、高效复式机械、兼收机械、复式耕种播种机械",
                places=(Place("金大丰机械", LD, "大型拖拉机、宽幅联合耕整机械"), Place("国丰机械", LD, "收获机械、兼收机械"),
                        Place("联诚集团", CL, "复式耕种播种机械"))),
            Seg("M1.1", "植保机械", MID, "3572", extension=True, note="004 二(一)2：积极向…植保…等高附加值领域扩展"),
            Seg("M1.2", "干燥与仓储设备", MID, "3579", extension=True, note="004 二(一)2：积极向…干燥与仓储…扩展"),
            Seg("M1.3", "秸秆处理与应用机械", MID, "3572", extension=True, note="004 二(一)2：积极向…秸秆处理与应用…扩展"),
            Seg("M1.4", "畜禽养殖机械", MID, "3574", extension=True, note="004 二(一)2：积极向…畜禽养殖等…扩展"),
            Seg("D1", "农机作业服务", DOWN, "0512", SERVICE),
            Seg("D2", "农机衍生服务", DOWN, "7112", SERVICE, note="租赁、维修、检验检测（004 二(一)3：建设农机检验检测公共服务平台）"),
            Seg("D3", "林牧渔市场发展", DOWN, kind=SERVICE),
        ),
    ),
    ChainSpec(
        "JN-XNYQC-SD", "新能源汽车“三电”产业链", "370800", ((JN, "new-energy"), EQUIPMENT), "004 二(一)2",
        "大力引进新能源汽车整车生产制造，围绕纯电动汽车完善电池、电机、电控“三电”核心部件项目，围绕氢能源汽车布局电堆、"
        "空压机、储气罐等核心部件项目（004 二(一)2）；围绕德朗能、中北润良打造新能源汽车电池产业基地，推动电动消防车、"
        "环卫车、防爆车等新能源特种车辆研发制造规模化（二(四)2）。",
        "德朗能", "济宁经开区主要负责同志（演示）", ("重汽商用车", "东岳专用汽车"),
        (
            Seg("U1", "动力电池", UP, "3841", note="004 二(四)2：打造新能源汽车电池产业基地",
                places=(Place("德朗能", CL, "动力锂电池"), Place("中北润良", LD, "动力电池系统"),
                        Place("常州某电芯企业（演示）", SP, "电芯")), volume=5000, local=62),
            Seg("U2", "驱动电机", UP, "3812", note="004 二(一)2 补链：完善电池、电机、电控“三电”核心部件项目",
                places=(Place("深圳某驱动电机企业（演示）", SP, "永磁同步驱动电机"),), volume=1800),
            Seg("U3", "电控系统", UP, "3670", note="004 二(一)2：汽车传感器、电子水阀、高端智能电气控制元器件",
                places=(Place("天博汽配", BB, "汽车传感器、电子水阀、电气控制元器件"),
                        Place("上海某电控企业（演示）", SP, "电机控制器、整车控制器")), volume=1600, local=30),
            Seg("U4", "氢燃料电池汽车核心部件", UP, "3849", extension=True,
                note="004 二(一)2：围绕氢能源汽车布局电堆、空压机、储气罐等核心部件项目"),
            Seg("M1", "新能源汽车整车", MID, "3612", note="004 二(一)2：大力引进新能源汽车整车生产制造"),
            Seg("M2", "新能源专用车", MID, "3612", note="004 二(四)2：电动消防车、环卫车、防爆车等新能源特种车辆",
                places=(Place("重汽商用车", LD, "新能源重型卡车"), Place("东岳专用汽车", LD, "电动环卫车、消防车"))),
            Seg("D1", "充电设施", DOWN, note="004 二(四)2：储能电池、输变电设备、智能充电桩等储能装备产业",
                places=(Place("莱特光电", LD, "智能充电桩"),)),
        ),
    ),
    ChainSpec(
        "JN-QN", "氢能产业链", "370800", ((JN, "new-energy"),), "004 二(四)",
        "布局氢能源研发与应用产业链，重点抓好山能新能源研发创新中心、邹城荣信煤化“氢气岛”、嘉祥中材大力氢能储运装备"
        "制造等项目（004 二(四)2）；积极招引和培育氢燃料电池及其关键零部件产业项目，形成制氢、纯化、储运、加氢站、"
        "氢能多联供的完整产业链条（二(四)3）。",
        "荣信煤化", "市能源局主要负责同志（演示）", ("荣信煤化", "山能"),
        (
            Seg("U1", "氢能研发", UP, "7320", SERVICE, note="004 二(四)2：山能新能源研发创新中心",
                places=(Place("山能", LD, "氢能研发（山能新能源研发创新中心）"),)),
            Seg("U2", "制氢", UP, "2619", note="004 二(四)2：邹城荣信煤化“氢气岛”",
                places=(Place("荣信煤化", CL, "焦炉煤气制氢"), Place("山能", LD, "煤制氢"))),
            Seg("U3", "纯化", UP, "2619", note="004 二(四)3：制氢、纯化、储运、加氢站",
                places=(Place("荣信煤化", CL, "氢气纯化"), Place("大连某变压吸附设备企业（演示）", SP, "变压吸附纯化装置")),
                volume=800),
            Seg("M1", "储运", MID, "3332", note="004 二(四)2：嘉祥中材大力氢能储运装备制造等项目",
                places=(Place("中材大力", SP, "氢能储运装备"), Place("北京某储氢瓶企业（演示）", SP, "储氢瓶")),
                volume=2000, local=70),
            Seg("M2", "氢燃料电池及关键零部件", MID, "3849", note="004 二(四)3：积极招引和培育氢燃料电池及其关键零部件产业项目",
                places=(Place("上海某燃料电池电堆企业（演示）", SP, "燃料电池电堆"),), volume=1000),
            Seg("D1", "加氢站", DOWN, "5265", SERVICE, note="004 二(四)3：制氢、纯化、储运、加氢站"),
            Seg("D2", "氢能多联供", DOWN, "4430", SERVICE, extension=True, note="004 二(四)3：…加氢站、氢能多联供的完整产业链条"),
        ),
    ),
    ChainSpec(
        "JN-DSDBDT", "第三代半导体产业链", "370800", ((JN, "ngit"),), "004 二(三)2",
        "依托纬世特新材料、远山新材料、加睿晶欣新材料等企业优势，重点做大单晶硅、晶圆片、外延片等上游半导体材料，延链"
        "发展中游曲阜晶导微电子、兖州芯诺电子半导体分立器件、功率器件及功能芯片（004 二(三)2）；补链发展先进衬底制备、"
        "先进器件封装、高频大功率器件，延链发展芯片设计制造、终端产品研发设计及终端产品应用（二(三)3）。",
        "晶导微电子", "济宁高新区主要负责同志（演示）", ("晶导微电子", "芯诺电子"),
        (
            Seg("U1", "单晶硅", UP, "3985", places=(Place("纬世特新材料", LD, "单晶硅"), Place("宁夏某单晶硅企业（演示）", SP, "单晶硅棒")),
                volume=1500, local=65),
            Seg("U2", "晶圆片", UP, "3985", places=(Place("远山新材料", LD, "晶圆片"), Place("上海某硅片企业（演示）", SP, "硅片")),
                volume=2000, local=45),
            Seg("U3", "外延片", UP, "3985", places=(Place("加睿晶欣新材料", LD, "外延片"),
                                                 Place("厦门某外延片企业（演示）", SP, "外延片")), volume=1200, local=50),
            Seg("U4", "先进衬底制备", UP, "3985", note="004 二(三)3 补链：先进衬底制备",
                places=(Place("北京某碳化硅衬底企业（演示）", SP, "碳化硅衬底"),), volume=1000),
            Seg("M1", "分立器件和功率器件", MID, "3972", note="004 二(三)2：半导体分立器件、功率器件及功能芯片",
                places=(Place("晶导微电子", CL, "半导体分立器件、功率器件"), Place("芯诺电子", LD, "分立器件、功能芯片"))),
            Seg("M2", "高频大功率器件", MID, "3972", note="004 二(三)3 补链：高频大功率器件"),
            Seg("M3", "先进器件封装", MID, "3973", note="004 二(三)3 补链：先进器件封装",
                places=(Place("无锡某封装测试企业（演示）", SP, "功率器件封装测试"),), volume=900),
            Seg("M4", "芯片设计制造", MID, "6520,3973", extension=True, note="004 二(三)3 延链：芯片设计制造"),
            Seg("D1", "终端产品研发设计及应用", DOWN, extension=True, note="004 二(三)3 延链：终端产品研发设计及终端产品应用"),
        ),
    ),
    ChainSpec(
        "JN-XT", "稀土产业链", "370800", ((JN, "new-materials"),), "004 二(五)",
        "依托微山稀土矿和钢研稀土、梁山中稀天马和南稀金石等企业，重点突破高性能稀土功能材料与器件（004 二(五)2）；"
        "积极争取打造从稀土开采到稀土功能材料开发、资源综合利用的产业链条（二(五)3）。供应关系只知家数、不知金额"
        "（演示按家数计算本地配套率）。",
        "钢研稀土", "微山县主要负责同志（演示）", ("中稀天马", "南稀金石"),
        (
            Seg("U1", "稀土开采", UP, "0932", note="004 二(五)2：微山稀土矿",
                places=(Place("钢研稀土", LD, "稀土精矿"), Place("四川某稀土精矿企业（演示）", SP, "稀土精矿")),
                volume=1, local=50, counted=True),
            Seg("U2", "冶炼分离", UP, "3232", places=(Place("中稀天马", LD, "稀土氧化物"),
                                                  Place("包头某稀土冶炼分离企业（演示）", SP, "稀土氧化物"),
                                                  Place("赣州某稀土分离企业（演示）", SP, "中重稀土氧化物")),
                volume=1, local=34, counted=True, buyers=("南稀金石",)),
            Seg("U3", "稀土金属及合金", UP, "3232", places=(Place("南稀金石", LD, "稀土金属、合金"),)),
            Seg("M1", "稀土功能材料", MID, note="004 二(五)2：重点突破高性能稀土功能材料与器件"),
            Seg("M1.1", "稀土永磁材料", MID, note="004 二(五)2：高性能稀土功能材料"),
            Seg("M1.2", "稀土催化、发光和抛光材料", MID, note="004 二(五)2：高性能稀土功能材料"),
            Seg("M2", "稀土功能器件", MID, extension=True, note="004 二(五)2：重点突破高性能稀土功能材料与器件"),
            Seg("D1", "稀土资源综合利用", DOWN, "4210", extension=True,
                note="004 二(五)3：打造从稀土开采到稀土功能材料开发、资源综合利用的产业链条"),
        ),
    ),
    ChainSpec(
        "JN-GDHG", "高端化工产业链", "370800", ((JN, "high-end-chemical"),), "004 二(二)",
        "以煤化工、精细化工、生物化工、化工新材料为重点，进一步延伸煤焦油深加工、甲醇原料深加工、氯气就地转化等产业链"
        "（004 二(二)2）；发展面向半导体、生物医药的高附加值化学助剂、催化剂以及医药中间体等精细化工产品（二(二)3）。",
        "荣信煤化", "市工业和信息化局主要负责同志（演示）", ("天成化工", "凯米拉"),
        (
            Seg("U1", "煤焦化", UP, "2521", note="004 二(二)2：邹城化工产业园，延伸煤焦化产业链",
                places=(Place("荣信煤化", CL, "焦炭、焦炉煤气"), Place("盛发焦化", BB, "焦炭"))),
            Seg("U2", "焦炉煤气综合利用", UP, "2614", note="004 二(二)2：依托鲁泰化学、盛发焦化等骨干企业，推动焦炉煤气综合利用",
                places=(Place("鲁泰化学", BB, "焦炉煤气制化学品"),)),
            Seg("U3", "氯碱", UP, "2612", note="004 二(二)2：汶上化工产业园，依托中银电化及配套企业",
                places=(Place("中银电化", LD, "烧碱、液氯"), Place("淄博某氯碱企业（演示）", SP, "液氯")),
                volume=2000, local=55),
            Seg("M1", "甲醇原料深加工", MID, "2614", extension=True, note="004 二(二)2：进一步延伸…甲醇原料深加工"),
            Seg("M2", "煤焦油深加工", MID, "2614", extension=True, note="004 二(二)2：进一步延伸煤焦油深加工",
                places=(Place("唐山某煤焦油加工企业（演示）", SP, "工业萘"),), volume=1500, buyers=("世纪阳光",)),
            Seg("M3", "氯气就地转化", MID, "2651", extension=True,
                note="004 二(二)2：氯气就地转化；乙烯法ＰＶＣ、聚偏二氯乙烯、氯化聚氯乙烯等项目"),
            Seg("D1", "医药中间体", DOWN, note="004 二(二)2：支持朗恒化学、艾孚特科技等企业研发高端医药中间体",
                places=(Place("朗恒化学", LD, "高端医药中间体"), Place("艾孚特科技", LD, "医药中间体"))),
            Seg("D2", "萘系有机颜料", DOWN, "2644", note="004 二(二)2：培育壮大以世纪阳光为龙头的萘系列有机颜料产业集群",
                places=(Place("世纪阳光", LD, "萘系列有机颜料"),)),
            Seg("D3", "造纸助剂和光气化产品", DOWN, "2661", note="004 二(二)2：光气化产品、高端ＡＫＤ造纸助剂、水处理化学品",
                places=(Place("天成化工", LD, "光气化产品"), Place("凯米拉", LD, "ＡＫＤ造纸助剂、水处理化学品"))),
            Seg("D4", "涂料", DOWN, "2641", note="004 二(二)2：水性乳液涂料、粉末涂料、高固体分子涂料、ＬＩＰＮ涂料及光固化涂料",
                places=(Place("新翔新材料", BB, "水性乳液涂料"), Place("天佳化工", BB, "粉末涂料"),
                        Place("亿尚新材料", BB, "光固化涂料"))),
            Seg("D5", "化工新材料", DOWN, "2659", note="004 二(二)2：氟硅新材料、特种工程塑料、橡胶助剂、胶粘剂",
                places=(Place("键兴新材料", LD, "氟硅新材料"), Place("硅科新材料", LD, "硅烷偶联剂"),
                        Place("衡兴新材料", LD, "特种工程塑料"), Place("如鲲新材料", LD, "胶粘剂"),
                        Place("南京某树脂企业（演示）", SP, "涂料用树脂")),
                volume=2500, local=55, buyers=("新翔新材料", "天佳化工", "亿尚新材料")),
            Seg("D6", "电子化学品", DOWN, note="004 二(二)3：发展面向半导体…的高附加值化学助剂"),
            Seg("D7", "高端催化剂", DOWN, "2661", note="004 二(二)2：培育中科新材料、洲蓝环保等企业…形成高端催化剂",
                places=(Place("中科新材料", LD, "高端催化剂"), Place("洲蓝环保", LD, "环保新材料"))),
        ),
    ),
    ChainSpec(
        "QD-GDJT", "青岛轨道交通装备产业链（演示）", "370200",
        (("SD-SEI-2020", "qingdao-rail-transit"), ("SD-2023-185", "rail-transit")), "002 一(三)",
        "演示数据：青岛轨道交通装备国家级战略性新兴产业集群（002 一(三)）的示意产业链。文件未列环节和企业，环节、企业"
        "和供应关系均为生成的演示数据。",
        None, "青岛市主要负责同志（演示）", ("青岛某轨道交通整车企业（演示）",),
        (
            Seg("U1", "车体材料", UP, "3252", places=(Place("南山铝业", SP, "车体铝合金型材", policy=False),
                                                 Place("江苏某铝型材企业（演示）", SP, "铝合金型材")), volume=3000),
            Seg("U2", "转向架", UP, "3714", places=(Place("青岛某转向架企业（演示）", SP, "转向架"),), volume=4000, local=75),
            Seg("U3", "牵引系统", UP, "3714", places=(Place("株洲某牵引系统企业（演示）", SP, "牵引变流器、牵引电机"),),
                volume=2500),
            Seg("U4", "制动系统", UP, "3714", places=(Place("青岛某制动系统企业（演示）", SP, "制动系统"),
                                                 Place("北京某制动系统企业（演示）", SP, "制动控制装置")),
                volume=2000, local=50),
            Seg("U5", "网络控制与信号系统", UP, "3716", places=(Place("北京某列车控制企业（演示）", SP, "列车网络控制系统"),),
                volume=1500),
            Seg("M1", "整车制造", MID, "3711,3720", places=(Place("青岛某轨道交通整车企业（演示）", LD, "动车组、城轨车辆"),)),
            Seg("D1", "运维检修", DOWN, "4330", SERVICE),
            Seg("D2", "智能运维服务", DOWN, kind=SERVICE, extension=True),
        ),
        target_clause="001 二(三)2：集群主导产品本地配套率达到50%左右", generated=True,
    ),
)

# The demo projects (jiqun.projects.demo) linked to the segment they fill: (project code, chain code, segment code)
PROJECT_LINKS: tuple[tuple[str, str, str], ...] = (
    ("370883-2023-0002", "JN-QN", "U2"),  # 邹城荣信煤化“氢气岛”项目 (开工)
    ("370800-2024-0001", "JN-QN", "U1"),  # 山能新能源研发创新中心 (开工)
    ("370883-2022-0001", "JN-GDHG", "M1"),  # 荣信煤化甲醇制乙醇项目 (竣工)
    ("370200-2024-0001", "QD-GDJT", "U2"),  # 青岛轨道交通装备配套产业园项目 (投产)
)

# The gaps the demo promises (docs/chains-demo.md; the 招引名录 demo attaches its entries to them): per chain, the
# segment codes rated 缺 (missing: no local enterprise, no project), 弱 (weak: one local enterprise, too little
# bought locally, or supplied from outside only) and 延链 (extension segments the chain does not reach yet).
PROMISED_GAPS: dict[str, dict[str, tuple[str, ...]]] = {
    "JN-GCJX": {"missing": ("U2.1", "U2.3", "U2.4", "D2"), "weak": ("U1", "U2.2", "D1"),
                "extension": ("M2.1", "M2.2", "D3")},
    "JN-NJZB": {"missing": ("U1.1", "U1.2", "U1.4", "U1.5"), "weak": ("U1.3",),
                "extension": ("M1.1", "M1.2", "M1.3", "M1.4")},
    "JN-XNYQC-SD": {"missing": ("U2", "M1"), "weak": ("U3", "D1"), "extension": ("U4",)},
    "JN-QN": {"missing": ("M2", "D1"), "weak": ("U3",), "extension": ("D2",)},
    "JN-DSDBDT": {"missing": ("U4", "M2", "M3"), "weak": ("U1", "U2", "U3"), "extension": ("M4", "D1")},
    "JN-XT": {"missing": ("M1.1", "M1.2"), "weak": ("U1", "U2", "U3"), "extension": ("M2", "D1")},
    "JN-GDHG": {"missing": ("D6",), "weak": ("U2", "D2"), "extension": ("M1", "M2", "M3")},
    "QD-GDJT": {"missing": ("U3", "U5"), "weak": ("U2",), "extension": ("D2",)},
}
