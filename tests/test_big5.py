"""Big5 reports (Traditional Chinese from Taiwan and Hong Kong) are detected and decoded, not read
as GB18030 mojibake; GB reports are still read as GB."""

import json

import pytest

from govtag.cli.main import main
from govtag.core.text import decode_report

TRADITIONAL = """某某鎮人民政府工作報告
一、過去一年工作回顧
全鎮完成地區生產總值十二億元，同比增長百分之八；新建道路三點五公里，改造危舊房屋一百二十戶。
二、存在的問題
產業結構不夠合理，財政收入增長乏力，部分群眾反映辦事難的問題仍然存在。
三、今年工作安排
我們將繼續推進鄉村振興，計劃投入資金五千萬元，新增就業崗位八百個。
"""
SIMPLIFIED = """某某镇人民政府工作报告
一、过去一年工作回顾
全镇完成地区生产总值十二亿元，同比增长百分之八；新建道路三点五公里。
二、存在的问题
产业结构不够合理，财政收入增长乏力。
"""


@pytest.mark.parametrize("codec", ["big5", "cp950", "big5hkscs"])
def test_big5_text_is_decoded_as_big5(codec):
    assert decode_report(TRADITIONAL.encode(codec)) == TRADITIONAL


@pytest.mark.parametrize("line", ["二、存在的問題", "投入資金五千萬元。"])
def test_a_short_big5_line_is_decoded_as_big5(line):
    assert decode_report(line.encode("big5")) == line


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gb_text_is_still_read_as_gb(codec):
    assert decode_report(SIMPLIFIED.encode(codec)) == SIMPLIFIED


def test_a_traditional_text_in_gb18030_is_read_as_gb18030():
    assert decode_report(TRADITIONAL.encode("gb18030")) == TRADITIONAL


def test_predict_tags_a_big5_report(capsys, tmp_path):
    report = tmp_path / "taipei.txt"
    report.write_bytes(TRADITIONAL.encode("big5"))
    code = main(["predict", "--rules", "--format", "jsonl", str(report)])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert {s["role"] for s in result["sections"]} >= {"成绩", "问题", "计划"}
    assert any(q["text"] == "五千萬元" for q in result["quantities"])
    assert all(TRADITIONAL[q["start"]:q["end"]] == q["text"] for q in result["quantities"])
