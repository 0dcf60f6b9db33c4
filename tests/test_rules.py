"""Tests for govtag.rules.tagger: the rule-based quantity and section tagger on township-style texts."""

from pathlib import Path

import pytest

from govtag.core.labels import check_document
from govtag.rules.tagger import tag_document, tag_quantities, tag_sections

FIXTURES = Path(__file__).parent / "fixtures"


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def quantities(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in tag_quantities(text)]


def sections(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start:s.end]) for s in tag_sections(text)]


def role_of(text: str, fragment: str) -> str | None:
    """The section label covering the start of ``fragment`` (None when outside)."""
    start = text.index(fragment)
    return next((s.label for s in tag_sections(text) if s.start <= start < s.end), None)


@pytest.mark.parametrize("text, expected", [
    ("全鄉新種茶葉1.85萬畝。", [("1.85萬畝", "AREA")]),
    ("增長１２．８％，投入１４３１萬元", [("１２．８％", "PERCENT"), ("１４３１萬元", "MONEY")]),
    ("為195户705人發放救助金", [("195户", "COUNT"), ("705人", "COUNT")]),
    ("招收3-11歲兒童", [("3-11歲", "MEASURE")]),
    ("争取资金5万至10万元，建设20—30亩", [("5万至10万元", "MONEY"), ("20—30亩", "AREA")]),
    ("累计达到1000余万元以上", [("1000余万元", "MONEY")]),
    ("提高3个百分点，增长2.6倍，占百分之九十", [
        ("3个百分点", "PERCENT"), ("2.6倍", "PERCENT"), ("百分之九十", "PERCENT")]),
    ("惠及8万市民和6万余人次", [("8万市民", "COUNT"), ("6万余人次", "COUNT")]),
    ("人均9500元/人/年，约4公里", [("9500元/人/年", "MONEY"), ("4公里", "MEASURE")]),
    ("新建村级卫生室两座，连续三年获评先进", [("两座", "COUNT"), ("三年", "MEASURE")]),
    ("投入資金１，２００萬元，完成１２，３个", [("１，２００萬元", "MONEY"), ("３个", "COUNT")]),
    ("投入資金xx萬元，覆蓋**戶，補助＊＊萬元", [("xx萬元", "MONEY"), ("**戶", "COUNT"), ("＊＊萬元", "MONEY")]),
    ("xx鎮產值20__餘萬元，xx村xx組", [("20__餘萬元", "MONEY")]),
    ("發布時間：20__年__月__日，[20__]140號", []),
    ("廣告牌兩塊，展板４塊，每人補助200塊，補貼50塊錢", [
        ("兩塊", "COUNT"), ("４塊", "COUNT"), ("200塊", "MONEY"), ("50塊錢", "MONEY")]),
    ("發放棉被200床，生豬存欄3.2萬頭，家禽15萬羽", [("200床", "COUNT"), ("3.2萬頭", "COUNT"), ("15萬羽", "COUNT")]),
    # amounts wholly in Chinese numerals, with 多 before a magnitude
    ("糧食由三億二千五百萬噸增加到四億零七百多萬噸", [("三億二千五百萬噸", "MEASURE"), ("四億零七百多萬噸", "MEASURE")]),
    ("修建公路一千二百公里，新增項目二十多萬個", [("一千二百公里", "MEASURE"), ("二十多萬個", "COUNT")]),
    # a large bare number and the noun phrase it counts; 上 before a magnitude
    ("幫助3亿多農村人口和1200万城鎮居民", [("3亿多農村人口", "COUNT"), ("1200万城鎮居民", "COUNT")]),
    ("惠及2.4亿城镇职工和城镇居民，带动上亿群众", [("2.4亿城镇职工和城镇居民", "COUNT"), ("上亿群众", "COUNT")]),
    ("为5.2万名留守儿童服务，投资3亿元帮助农民", [("5.2万名", "COUNT"), ("3亿元", "MONEY")]),
    # durations after a cue and a trailing 多
    ("工程提前一年建成，經過兩年多的努力，失业两年以后仍", [("一年", "MEASURE"), ("兩年多", "MEASURE"), ("两年", "MEASURE")]),
    ("连续3年多次获奖", [("3年", "MEASURE")]),
    # multiples and points written in words, old decimal points
    ("產值翻兩番，收入增长一倍多，提高一个百分点，下降５个千分点，增长19·5％",
     [("兩番", "PERCENT"), ("一倍多", "PERCENT"), ("一个百分点", "PERCENT"), ("５个千分点", "PERCENT"),
      ("19·5％", "PERCENT")]),
    # durations marked by the words after them: a deadline, unchanged so long, a span of time, added over it
    ("力争两年内建成，承包期三年不变，还有两年多时间，两年新增投资5亿元", [
        ("两年", "MEASURE"), ("三年", "MEASURE"), ("两年多", "MEASURE"), ("两年", "MEASURE"), ("5亿元", "MONEY")]),
    ("力争五到十年内见效，连续五年增产", [("五到十年", "MEASURE"), ("五年", "MEASURE")]),
    # a bare magnitude before a physical unit is a measure (spec rule 1), before money an amount
    ("加固近千公里堤防，建设千万吨炼化项目和万吨冷链中心，新增百亿斤产能", [
        ("千公里", "MEASURE"), ("千万吨", "MEASURE"), ("万吨", "MEASURE"), ("百亿斤", "MEASURE")]),
    # 名 before 义务 is still the classifier
    ("资助600多万名义务教育寄宿生", [("600多万名", "COUNT")]),
    # a space between digits and a magnitude word; a duration after 每天 (per day)
    ("生产总值达到39.8 万亿元，保证学生每天一小时体育活动", [("39.8 万亿元", "MONEY"), ("一小时", "MEASURE")]),
    # a bare 亿 is money unless its own clause is about people
    ("参保人数增加500万，财政投入20亿", [("20亿", "MONEY")]),
    # a bare 万 is money after a word of money in its clause (spec: 2千万 when money)
    ("争取资金50万，投入300万用于道路，减少损失800余万，上争资金2千万", [
        ("50万", "MONEY"), ("300万", "MONEY"), ("800余万", "MONEY"), ("2千万", "MONEY")]),
    ("投资带动就业3万人，资金惠及2万户", [("3万人", "COUNT"), ("2万户", "COUNT")]),
    # a long quoted name is no slogan: its counts stay
    ("公布“全省28个乡村振兴示范县和重点帮扶县市区名单”", [("28个", "COUNT")]),
    # per mille, a range of 百分之 forms, 翻了一番, shares written as words (spec: a share is PERCENT)
    ("增长率控制在千分之十三，增长百分之四至百分之五，产值翻了一番，人员减少一半，超过半数",
     [("千分之十三", "PERCENT"), ("百分之四至百分之五", "PERCENT"), ("一番", "PERCENT"), ("一半", "PERCENT"),
      ("半数", "PERCENT")]),
    # long unit names win over their prefixes (千瓦小时 over 千瓦, 标准箱 over a bare 万)
    # real counts next to the words of set phrases stay (两个市场, 两种资源 and 亿万人民 are set phrases)
    ("新建两个农贸市场，引进两种新品种，惠及3亿人民", [("两个", "COUNT"), ("两种", "COUNT"), ("3亿人民", "COUNT")]),
    ("全年发电２３００亿千瓦小时，压减玻璃800万标准箱", [("２３００亿千瓦小时", "MEASURE"), ("800万标准箱", "MEASURE")]),
])
def test_quantity_spans(text, expected):
    assert quantities(text) == expected


@pytest.mark.parametrize("text", [
    "2022年2月18日10:21召开会议",
    "选派第一书记，排名第5位",
    "编制“十四五”规划，发展“一村一品”，服务三农",
    "G241国道沿线PM2.5浓度下降",
    "五年来，实施三年行动，打造三大平台",
    "一是抓党建，二是抓产业",
    "下了一番功夫，三年多来，营收迈上千亿台阶",
    "先后2番调整人员",
    "费了一番功夫，一年半以后，多半是晴天",
    # numbers inside short quoted slogans, also amounts written as bare magnitudes (spec rules 5, 8)
    "办好“老百姓最关心的10件事”，打造“千亿果园”，推进“百亿提升、千亿跨越、万亿突破”行动",
    # a bare magnitude before a unit of time, a unit word (千瓦), a word (万方) or a count (千家) is none
    "百年大计，按千瓦时计价，接入万方数据，推动千家企业上云，打造万亩果园，接入百度地图",
    # a place name before 核电 (三门核电站)
    "推进三门核电二期建设",
    # the years since the reform frame the present (spec rule 9); 每周一 is a weekday
    "改革开放40年积累的基础，每周一上午接访",
    # a bare 亿 in a clause about population counts people
    "全国人口到2030年要控制在14亿以内",
    # a bare 万 with no word of money in its clause is no amount
    "收看直播的观众超过300万，访问量达到50万",
    # the plan term and periods framing the present (spec rule 9), a range of years (a date)
    "五年内新增装机，五年新增耕地，今后三年内完成，今明两年实现全覆盖，对2006-2020年的发展作出部署",
    # set phrases: the two markets and two resources, the two enthusiasms, 亿万 before a counted noun
    "利用国内国外两个市场、两种资源，发挥两个积极性，造福亿万人民，统筹两个大局",
    "两个文明一起抓，两只手都要硬，举办铁人三项，生产智能两轮车",
])
def test_non_quantities_are_ignored(text):
    assert quantities(text) == []


def test_offsets_index_the_original_text():
    text = "產量５１９０００斤，面積１．８５萬畝"
    spans = tag_quantities(text)
    assert [(s.start, s.end) for s in spans] == [(2, 9), (12, 18)]


def test_township_report_quantities():
    text = read_fixture("township_report.txt")
    assert quantities(text) == [
        ("1.85万亩", "AREA"), ("120个", "COUNT"), ("56.3万元", "MONEY"), ("12.8%", "PERCENT"),
        ("195户", "COUNT"), ("705人", "COUNT"), ("3.6万元", "MONEY"), ("两座", "COUNT"),
        ("500亩", "AREA"),
    ]


def test_township_report_sections():
    text = read_fixture("township_report.txt")
    assert role_of(text, "xx镇20__年工作总结") is None
    for metadata in ("来源：", "发布时间：", "浏览次数："):
        assert role_of(text, metadata) is None
    assert role_of(text, "20__年，在县委") == "成绩"
    assert role_of(text, "现将有关情况汇报如下") is None
    assert role_of(text, "一、20__年工作开展情况") == "成绩"
    assert role_of(text, "（二）民生保障") == "成绩"
    assert role_of(text, "二、存在的问题") == "问题"
    assert role_of(text, "二是基础设施仍有短板") == "问题"
    assert role_of(text, "三、下一步工作打算") == "计划"
    assert role_of(text, "加快推进G241国道") == "计划"
    assert role_of(text, "附件：") is None


def test_section_spans_are_maximal_runs_inside_one_line():
    text = read_fixture("township_report.txt")
    problems = [span for label, span in sections(text) if label == "问题"]
    assert problems == ["二、存在的问题",
                        "一是产业规模偏小，龙头企业带动能力不强。二是基础设施仍有短板，部分村组道路年久失修。"]
    assert all("\n" not in span for _, span in sections(text))


def test_traditional_report_with_full_width_digits():
    text = read_fixture("township_traditional.txt")
    assert quantities(text) == [
        ("１．８５萬畝", "AREA"), ("５１９０００斤", "MEASURE"), ("３．５％", "PERCENT"),
        ("１４３１萬元", "MONEY"), ("１２．６公里", "MEASURE"), ("８萬餘人", "COUNT"),
        ("3-11歲", "MEASURE"), ("百分之百", "PERCENT"), ("5万至10万元", "MONEY"),
        ("20—30畝", "AREA"),
    ]
    assert role_of(text, "全鄉糧食") == "成绩"
    assert role_of(text, "群眾增收渠道單一") == "问题"
    assert role_of(text, "我們將爭取") == "计划"


def test_headingless_village_report_follows_sentence_cues():
    text = read_fixture("township_village_brief.txt")
    assert role_of(text, "發布時間") is None
    assert role_of(text, "今年以來") == "成绩"
    assert role_of(text, "但也存在一些問題") == "问题"
    assert role_of(text, "下一步，我村") == "计划"


def test_salutation_and_thanks_are_outside():
    text = ("一、2023年工作回顾\n各位代表！\n全年新增就业5611人。"
            "在此，我代表镇人民政府，向全镇干部群众表示衷心的感谢！\n二、2024年工作安排\n力争新增就业6000人。")
    assert sections(text) == [("成绩", "一、2023年工作回顾"), ("成绩", "全年新增就业5611人。"),
                              ("计划", "二、2024年工作安排"), ("计划", "力争新增就业6000人。")]


def test_tag_document_is_a_valid_document():
    text = read_fixture("township_report.txt")
    doc = tag_document(text, "township_report")
    check_document(doc)
    assert doc.doc_id == "township_report"
    assert doc.layer("quantity") and doc.layer("section")


REVIEW_WITH_PROBLEMS = """一、過去一年工作回顧
全鎮完成固定資產投資１．２億元，新建村組道路１２公里。
在財政收支矛盾突出的情況下，我們堅持民生投入不減，完成十件民生實事。
在看到成績的同時，我們也認識到：xx鎮產業結構單一，龍頭企業帶動能力不強；部分村組道路年久失修。
政府自身建設還存在一些“不想為、不會為”的問題，我們將切實加以解決。
二、20__年工作安排
我們將加快推進產業園區建設。
"""


def test_problem_passages_opened_by_common_phrasings():
    text = REVIEW_WITH_PROBLEMS
    assert role_of(text, "在看到成績的同時") == "问题"
    assert role_of(text, "部分村組道路") == "问题"  # the passage runs to the end of its paragraph
    assert role_of(text, "政府自身建設") == "问题"
    assert role_of(text, "我們將加快") == "计划"


def test_a_difficulty_as_backdrop_of_results_opens_no_problems():
    assert role_of(REVIEW_WITH_PROBLEMS, "在財政收支矛盾突出的情況下") == "成绩"
    assert role_of("一、工作回顧\n面對需求不足、結構性矛盾突出等考驗，我們穩住了經濟大盤。\n",
                   "面對需求不足") == "成绩"


def test_hard_wrapped_lines_continue_their_paragraph():
    text = ("一、工作回顧\n全鎮完成投資１．２億元，\n新建道路１２公里。\n"
            "同時，我們也清醒看到，全鎮發展還面臨不少困難和\n挑戰：產業規模偏小，\n"
            "龍頭企業帶動能力不強。\n對這些問題，我們將認真加以解決。\n二、20__年工作安排\n我們將加快建設。\n")
    assert role_of(text, "新建道路") == "成绩"  # no heading, although short and without commas
    assert role_of(text, "挑戰：產業") == "问题"
    assert role_of(text, "龍頭企業") == "问题"
    assert role_of(text, "對這些問題") == "问题"  # answers the problems (spec rule 6)
    assert role_of(text, "我們將加快") == "计划"


def test_problems_opener_on_a_line_of_its_own_covers_the_paragraphs_after_it():
    text = ("一、2019年和今年以來工作回顧\n去年，全縣糧食產量達到１２萬噸。\n"
            "在肯定成績的同時，我們也清醒看到面臨的困難和問題。\n"
            "企業生產經營困難凸顯。\n基層財政收支矛盾加劇。\n"
            "二、今年工作安排\n我們將加快推進項目建設。\n")
    assert role_of(text, "去年，全縣") == "成绩"  # 回顧 wins over 今年 in the heading
    assert role_of(text, "企業生產") == "问题"
    assert role_of(text, "基層財政") == "问题"
    assert role_of(text, "我們將加快") == "计划"


def test_half_year_township_summary_headings():
    text = ("xx鎮20__年上半年工作總結\n一、今年以來工作開展情況\n全鎮完成投資１．２億元。\n"
            "二、存在的問題\n一是產業規模偏小。\n三、下半年工作打算\n我們將加快建設。\n")
    assert role_of(text, "一、今年以來") == "成绩"
    assert role_of(text, "全鎮完成") == "成绩"
    assert role_of(text, "一是產業") == "问题"
    assert role_of(text, "三、下半年工作打算") == "计划"


def test_township_shorthand_headings():
    text = ("一、工作開展情況\n全村完成道路硬化３公里。\n二、工作中存在的短板\n村集體經濟薄弱。\n"
            "三、下步工作打算\n下步，我村將發展特色種植。\n")
    assert role_of(text, "全村完成") == "成绩"
    assert role_of(text, "村集體經濟") == "问题"
    assert role_of(text, "三、下步工作打算") == "计划"
    assert role_of(text, "下步，我村") == "计划"


def test_shortcomings_named_as_work_done_open_no_problems():
    text = ("一、過去一年工作回顧\n（五）鄉村振興深入實施，農業農村短板弱項加快補齊。新建高標準農田８千畝。\n"
            "（六）民生福祉持續改善。新增就業崗位１２００個。\n認真整改存在的問題，政風明顯好轉。\n"
            "同時，我們也清醒看到，全鎮發展還存在不少困難和問題。\n")
    assert role_of(text, "（五）鄉村振興") == "成绩"
    assert role_of(text, "（六）民生福祉") == "成绩"
    assert role_of(text, "認真整改") == "成绩"
    assert role_of(text, "同時，我們也清醒看到") == "问题"


def test_report_scraped_without_line_breaks_keeps_its_structure():
    text = ("xx鎮20__年工作總結　　各位代表！　　一、20__年工作回顧　　全鎮完成投資１．２億元。"
            "　　同時，我們也清醒看到，全鎮發展還存在不少困難和問題。　　二、20__年工作安排　　我們將加快建設。")
    assert "\n" not in text
    assert role_of(text, "全鎮完成") == "成绩"
    assert role_of(text, "同時，我們") == "问题"
    assert role_of(text, "我們將加快") == "计划"
    assert role_of(text, "各位代表") is None


WEB_PAGE = """當前位置：
首頁
>
政務公開
>
規劃計劃
xx鎮2024年政府工作報告
發表時間：
2024-02-09 09:45
閱讀量：
【字體：
小
中
大
】
xx鎮20__年工作總結和20__年工作計劃
20__年，我鎮完成投資１．２億元。
一、主要工作成效
新建道路１２公里。
"""


def test_web_page_header_lines_and_combined_title_are_outside():
    for line in ("首頁", "規劃計劃", "xx鎮2024年政府工作報告", "閱讀量", "xx鎮20__年工作總結和"):
        assert role_of(WEB_PAGE, line) is None, line
    assert role_of(WEB_PAGE, "20__年，我鎮完成") == "成绩"
    assert role_of(WEB_PAGE, "新建道路") == "成绩"


def test_page_scraped_with_single_spaces_reads_headings_before_list_markers():
    text = ("xx鎮2022年度工作總結 發布時間:2022-12-20 來源:xx鎮 一、2022年工作成效 (一)農業生產穩定。"
            "全鎮新建溫室大棚120座。 二、存在的主要問題 一是經濟總量偏小;二是部分村組道路年久失修。"
            " 三、2023年工作計劃 (一)力爭糧食產量穩定在1.1萬噸以上。 (二)謀劃儲備項目10個以上。")
    assert role_of(text, "全鎮新建") == "成绩"
    assert role_of(text, "二、存在的主要問題") == "问题"
    assert role_of(text, "二是部分村組") == "问题"
    assert role_of(text, "三、2023年工作計劃") == "计划"
    assert role_of(text, "(二)謀劃") == "计划"


def test_whole_report_on_one_line_with_glued_headings():
    review = "全市完成投資１２億元，新建學校３所。" * 40  # a long page: more than a title
    plan = "加快推進重點項目建設，力爭全年完成投資１５億元。" * 40
    text = ("各位代表：現在，我代表市人民政府向大會報告工作，請予審議。一、2023年工作回顧 " + review
            + "同時，我們也清醒看到，發展中還存在不少困難和問題。對此，我們將努力加以解決。"
            + "二、2024年工作安排 " + plan + "三、聚焦民生改善 辦好民生實事。"
            + "各位代表，讓我們團結一心，奮勇前進！")
    assert "\n" not in text and " " in text
    assert role_of(text, "各位代表：現在") is None
    assert role_of(text, "一、2023年工作回顧") == "成绩"
    assert role_of(text, "同時，我們也清醒看到") == "问题"
    assert role_of(text, "二、2024年工作安排") == "计划"
    assert role_of(text, "辦好民生實事") == "计划"
    assert role_of(text, "讓我們團結") is None


def test_glued_plan_heading_without_spaces_starts_the_plan():
    text = ("xx縣20__年政府工作報告各位代表：現在，我代表縣人民政府向大會報告工作，請予審議。"
            + "一年來，我們圓滿完成了全年目標任務。" * 80
            + "2024年工作安排2024年是關鍵一年。" + "我們將加快建設。" * 20)
    assert role_of(text, "一年來") == "成绩"
    assert role_of(text, "2024年工作安排") == "计划"


def test_preamble_summary_of_results_is_results_and_framing_line_is_outside():
    text = ("**村20__年工作總結\n一年來，我村兩委班子真抓實幹，較好地完成了各項目標任務。\n"
            "今年以來，各項工作有序推進。現將上半年工作總結如下：\n"
            "2023年是開局之年。\n一、主要工作\n新修道路3.2公里。\n")
    assert role_of(text, "一年來") == "成绩"
    assert role_of(text, "今年以來") == "成绩"
    assert role_of(text, "現將上半年") is None
    assert role_of(text, "新修道路") == "成绩"


@pytest.mark.parametrize("heading", ["二、面臨的困難和挑戰", "三、主要問題", "三、問題與挑戰", "四、存在的薄弱環節",
                                     "二、問題和困難", "三、短板弱項"])
def test_township_problem_headings(heading):
    text = f"一、主要工作\n新修道路3公里。\n{heading}\n部分村組道路狹窄。\n三、下步打算\n新建道路5公里。\n"
    assert role_of(text, heading) == "问题"
    assert role_of(text, "部分村組") == "问题"
    assert role_of(text, "新建道路") == "计划"


def test_heading_about_solving_difficulties_is_no_problems_heading():
    text = "一、主要工作\n（四）幫助企業解決遇到的困難\n走訪企業120家。\n"
    assert role_of(text, "走訪企業") == "成绩"


def test_signature_date_and_page_footer_are_outside():
    text = ("一、主要工作\n新建大棚20座。\n二、20__年工作打算\n新建通村道路15公里。\n\n"
            "xx鎮人民政府\n20__年12月20日\n上一篇：xx鎮召開安全生產工作會議\n下一篇：xx鎮開展冬季防火宣傳\n"
            "xx鎮2022年工作總結\n主辦單位：xx鎮人民政府  聯繫電話：0000-1234567\n版權所有：xx鎮人民政府\n")
    assert role_of(text, "新建通村道路") == "计划"
    for line in ("xx鎮人民政府\n20", "20__年12月20日", "上一篇", "下一篇", "xx鎮2022年工作總結", "主辦單位", "版權所有"):
        assert role_of(text, line) is None, line


def test_heading_that_ends_with_government_is_no_signature():
    text = "一、主要工作\n新建大棚20座。\n二、20__年工作打算\n（一）加快發展。\n（二）努力建設人民滿意政府\n嚴格依法行政。\n"
    assert role_of(text, "（二）努力建設") == "计划"
    assert role_of(text, "嚴格依法行政") == "计划"


def test_village_summary_items_with_half_width_punctuation_are_results():
    text = ("xx村2023年度工作總結\n"
            "今年以來,我村紮實開展各項工作,現將一年來的工作總結如下:\n"
            "一是抓黨建.全年召開黨員大會12次,發展黨員2名.\n"
            "二是抓產業.新發展獼猴桃種植150畝,村集體經濟收入達到12萬元.\n"
            "存在問題:一是村集體經濟底子薄;二是群眾積極性不高.\n"
            "下步打算:一是繼續壯大村集體經濟;二是建立長效機制.\n")
    assert role_of(text, "今年以來") is None
    assert role_of(text, "一是抓黨建") == "成绩"
    assert role_of(text, "二是抓產業") == "成绩"
    assert role_of(text, "存在問題") == "问题"
    assert role_of(text, "下步打算") == "计划"


@pytest.mark.parametrize("line, first, kind", [
    ("", False, "empty"),
    ("某镇2024年政府工作报告", True, "outside"),
    ("来源：某镇人民政府", False, "outside"),
    ("某某镇人民政府", False, "signature"),
    ("各位代表！", False, "salutation"),
    ("在此，我代表镇政府向大家表示感谢！", False, "thanks"),
    ("一、2024年工作回顾", True, "heading"),
    ("全镇新建道路3公里，完成投资500万元。", False, "body"),
])
def test_line_classifier(line, first, kind):
    from govtag.rules.sections import classify_line

    assert classify_line(line, first).kind.value == kind
