"""Tests for govtag.rules.quantities: value normalisation of quantity spans."""

import pytest

from govtag.rules.quantities import QuantityValue, parse_quantity

# (text, label, value, unit, approximate)
SINGLE_VALUES = [
    ("1.85萬畝", "AREA", 18500, "亩", False),
    ("20个亿", "MONEY", 2_000_000_000, "元", False),
    ("5.4万元", "MONEY", 54000, "元", False),
    ("百分之九十", "PERCENT", 90, "%", False),
    ("3个百分点", "PERCENT", 3, "percentage point", False),
    ("195户", "COUNT", 195, "户", False),
    ("6万余人次", "COUNT", 60000, "人次", True),
    ("12.8%", "PERCENT", 12.8, "%", False),
    ("110.09%", "PERCENT", 110.09, "%", False),
    ("1431萬元", "MONEY", 14_310_000, "元", False),
    ("18171元", "MONEY", 18171, "元", False),
    ("1000余万元", "MONEY", 10_000_000, "元", True),
    ("2千万", "MONEY", 20_000_000, "元", False),
    ("9500元/人/年", "MONEY", 9500, "元/人/年", False),
    ("两成", "PERCENT", 20, "%", False),
    ("2.6倍", "PERCENT", 2.6, "times", False),
    ("增长2.6倍", "PERCENT", 2.6, "times", False),
    ("983.5亩", "AREA", 983.5, "亩", False),
    ("598公顷", "AREA", 598, "公顷", False),
    ("3580平方米", "AREA", 3580, "平方米", False),
    ("728平方公里", "AREA", 728, "平方公里", False),
    ("201个", "COUNT", 201, "个", False),
    ("295名", "COUNT", 295, "名", False),
    ("24眼", "COUNT", 24, "眼", False),
    ("40余个", "COUNT", 40, "个", True),
    ("两座", "COUNT", 2, "座", False),
    ("4公里", "MEASURE", 4, "公里", False),
    ("50公斤", "MEASURE", 50, "公斤", False),
    ("519000斤", "MEASURE", 519000, "斤", False),
    ("1.5亿立方米", "MEASURE", 150_000_000, "立方米", False),
    ("3.5万度", "MEASURE", 35000, "度", False),
    ("800兆瓦", "MEASURE", 800, "兆瓦", False),
    ("24小时", "MEASURE", 24, "小时", False),
    ("35周岁", "MEASURE", 35, "周岁", False),
    ("10天", "MEASURE", 10, "天", False),
    ("30万吨", "MEASURE", 300_000, "吨", False),
    ("2×66万千瓦", "MEASURE", 1_320_000, "千瓦", False),
    ("500千伏", "MEASURE", 500, "千伏", False),
    ("8万市民", "COUNT", 80000, "市民", False),
    ("１２．８％", "PERCENT", 12.8, "%", False),
    ("三千二百万元", "MONEY", 32_000_000, "元", False),
    ("一百二十个", "COUNT", 120, "个", False),
    ("兩億元", "MONEY", 200_000_000, "元", False),
    ("35歲", "MEASURE", 35, "岁", False),
    ("二〇个", "COUNT", 20, "个", False),
    ("半年", "MEASURE", 0.5, "年", False),
    ("1,200万元", "MONEY", 12_000_000, "元", False),
    ("约300人", "COUNT", 300, "人", True),
    ("100人左右", "COUNT", 100, "人", True),
    ("十多个", "COUNT", 10, "个", True),
    ("1.15万亩", "AREA", 11500, "亩", False),
    ("0.3个百分点", "PERCENT", 0.3, "percentage point", False),
    ("百分之零点五", "PERCENT", 0.5, "%", False),
    ("千分之十三", "PERCENT", 13, "‰", False),
    ("39.8 万亿元", "MONEY", 39_800_000_000_000, "元", False),
    ("一半", "PERCENT", 50, "%", False),
    ("半数", "PERCENT", 50, "%", False),
    # spans the learned quantity layer adds: money without 元, a classifier beyond the lists,
    # a full-width comma as thousands separator
    ("300万", "MONEY", 3_000_000, "元", False),
    ("800余万", "MONEY", 8_000_000, "元", True),
    ("一处", "COUNT", 1, "处", False),
    ("33，212万吨", "MEASURE", 332_120_000, "吨", False),
    ("4，900多万吨", "MEASURE", 49_000_000, "吨", True),
    ("6，256万平方米", "AREA", 62_560_000, "平方米", False),
]

# (text, label, low, high, unit)
RANGES = [
    ("3-11歲", "COUNT", 3, 11, "岁"),
    ("5万至10万元", "MONEY", 50000, 100000, "元"),
    ("20—30亩", "AREA", 20, 30, "亩"),
    ("3-5万元", "MONEY", 30000, 50000, "元"),
    ("3%～5%", "PERCENT", 3, 5, "%"),
    ("百分之四至百分之五", "PERCENT", 4, 5, "%"),
    ("二、三百亿度", "MEASURE", 20_000_000_000, 30_000_000_000, "度"),  # neighbouring digits
    ("四、五十亿元", "MONEY", 4_000_000_000, 5_000_000_000, "元"),
    ("百分之二、三", "PERCENT", 2, 3, "%"),
    ("三、四十个", "COUNT", 30, 40, "个"),
]


@pytest.mark.parametrize("text,label,value,unit,approximate", SINGLE_VALUES)
def test_single_value(text, label, value, unit, approximate):
    parsed = parse_quantity(text, label)
    assert parsed == QuantityValue(value, unit, value, value, approximate)
    assert type(parsed.value) is type(value)


@pytest.mark.parametrize("text,label,low,high,unit", RANGES)
def test_range(text, label, low, high, unit):
    assert parse_quantity(text, label) == QuantityValue(None, unit, low, high, False)


@pytest.mark.parametrize("text,unit", [("几十个", "个"), ("数万人", "人"), ("十几天", "天")])
def test_vague_number_has_no_value(text, unit):
    assert parse_quantity(text, "COUNT") == QuantityValue(None, unit, None, None, True)


@pytest.mark.parametrize("text", ["", "   ", "元", "abc", "点点", "万万", "---", "×", "百分之", "至"])
def test_unparseable_gives_none(text):
    parsed = parse_quantity(text, "COUNT")
    assert parsed.value is None and parsed.low is None and parsed.high is None


def test_as_dict():
    assert parse_quantity("5.4万元", "MONEY").as_dict() == {
        "value": 54000, "unit": "元", "low": 54000, "high": 54000, "approximate": False,
        "placeholder": False}


@pytest.mark.parametrize("text,label,value,unit,approximate", [
    ("3个多月", "MEASURE", 3, "个月", True),
    ("-5%", "PERCENT", -5, "%", False),
    ("3-", "COUNT", 3, "", False),
    ("2x66万千瓦", "MEASURE", 1_320_000, "千瓦", False),
    ("5千瓦时", "MEASURE", 5, "千瓦时", False),
    ("千分之五", "PERCENT", 5, "‰", False),
    ("近5成", "PERCENT", 50, "%", True),
    ("１，２００萬元", "MONEY", 12_000_000, "元", False),
    ("上億群眾", "COUNT", 100_000_000, "群众", True),
    ("上千万", "COUNT", 10_000_000, "", True),
    ("一倍多", "PERCENT", 1, "times", True),
    ("翻两番", "PERCENT", 2, "doublings", False),
    ("19·5％", "PERCENT", 19.5, "%", False),
    ("５个千分点", "PERCENT", 5, "per-mille point", False),
    ("四亿零七百多万吨", "MEASURE", 407_000_000, "吨", True),
    ("10万人之多", "COUNT", 100_000, "人", False),
])
def test_edge_cases(text, label, value, unit, approximate):
    assert parse_quantity(text, label) == QuantityValue(value, unit, value, value, approximate)


# (text, label, unit, approximate): template blanks (spec rule 10) have no value
@pytest.mark.parametrize("text,label,unit,approximate", [
    ("20__余万元", "MONEY", "元", True),
    ("２０＿＿餘萬元", "MONEY", "元", True),
    ("xx万元", "MONEY", "元", False),
    ("ｘｘ萬元", "MONEY", "元", False),
    ("**户", "COUNT", "户", False),
    ("＊＊戶", "COUNT", "户", False),
    ("xx千瓦", "MEASURE", "千瓦", False),
    ("xx亿", "MONEY", "元", False),
])
def test_template_blank_has_no_value(text, label, unit, approximate):
    assert parse_quantity(text, label) == QuantityValue(None, unit, None, None, approximate, True)


@pytest.mark.parametrize("text,label,unit", [
    ("4块", "COUNT", "块"), ("两塊", "COUNT", "块"), ("４塊", "COUNT", "块"),
    ("200块", "MONEY", "元"), ("200塊錢", "MONEY", "元"), ("２００块钱", "MONEY", "元"),
])
def test_kuai_is_yuan_only_for_money(text, label, unit):
    assert parse_quantity(text, label).unit == unit
