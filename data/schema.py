"""Canonical dataset kinds: the contract between ingest and analytics (DESIGN.md §3).

Each kind has typed fields. Ingest maps source columns onto these fields (by synonym, or by the
user's override), converts values to the field's type, and keeps unmapped columns as attributes.
Analytics receive a pandas DataFrame whose columns are the canonical field names (every field of the
kind is present, missing ones filled with NA) plus one column per kept attribute, named
``attr_<sanitised source column name>``.

Types:
    str       text (object / string dtype)
    float     number (float64); amounts, rates, prices
    int       whole number (float64 in frames so NA fits; integer-valued)
    datetime  pandas datetime64[ns] (naive, local time of the export)
    bool      True/False (boolean dtype with NA)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ATTR_PREFIX = "attr_"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "str" | "float" | "int" | "datetime" | "bool"
    synonyms: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    fields: tuple[Field, ...]
    # Each entry is a group of alternatives; at least one field of every group must be mapped.
    required: tuple[tuple[str, ...], ...]
    # Fields that ingest generates when absent (e.g. order_id: each line its own order).
    generated: tuple[str, ...] = ()
    description: str = ""
    field_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", tuple(f.name for f in self.fields))

    def field(self, name: str) -> Field:
        """The field named ``name`` (KeyError when the kind has none).

        Parameters
        ----------
        name : str
            The field's name.

        Returns
        -------
        Field
            The field.
        """
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def F(name: str, type_: str, *synonyms: str, description: str = "") -> Field:
    """A :class:`Field` (shorthand for the kind tables).

    Parameters
    ----------
    name : str
        The canonical field name.
    type_ : str
        "str", "float", "int", "datetime" or "bool".
    description : str
        What the field holds.
    *synonyms : str
        Header synonyms.

    Returns
    -------
    Field
        The field.
    """
    return Field(name=name, type=type_, synonyms=tuple(synonyms), description=description)


ORDERS = Kind(
    name="orders",
    description="Order lines: one row per product line of an order.",
    fields=(
        F("order_id", "str", "InvoiceNo", "Invoice", "order id", "order no", "order number", "订单号",
          "订单编号", "订单ID", "主订单编号", "子订单编号", "交易号"),
        F("order_date", "datetime", "InvoiceDate", "date", "order date", "order time", "created at",
          "purchase date", "day", "下单时间", "支付时间", "付款时间", "订单创建时间", "创建时间", "成交时间",
          "日期", "下单日期"),
        F("customer_id", "str", "CustomerID", "customer", "customer id", "user id", "buyer id",
          "member id", "client id", "买家ID", "用户ID", "会员ID", "客户ID", "买家昵称", "买家会员名",
          "顾客ID"),
        F("product_id", "str", "StockCode", "sku", "sku id", "product id", "item id", "商品ID", "商品编号",
          "商品编码", "货号", "SKU编码", "宝贝ID",
          "auction id"),
        F("product_name", "str", "Description", "product", "product name", "item", "item name", "title",
          "商品名称", "商品标题", "宝贝标题", "商品"),
        F("category", "str", "category", "product category", "category id", "cat id", "类目", "品类", "商品类目", "分类", "一级类目"),
        F("quantity", "float", "Quantity", "qty", "units", "buy mount", "数量", "购买数量", "商品数量", "件数"),
        F("unit_price", "float", "UnitPrice", "price", "unit price", "单价", "商品单价", "价格"),
        F("amount", "float", "amount", "revenue", "sales", "GMV", "total", "line total", "paid amount",
          "实付金额", "买家实际支付金额", "成交金额", "支付金额", "订单金额", "销售额", "实收金额", "金额"),
        F("discount", "float", "discount", "discount amount", "coupon", "优惠金额", "折扣", "优惠", "折扣金额"),
        F("channel", "str", "channel", "source", "traffic source", "platform", "渠道", "来源", "流量来源",
          "平台", "销售渠道"),
        F("region", "str", "Country", "region", "province", "state", "省份", "收货省份", "地区", "区域",
          "收货地址省份"),
        F("city", "str", "city", "城市", "收货城市"),
        F("status", "str", "status", "order status", "订单状态", "状态", "退款状态", "售后状态"),
        F("campaign", "str", "campaign", "promotion", "activity", "活动", "营销活动", "活动名称"),
    ),
    # money (amount, or unit_price x quantity) or, for an export with no money at all (Tianchi's
    # mum-and-baby trade history), the quantity: such a dataset has no amount (see has_money)
    required=(("order_date",), ("amount", "unit_price", "quantity")),
    generated=("order_id",),
)

# The orders fields that hold money; an orders mapping with none of them is a quantity-only export.
MONEY_FIELDS = ("amount", "unit_price")


def has_money(mapped) -> bool:
    """Whether an orders mapping (or a dataset's filled ``fields``) holds money: an amount or a unit price.

    Parameters
    ----------
    mapped
        Mapped field names.

    Returns
    -------
    bool
        True when it has.
    """
    return any(f in mapped for f in MONEY_FIELDS)

CUSTOMERS = Kind(
    name="customers",
    description="One row per customer with demographics and membership.",
    fields=(
        F("customer_id", "str", "CustomerID", "customer", "customer id", "user id", "member id", "buyer id",
          "买家ID", "用户ID", "会员ID", "客户ID", "顾客ID"),
        F("gender", "str", "gender", "sex", "性别"),
        F("age", "float", "age", "年龄"),
        F("birth_year", "int", "birth year", "year of birth", "出生年份", "出生年"),
        F("region", "str", "region", "province", "country", "state", "省份", "地区"),
        F("city", "str", "city", "城市"),
        F("city_tier", "str", "city tier", "城市等级", "城市级别", "城市线级"),
        F("signup_date", "datetime", "signup date", "registration date", "join date", "registered at",
          "注册时间", "注册日期", "入会时间"),
        F("member_level", "str", "member level", "membership", "tier", "level", "会员等级", "会员级别"),
        F("occupation", "str", "occupation", "job", "职业"),
        F("income", "float", "income", "收入", "月收入"),
        F("interests", "str", "interests", "tags", "interest tags", "兴趣标签", "兴趣", "标签"),
        F("acquisition_channel", "str", "acquisition channel", "source", "first channel", "获客渠道",
          "来源渠道", "注册渠道"),
        F("points", "float", "points", "积分", "会员积分"),
    ),
    required=(("customer_id",),),
)

CHANNELS = Kind(
    name="channels",
    description="Ad / channel performance: one row per channel (and campaign, date) with spend and results.",
    fields=(
        F("date", "datetime", "date", "day", "日期", "时间"),
        F("channel", "str", "channel", "platform", "media", "publisher", "平台", "媒体", "渠道", "投放平台"),
        F("campaign", "str", "campaign", "campaign name", "ad group", "adset", "计划", "广告计划", "广告组",
          "计划名称"),
        F("spend", "float", "spend", "cost", "Spent", "amount spent", "消耗", "花费", "消费", "广告花费",
          "投放金额"),
        F("impressions", "float", "impressions", "impr", "展现", "曝光", "展现量", "曝光量"),
        F("clicks", "float", "clicks", "link clicks", "点击", "点击量", "点击数"),
        F("conversions", "float", "conversions", "orders", "purchases", "results", "转化数", "成交订单数",
          "转化量", "订单数"),
        F("revenue", "float", "revenue", "conversion value", "purchase value", "sales", "成交金额",
          "支付GMV", "GMV", "转化金额", "销售额"),
        F("video_views", "float", "video views", "views", "plays", "播放量", "观看量", "播放数"),
        F("likes", "float", "likes", "点赞", "点赞数"),
        F("comments", "float", "comments", "评论", "评论数"),
        F("shares", "float", "shares", "分享", "转发", "分享数"),
        F("followers_gained", "float", "followers gained", "new followers", "follows", "涨粉", "新增粉丝",
          "涨粉数"),
    ),
    required=(("channel",), ("spend",)),
)

COMPETITORS = Kind(
    name="competitors",
    description="Competitor price and activity observations.",
    fields=(
        F("date", "datetime", "date", "日期", "时间", "采集时间"),
        F("competitor", "str", "competitor", "brand", "shop", "store", "seller", "竞品", "品牌", "店铺",
          "竞品品牌"),
        F("product", "str", "product", "item", "product name", "sku", "商品", "商品名称", "产品"),
        F("category", "str", "category", "类目", "品类"),
        F("price", "float", "price", "final price", "sale price", "到手价", "售价", "价格", "成交价"),
        F("list_price", "float", "list price", "original price", "msrp", "原价", "吊牌价", "标价"),
        F("promo", "str", "promo", "promotion", "campaign", "deal", "促销", "活动", "促销活动"),
        F("sales_volume", "float", "sales volume", "sales", "units sold", "销量", "月销量"),
        F("rating", "float", "rating", "score", "评分", "店铺评分"),
        F("reviews", "float", "reviews", "review count", "评论数", "评价数"),
        F("followers", "float", "followers", "fans", "粉丝数", "粉丝"),
        F("share", "float", "share", "market share", "份额", "市场份额"),
    ),
    required=(("date",), ("competitor",), ("price",)),
)

EXPERIMENTS = Kind(
    name="experiments",
    description="Campaign results per unit (customer) with the group each unit was assigned to.",
    fields=(
        F("unit_id", "str", "unit id", "customer_id", "customer id", "user id", "用户ID", "会员ID", "客户ID"),
        F("group", "str", "group", "segment", "arm", "variant", "treatment", "组别", "分组", "实验组"),
        F("converted", "bool", "converted", "conversion", "purchased", "转化", "是否转化", "是否购买"),
        F("revenue", "float", "revenue", "spend", "sales", "消费", "消费金额", "销售额"),
        F("visited", "bool", "visited", "visit", "访问", "是否访问"),
        F("pre_period_value", "float", "pre period value", "history", "pre spend", "历史消费", "前期消费"),
        F("exposure_date", "datetime", "exposure date", "send date", "date", "曝光日期", "发送日期"),
    ),
    required=(("group",),),
    generated=("unit_id",),
)

FEEDBACK = Kind(
    name="feedback",
    description="Ratings, NPS answers and comments.",
    fields=(
        F("date", "datetime", "date", "日期", "评价时间"),
        F("campaign", "str", "campaign", "活动"),
        F("channel", "str", "channel", "platform", "渠道", "平台"),
        F("customer_id", "str", "customer id", "user id", "买家ID", "用户ID"),
        F("rating", "float", "rating", "stars", "score", "评分", "星级"),
        F("nps", "float", "nps", "recommend", "likelihood to recommend", "推荐度", "推荐意愿"),
        F("comment", "str", "comment", "review", "text", "feedback", "评价内容", "评论", "评价", "留言"),
    ),
    required=(("rating", "nps", "comment"),),
)

MARKET = Kind(
    name="market",
    description="Market size series, optionally by segment, with own sales.",
    fields=(
        F("date", "datetime", "date", "month", "period", "日期", "月份"),
        F("segment", "str", "segment", "category", "细分市场", "类目", "品类"),
        F("market_size", "float", "market size", "market", "industry gmv", "行业规模", "大盘GMV",
          "市场规模", "行业GMV"),
        F("our_sales", "float", "our sales", "own sales", "brand sales", "本品销售额", "本品GMV", "我方销售额"),
    ),
    required=(("date",), ("market_size",)),
)

MEDIA_MIX = Kind(
    name="media_mix",
    description="Media-mix table (Robyn / Meridian layout): one row per period with the outcome and one "
    "spend column per channel; spend columns are kept as attributes named attr_<channel>.",
    fields=(
        F("date", "datetime", "date", "date_week", "week", "period", "日期", "周"),
        F("outcome", "float", "outcome", "y", "sales", "revenue", "kpi", "销售额", "成交金额", "GMV"),
    ),
    required=(("date",), ("outcome",)),
)

LIVE_SESSIONS = Kind(
    name="live_sessions",
    description="Live-room sessions (Douyin 直播数据 / Kuaishou / Taobao Live exports): one row per session.",
    fields=(
        F("session_id", "str", "session id", "session", "live id", "room id", "场次ID", "直播场次ID", "直播ID",
          "场次编号", "直播场次"),
        F("start_time", "datetime", "start time", "start", "live start", "开播时间", "直播开始时间", "开始时间",
          "开播日期"),
        F("duration", "float", "duration", "duration min", "live duration", "直播时长", "直播时长分钟", "时长",
          "开播时长", description="minutes"),
        F("host", "str", "host", "streamer", "anchor", "creator", "主播", "主播昵称", "达人", "达人昵称", "直播间",
          "直播间名称", "账号昵称"),
        F("platform", "str", "platform", "平台", "直播平台"),
        F("views", "float", "views", "watch count", "total views", "观看人次", "累计观看人次", "观看次数"),
        F("unique_viewers", "float", "unique viewers", "viewers", "uv", "观看人数", "累计观看人数", "场观"),
        F("peak_online", "float", "peak online", "peak viewers", "pcu", "最高在线", "最高在线人数", "在线人数峰值"),
        F("avg_watch_time", "float", "avg watch time", "average watch time", "人均观看时长", "人均观看时长秒",
          "平均观看时长", description="seconds"),
        F("product_exposures", "float", "product exposures", "product impressions", "商品曝光人数", "商品曝光次数",
          "商品曝光"),
        F("product_clicks", "float", "product clicks", "商品点击人数", "商品点击次数", "商品点击"),
        F("orders", "float", "orders", "paid orders", "成交订单数", "成交单数", "订单数"),
        F("buyers", "float", "buyers", "paying users", "成交人数", "购买人数", "支付人数"),
        F("gmv", "float", "gmv", "sales", "revenue", "成交金额", "直播间成交金额", "直播成交金额", "用户支付金额",
          "总成交金额", "销售额"),
        F("spend", "float", "ad spend", "spend", "千川消耗", "投流消耗", "千川投放消耗", "巨量千川消耗", "广告消耗",
          "投放消耗", "消耗"),
        F("followers_gained", "float", "followers gained", "new followers", "新增粉丝", "新增粉丝数", "涨粉", "涨粉数"),
        F("products", "float", "products", "product count", "sku count", "商品数", "上架商品数", "讲解商品数",
          "挂车商品数"),
    ),
    required=(("start_time",), ("gmv",)),
)

CREATORS = Kind(
    name="creators",
    description="Creator (达人 / KOL) deals: one row per deal (a session or a post) with its fee and results.",
    fields=(
        F("creator", "str", "creator", "influencer", "kol", "达人", "达人昵称", "达人名称", "博主", "主播昵称"),
        F("platform", "str", "platform", "平台", "合作平台"),
        F("followers", "float", "followers", "fans", "粉丝数", "粉丝量"),
        F("slot_fee", "float", "slot fee", "placement fee", "fixed fee", "坑位费", "服务费", "固定费用"),
        F("commission_rate", "float", "commission rate", "commission", "佣金比例", "佣金率", "佣金比率", "分佣比例"),
        F("date", "datetime", "date", "deal date", "合作日期", "合作时间", "直播日期", "开播时间", "日期"),
        F("session", "str", "session", "session id", "直播场次", "场次", "场次ID"),
        F("gmv", "float", "gmv", "sales", "revenue", "成交金额", "带货GMV", "支付GMV", "销售额"),
        F("orders", "float", "orders", "成交订单数", "订单数"),
        F("posts", "float", "posts", "videos", "发布作品数", "作品数", "视频数", "笔记数"),
    ),
    required=(("creator",), ("gmv",)),
)

CONTENT = Kind(
    name="content",
    description="Content items (short videos, live replays, notes, product cards): one row per item.",
    fields=(
        F("content_id", "str", "content id", "video id", "note id", "post id", "作品ID", "视频ID", "笔记ID", "内容ID",
          "素材ID"),
        F("date", "datetime", "date", "publish time", "published", "发布时间", "发布日期", "日期"),
        F("format", "str", "format", "content type", "type", "体裁", "内容形式", "内容类型", "作品类型", "形式"),
        F("creator", "str", "creator", "author", "达人", "达人昵称", "作者", "博主", "账号"),
        F("plays", "float", "plays", "views", "impressions", "reads", "播放量", "播放次数", "阅读量", "曝光量", "曝光",
          "曝光次数"),
        F("completion_rate", "float", "completion rate", "完播率"),
        F("likes", "float", "likes", "点赞", "点赞数", "点赞量"),
        F("comments", "float", "comments", "评论", "评论数"),
        F("shares", "float", "shares", "分享", "分享数", "转发", "转发数"),
        F("saves", "float", "saves", "favorites", "收藏", "收藏数"),
        F("clicks", "float", "clicks", "product clicks", "商品点击", "商品点击次数", "点击", "点击量"),
        F("orders", "float", "orders", "成交订单数", "订单数"),
        F("gmv", "float", "gmv", "sales", "成交金额", "销售额"),
        F("spend", "float", "spend", "cost", "消耗", "投放消耗", "加热消耗", "DOU+消耗", "薯条消耗"),
    ),
    required=(("content_id",), ("plays",)),
)

AUDIENCE = Kind(
    name="audience",
    description="Audience assets (品牌数据银行 AIPL, 巨量云图 O-5A): people per stage and date; optionally people "
    "who flowed from one stage to another (a flow row: from_stage, to_stage, flow; stage rows and flow rows "
    "may share one file).",
    fields=(
        F("date", "datetime", "date", "week", "period", "snapshot date", "日期", "统计日期", "时间", "周"),
        F("model", "str", "model", "audience model", "framework", "模型", "人群模型", "链路模型", "资产模型"),
        F("stage", "str", "stage", "audience stage", "funnel stage", "人群阶段", "阶段", "链路", "人群", "人群类型",
          "消费者阶段", "人群资产"),
        F("people", "float", "people", "audience size", "stage size", "人数", "人群规模",
          "人群数量", "消费者数", "资产规模", "用户数"),
        F("from_stage", "str", "from stage", "source stage", "流出阶段", "起始阶段", "来源阶段", "流转前"),
        F("to_stage", "str", "to stage", "target stage", "流入阶段", "目标阶段", "流转后"),
        F("flow", "float", "flow", "people flowed", "flowed", "flow people", "流转人数", "流转", "流转人群"),
    ),
    # a stage row (stage, people) or a flow row (from_stage, to_stage, flow)
    required=(("date",), ("stage", "from_stage"), ("people", "flow")),
)

# Audience stages of the two models, in funnel order: code -> the names platforms and people use for it
# (matched like headers, case-, space- and punctuation-insensitively, with a trailing 人群 / 人数 dropped).
AUDIENCE_STAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "AIPL": {
        "A": ("A", "Aware", "Awareness", "认知", "认知人群"),
        "I": ("I", "Interest", "Interested", "兴趣", "兴趣人群"),
        "P": ("P", "Purchase", "Purchased", "购买", "购买人群"),
        "L": ("L", "Loyalty", "Loyal", "忠诚", "忠诚人群"),
    },
    "O-5A": {
        "O": ("O", "Opportunity", "机会", "机会人群"),
        "A1": ("A1", "Aware", "Awareness", "了解", "了解人群"),
        "A2": ("A2", "Appeal", "吸引", "吸引人群"),
        "A3": ("A3", "Ask", "问询", "询问", "种草", "种草人群"),
        "A4": ("A4", "Act", "Action", "行动", "购买", "行动人群"),
        "A5": ("A5", "Advocate", "Advocacy", "拥护", "复购", "拥护人群"),
    },
}
AUDIENCE_MODELS = tuple(AUDIENCE_STAGES)

KINDS: dict[str, Kind] = {
    k.name: k for k in (ORDERS, CUSTOMERS, CHANNELS, COMPETITORS, EXPERIMENTS, FEEDBACK, MARKET, MEDIA_MIX,
                        LIVE_SESSIONS, CREATORS, CONTENT, AUDIENCE)
}


def normalise_header(text: object) -> str:
    """Case-, space- and punctuation-insensitive key for matching headers to synonyms.

    Parameters
    ----------
    text : object
        A header.

    Returns
    -------
    str
        The key.
    """
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\W_]+", "", s)


def attr_column(source_name: object) -> str:
    """Frame column name for an unmapped source column kept as an attribute.

    Parameters
    ----------
    source_name : object
        The source column's name.

    Returns
    -------
    str
        ``attr_<name>``.
    """
    s = unicodedata.normalize("NFKC", str(source_name)).strip()
    s = re.sub(r"[\s]+", "_", s)
    s = re.sub(r"[^\w]+", "", s) or "col"
    return ATTR_PREFIX + s


def is_satisfied(kind: Kind, mapped: set[str]) -> list[tuple[str, ...]]:
    """Return the required groups that `mapped` does not satisfy (empty list: all satisfied).

    Parameters
    ----------
    kind : Kind
        The dataset kind.
    mapped : set[str]
        The mapped fields.

    Returns
    -------
    list[tuple[str, ...]]
        The unsatisfied groups.
    """
    return [grp for grp in kind.required if not any(f in mapped for f in grp)]


# ---------------------------------------------------------------- audience stages (kind audience)


def _stage_key(text: object) -> str:
    k = normalise_header(text)
    for tail in ("人群", "人数", "stage"):
        if k.endswith(tail) and len(k) > len(tail):
            k = k[: -len(tail)]
    return k


_STAGE_INDEX: dict[str, dict[str, str]] = {
    m: {_stage_key(n): code for code, names in stages.items() for n in names} for m, stages in AUDIENCE_STAGES.items()
}


def audience_model(value: object) -> str | None:
    """"AIPL" or "O-5A" for a model name as exports write it (AIPL, 数据银行; O-5A, O5A, 5A, 云图), else None.

    Parameters
    ----------
    value : object
        A model cell or header (normalised as a header: case, spaces and punctuation ignored).

    Returns
    -------
    str | None
        "AIPL", "O-5A", or None when it names neither.
    """
    k = normalise_header(value)
    if not k:
        return None
    if "aipl" in k or "数据银行" in k:
        return "AIPL"
    if "5a" in k or "云图" in k:
        return "O-5A"
    return None


def stage_code(name: object, model: str | None = None) -> tuple[str, str] | None:
    """(model, code) of a stage name (认知 -> ("AIPL", "A"), 问询 -> ("O-5A", "A3")), None when unknown. A
    name both models use (Aware, 购买) belongs to ``model`` when given, else to AIPL. A code written before
    the name ("A3种草", "A 认知") is read too.

    Parameters
    ----------
    name : object
        The stage cell (a code, an English or Chinese name).
    model : str | None
        The model tried first ("AIPL" or "O-5A"; None or another value: AIPL, then O-5A).

    Returns
    -------
    tuple[str, str] | None
        (model, stage code), or None when the name is no stage.
    """
    k = _stage_key(name)
    if not k:
        return None
    order = ((model,) if model in _STAGE_INDEX else ()) + AUDIENCE_MODELS
    for m in order:
        if k in _STAGE_INDEX[m]:
            return m, _STAGE_INDEX[m][k]
    for m in order:  # a code before a name: "A3种草", "A 认知"
        for code in AUDIENCE_STAGES[m]:
            c = code.casefold()
            if k.startswith(c) and _STAGE_INDEX[m].get(k[len(c):]) == code:
                return m, code
    return None


def infer_audience_model(names) -> str:
    """The model of a set of stage names with no model column: O-5A when any name is a stage only O-5A has
    (O, A1..A5, 机会, 吸引, 问询, 拥护 ...), else AIPL.

    Parameters
    ----------
    names : Iterable
        The stage cells.

    Returns
    -------
    str
        "O-5A" or "AIPL".
    """
    for n in names:
        k = _stage_key(n)
        if k in _STAGE_INDEX["O-5A"] and (k not in _STAGE_INDEX["AIPL"]):
            return "O-5A"
    return "AIPL"


def stage_names_help() -> str:
    """The accepted stage names, for messages.

    Returns
    -------
    str
        Per model, each stage as ``code (English / 中文)``: ``"AIPL: A (Aware / 认知), ...; O-5A: ..."``.
    """
    def names(code: str, alts: tuple[str, ...]) -> str:
        en = next((n for n in alts[1:] if n.isascii()), "")
        zh = next((n for n in alts if not n.isascii()), "")
        return f"{code} ({en} / {zh})"

    return "; ".join(f"{m}: " + ", ".join(names(c, alts) for c, alts in st.items()) for m, st in AUDIENCE_STAGES.items())
