"""Rule-based tagger for both layers of the annotation spec (``ANNOTATION_SPEC.md``).

Quantities: one compiled pattern (numeral grammar + unit lexicons) run over the normalised
view of the text (Simplified, half-width, same length), then context filters for the spec's
non-quantities (dates, ordinals, codes, set phrases, periods framing the present).

Sections: every sentence gets a role from its own cue words, else from the role of the
heading it sits under; spans are maximal runs of same-role sentences inside one line.
Offsets always index the original text.
"""

from __future__ import annotations

import re

from govtag.labels import QUANTITY, SECTION, Document, Span
from govtag.text import line_spans, normalise, sentence_spans

# ---------------------------------------------------------------- quantity lexicons

MONEY_UNITS = ("元", "美元", "欧元", "港元", "港币", "日元", "英镑", "个亿",
               "分/千瓦时", "分/度", "分/立方米", "分/吨")
PERCENT_UNITS = ("%", "‰", "个百分点", "百分点", "倍")
AREA_UNITS = ("亩", "平方米", "平米", "平方公里", "平方千米", "公顷")
TIME_UNITS = ("年", "个月", "个多月", "个工作日", "工作日", "天", "小时", "个小时", "分钟", "秒",
              "季", "个季度", "周", "个星期", "星期")
MEASURE_UNITS = TIME_UNITS + (
    "公里", "千米", "米", "厘米", "毫米", "延米", "吨", "公斤", "千克", "克", "斤", "立方米",
    "立方", "方", "升", "毫升", "度", "千瓦", "兆瓦", "瓦", "千瓦时", "瓦时", "伏", "千伏",
    "千伏安", "伏安", "吨公里", "标箱", "蒸吨", "吨标准煤", "吨标煤", "微克/立方米", "微克每立方米",
    "周岁", "岁", "马力", "kV", "MW", "GW", "TEU", "km", "kg")
COUNT_UNITS = (
    "个", "家", "户", "项", "人", "条", "件", "所", "名", "人次", "套", "座", "处", "部", "台",
    "场", "次", "方面", "头", "张", "场次", "宗", "栋", "幢", "种", "辆", "口", "支", "枚",
    "类", "项次", "家次", "户次", "件次", "位", "列", "批", "份", "组", "对", "双", "轮",
    "轮次", "门", "起", "只", "匹", "棵", "株", "间", "篇", "本", "册", "架", "艘", "眼",
    "孔", "盏", "根", "笔", "张床", "道", "片", "块", "羽", "尾", "班", "趟", "款", "首",
    "幅", "课时", "学时", "金", "银", "铜", "床", "袋", "箱")
COUNTED_NOUNS = (  # rule 6: a bare number whose counted noun follows as its unit
    "市民", "居民", "村民", "群众", "农户", "农民", "职工", "学生", "师生", "游客", "人口",
    "劳动力", "党员", "干部", "志愿者", "贫困户", "脱贫户", "县", "村", "乡", "镇")
UNIT_LABELS: dict[str, str] = {
    **{u: "COUNT" for u in COUNT_UNITS + COUNTED_NOUNS},
    **{u: "MEASURE" for u in MEASURE_UNITS},
    **{u: "AREA" for u in AREA_UNITS},
    **{u: "PERCENT" for u in PERCENT_UNITS},
    **{u: "MONEY" for u in MONEY_UNITS},
}
RATE_BASES = ("人", "户", "年", "月", "日", "天", "亩", "吨", "平方米", "立方米", "千瓦时", "度",
              "公里", "公斤", "斤", "次", "小时", "台", "辆", "头")
# A unit followed by one of these characters starts another word (3部门, 2024元旦, 三次产业).
UNIT_WORD_STARTS: dict[str, str] = {
    "元": "旦宵素月", "年": "代级度来底初末中前后间", "人": "民员才工大", "部": "门署分队委",
    "位": "于居列次数", "支": "持撑付出部", "起": "来步点草到", "门": "户槛类", "口": "岸径号",
    "场": "所景地合", "方": "案式向法针", "家": "庭乡长", "列": "入为车", "条": "件例",
    "所": "有以属在得谓", "处": "理置", "个": "人体性税", "个亿": "元", "次": "性数产全会",
    "度": "假", "季": "度节", "周": "年边期", "道": "路德理", "片": "区", "块": "钱",
    "名": "单称义", "类": "似", "对": "外接口象于", "批": "准复", "首": "届先府", "班": "子",
    "本": "地级", "间": "隔", "套": "餐", "张": "家", "眼": "光前", "县": "区市级城域",
    "村": "级民庄落", "乡": "镇村", "镇": "村街", "金": "融额属牌奖", "银": "行牌奖",
    "铜": "牌奖",
}
SET_PHRASES = (
    "一村一品", "两个确立", "两个维护", "四个意识", "四个自信", "两个毫不动摇", "六稳六保",
    "一件事一次办", "一次办", "一件事", "千方百计", "万无一失", "一带一路", "四个全面",
    "三个代表", "两个基本点", "一张蓝图", "一把手", "一站式", "一体化", "一揽子", "三区三州",
    "两不愁三保障", "三个务必", "两个结合", "两个一百年", "八项规定", "四项基本原则",
    "五项原则", "三个联合公报", "十项规定", "八项主张", "7×24",
)
# Parallel numeral slogans: 一村一品, 六稳六保, 千家万户, 万亩千亿.
CJK = r"[\u4e00-\u9fff]"
PARALLEL_PHRASE = rf"(?P<numeral>[一二三四五六七八九十两]){CJK}{{1,2}}(?P=numeral){CJK}|[百千万]{CJK}[百千万]{CJK}"
ARABIC_ONLY_UNITS = ("方", "类", "金", "银", "铜")  # 四方, 三类水质, 五金 are no quantities
DURATION_CUES = ("连续", "用", "提前", "延长", "经过", "时隔", "历时", "耗时", "长达", "持续",
                 "缩短", "坚持")
PERIOD_BEFORE = ("近", "今后", "过去", "未来", "这", "前", "最近", "往后", "再过")
PERIOD_AFTER = ("来", "以来", "行动", "计划", "规划", "攻坚", "目标", "任务", "间")

CN_DIGITS = "零〇一二三四五六七八九两"
MAGNITUDES = "十百千万亿"
ARABIC_NUMBER = (rf"(?<![A-Za-z0-9.第每])\d+(?:,\d{{3}})*(?:\.\d+)?"
                 rf"(?:[余多几]?[{MAGNITUDES}])*[余多]?")
CHINESE_NUMBER = (
    rf"(?<![第每{CN_DIGITS}{MAGNITUDES}几数])"
    rf"(?:[数几](?=[{MAGNITUDES}])|[{CN_DIGITS}{MAGNITUDES}])[{CN_DIGITS}{MAGNITUDES}几]*"
    rf"(?:点[{CN_DIGITS}]+)?[余多]?")
NUMBER = rf"(?:{ARABIC_NUMBER}|{CHINESE_NUMBER})"
RANGE_SEPARATOR = r"(?:[-~—–]{1,2}|至)"
BARE_MAGNITUDE = re.compile(r"[百千万亿]+")
YEAR_NUMBER = re.compile(rf"(?:1[89]|20)\d\d|[一二][{CN_DIGITS}]{{3}}")


def _unit_alternation() -> str:
    """Units longest first, each guarded against the words it starts."""
    units = sorted(UNIT_LABELS, key=len, reverse=True)
    return "|".join(re.escape(u) + (f"(?![{UNIT_WORD_STARTS[u]}])" if u in UNIT_WORD_STARTS else "")
                    for u in units)


QUANTITY_PATTERN = re.compile(
    rf"(?P<percent_of>百分之{NUMBER}(?:{RANGE_SEPARATOR}{NUMBER})?"
    rf"|(?<![{CN_DIGITS}{MAGNITUDES}])[{CN_DIGITS}十]+分之{NUMBER})"
    rf"|(?P<tenths>(?<![{CN_DIGITS}{MAGNITUDES}第])[一二三四五六七八九两]成(?![为功果立员本效长绩交就熟型片年]))"
    rf"|(?P<shared_points>{NUMBER}个?)(?=(?:[、和]{NUMBER}个?)*[、和]{NUMBER}个?百分点)"
    rf"|(?P<number>{NUMBER}(?:%?{RANGE_SEPARATOR}{NUMBER}|×{NUMBER})?)"
    rf"(?P<unit>{_unit_alternation()})?"
    rf"(?:[/每](?:{'|'.join(RATE_BASES)}))*")


FULL_WIDTH_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def _view(text: str) -> str:
    """Normalised text, keeping full-width commas apart from thousands separators; a full-width
    comma between full-width digits (１，２００) is a thousands separator."""
    separators = {m.start() for m in FULL_WIDTH_THOUSANDS.finditer(text)}
    return "".join("，" if ch == "，" and i not in separators else n
                   for i, (ch, n) in enumerate(zip(text, normalise(text))))


def tag_quantities(text: str) -> list[Span]:
    """Quantity spans (MONEY/PERCENT/AREA/COUNT/MEASURE) in original-text offsets."""
    view = _view(text)
    blocked = _set_phrase_mask(view)
    spans = []
    for match in QUANTITY_PATTERN.finditer(view):
        label = _label(match, view)
        if label and not (match.group("number") and any(blocked[match.start():match.end()])):
            spans.append(Span(match.start(), match.end(), label, QUANTITY))
    return spans


def _set_phrase_mask(view: str) -> list[bool]:
    mask = [False] * len(view)
    pattern = "|".join(re.escape(p) for p in SET_PHRASES) + "|" + PARALLEL_PHRASE
    for match in re.finditer(pattern, view):
        mask[match.start():match.end()] = [True] * (match.end() - match.start())
    return mask


def _label(match: re.Match, view: str) -> str | None:
    """The label of a candidate match, or None when its context says it is no quantity."""
    if match.group("percent_of") or match.group("tenths") or match.group("shared_points"):
        return "PERCENT"
    number, unit = match.group("number"), match.group("unit")
    before = view[max(0, match.start() - 8):match.start()]
    after = view[match.end():match.end() + 8]
    if not unit:
        return "MONEY" if _is_bare_hundred_million(number, before, after) else None
    label = UNIT_LABELS[unit]
    if label == "MONEY" and after.startswith(("GDP", "地区生产总值", "生产总值", "增加值")):
        return None
    if BARE_MAGNITUDE.fullmatch(number):
        if re.search(r"[xX*_×]$", before):  # a placeholder amount (xx万元, **万元): no number
            return None
        return label if label == "MONEY" or after.startswith(("以上", "级")) else None
    if not number[0].isdigit() and not _chinese_number_counts(number, unit, before, after):
        return None
    if unit == "年" and _is_date_or_period(number, before, after):
        return None
    if unit == "位" and (not re.match(rf"{CJK}|\d", after) or before.endswith(("前", "末", "后"))):
        return None
    if label == "MEASURE" and re.match(rf"{CJK}{{0,6}}圈", after):
        return None
    if label == "COUNT" and after.startswith("”"):
        return None
    if _inside_short_quote(match, view):
        return None
    return label


def _is_bare_hundred_million(number: str, before: str, after: str) -> bool:
    """20亿, 百亿级: an amount of money written without 元."""
    money_follows = re.match(rf"{CJK}?[元币]", after)
    return number.endswith("亿") and "人口" not in before and not money_follows


def _chinese_number_counts(number: str, unit: str, before: str, after: str) -> bool:
    """Chinese numerals: 两座 counts, 一个/二期/零部件/九年义务教育 do not."""
    if unit == "个" and after.startswith("“"):  # 三个“一号工程”
        return False
    if number in ("一", "二", "零", "〇") or unit in ARABIC_ONLY_UNITS:
        return number == "一" and unit in TIME_UNITS and before.endswith(DURATION_CUES)
    if unit in TIME_UNITS:
        return any(cue in before[-4:] for cue in DURATION_CUES)
    return UNIT_LABELS[unit] != "MONEY" or len(number) > 1


def _is_date_or_period(number: str, before: str, after: str) -> bool:
    return (bool(YEAR_NUMBER.fullmatch(number)) or before.endswith(PERIOD_BEFORE)
            or after.startswith(PERIOD_AFTER))


def _inside_short_quote(match: re.Match, view: str) -> bool:
    """True inside a short quoted slogan such as “两个确立” or “10分钟品质文化生活圈”."""
    opening = view.rfind("“", max(0, match.start() - 6), match.start() + 1)
    if opening < 0 or "”" in view[opening:match.start()]:
        return False
    closing = view.find("”", match.end(), match.end() + 10)
    return closing >= 0 and closing - opening <= 16


# ---------------------------------------------------------------- section lexicons

ACHIEVEMENT, PROBLEM, PLAN = "成绩", "问题", "计划"
HEADING_MAX_CHARS = 40
LIST_MARKER = r"^\s*(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)"
METADATA_LINE = re.compile(
    r"^\s*(?:来源|发布时间|发布日期|发布机构|浏览次数|访问量|点击数|作者|编辑|责任编辑|字号|字体|"
    r"信息来源|文章来源|时间|日期|打印|关闭|分享到?|首页|当前位置|您当前的位置|您的位置|位置|"
    r"索引号|文号|发文字号|发文机关|成文日期|主题分类|所属机构|信息索引|发表时间|阅读量|阅读数|阅读次数|【|"
    r"上一篇|下一篇|相关链接|主办单位|承办单位|版权所有|网站标识码|备案号|联系电话|联系我们|技术支持|地址)\s*[:：]?|"
    r"(?:打印本页|关闭窗口|【[大中小]】)|\S\s*[>»＞]\s*\S")  # a breadcrumb: 首页 > 政务公开 > …
# the sender's name and the date under a report: O, and nothing after them is the report
SIGNATURE_LINE = re.compile(
    r"^[^，,。；;：:、]{0,20}(?:人民政府|政府|办事处|委员会|村委会|居委会|党委|党支部)$|"
    r"^[\d_x〇零一二三四五六七八九]{2,4}年[\d_x一二三四五六七八九十]{1,3}月(?:[\d_x一二三四五六七八九十]{1,3}日)?$")
OUTSIDE_HEADING = r"基本情况|概况|附件|结束语"
PROBLEM_HEADING = (r"(?:存在|面临|遇到)(?:的)?(?:主要)?(?:问题|不足|困难|短板|差距|挑战|薄弱环节)|"
                   r"(?:问题|困难)(?:和|与|及)(?:不足|问题|困难|挑战)|^(?:主要|当前|突出)?问题$|"
                   r"(?:形势|挑战)(?:和|与|及)问题|短板弱项$|薄弱环节$|不足(?:之处)?$")
STRONG_PLAN_HEADING = r"下一?步|下一?阶段|今后|工作(?:计划|安排|打算|思路|要点)"
PLAN_HEADING = STRONG_PLAN_HEADING + r"|计划|安排|打算|思路|总体要求|目标|任务|重点工作|建议|明年|今年"
# wins over plan words in the same heading (2019年和今年以来工作回顾, 今年以来工作开展情况)
REVIEW_HEADING = r"回顾|以来|(?:完成|开展|推进)情况"
ACHIEVEMENT_HEADING = r"回顾|总结|主要工作|工作(?:完成|开展|推进)?情况|成绩|成效|进展|做法|亮点|过去"
# Sentence cues; each is searched in the normalised sentence.
SALUTATION = r"^(?:各位代表|同志们)[!！:：,，]?$"
OUTSIDE_SENTENCE = re.compile(
    SALUTATION + r"|表示.{0,6}(?:感谢|敬意)|致以.{0,8}(?:感谢|敬意|问候)"
    r"|请予审议|请审议|(?:汇报|报告|总结)如下|提出意见[。.]?$")
THANKS_START = re.compile(r"^\s*(?:在此|在这里)?[，,]?我代表.{0,20}向")
CLOSING_SENTENCE = re.compile(r"(?:^|[，,！!])\s*让我们")  # the closing call, O with all after it in its line
ENUMERATION = re.compile(r"^\s*(?:[一二三四五六七八九十]是|第[一二三四五六七八九十]|\d+[.、]|[(（][一二三四五六七八九十\d]+[)）])")
# Openers of a problems passage: strong ones hold anywhere, weak ones not inside a plan part,
# nor as a backdrop of results (CONCESSION) or as the object of work (REMEDY).
STRONG_PROBLEM_SENTENCE = re.compile(
    r"清醒(?:地)?(?:看到|认识到)|(?:看到|肯定)成绩的?同时|(?:也|更|还)要?看到[^，,。；;]{0,10}(?:困难|问题|不足|差距)|"
    r"问题(?:和|与)不足|不足之处")
WEAK_PROBLEM_SENTENCE = re.compile(
    r"(?:存在|面临)着?[^，,。；;]{0,12}(?:问题|不足|短板|困难(?:和|与)?挑战)|"
    r"(?:矛盾|问题)(?:依然|仍然|仍|还)?(?:较为|比较|十分)?突出|"
    r"困难和问题|差距和不足|短板弱项")
PLAN_SENTENCE = re.compile(
    r"^(?:下一?步|下一?阶段|今后|明年|新的一年|(?:20\d\d|20__)年[，,]?我(?:镇|乡|村|们|区|县|市)将)|"
    r"^(?:20\d\d|20__)年(?:政府)?工作(?:安排|计划|打算|思路|要点)(?![^，,。]{0,4}(?:完成|执行|落实|情况))")
RESULT_SENTENCE = re.compile(
    r"(?:取得|实现|完成|获得)了?.{0,12}(?:成绩|成效|进展|突破|成果|目标任务)|各项工作.{0,8}(?:成效|成绩)|"
    r"(?:较好|圆满|全面|超额|顺利)地?完成|各项(?:工作|事业)[^。；;]{0,8}(?:推进|发展|进步)|"
    r"经济社会[^。；;]{0,8}(?:平稳|健康|持续|稳定)|"
    r"(?:完成|建成|新建|新修|新增|实现|培训|发放|增长|下降|召开|开展|发展|举办|组织|达到|累计|共计|争取|投入|"
    r"实施|走访|慰问|化解|接待|引进|培育|改造|硬化|修建|铺设|安装|种植|栽植|流转|清理|整治)[^。；;]{0,12}\d")
# A difficulty named only as the backdrop of what was done (在…矛盾突出的情况下，我们…) opens no problems.
CONCESSION = re.compile(r"^(?:[^，,：:]{1,6}[，,])?(?:在|面对|面临|针对|尽管|虽然|克服|我们面对)|情况下|背景下|形势下|"
                        r"(?:问题|不足|短板|矛盾|困难|挑战)[^。；;]{0,4}[，,]我们(?!将|要|必须|一定|会)")
# A shortcoming named as the object of work done or to do (补齐短板弱项, 整改存在的问题) opens no problems.
REMEDY = re.compile(
    r"(?:补齐|补上|弥补|补强|解决|整改|化解|破解|改进|针对)[^，,。；;]{0,8}(?:问题|不足|短板|弱项|矛盾|困难)|"
    r"(?:问题|不足|短板|弱项|矛盾)[^，,。；;]{0,2}(?:加快|有效|逐步|得到|基本|持续)?(?:补齐|解决|整改|化解|缓解|改善)")
PROBLEM_ANSWER = re.compile(r"^(?:对此|对这些|针对(?:这些|上述|以上)|(?:这些|上述|以上)(?:问题|矛盾|困难|不足))")
# A body line that breaks off mid-sentence: the next line goes on with it (hard-wrapped reports).
OPEN_LINE_END = re.compile(rf"(?:{CJK}|[，,、“（(])$")
HEADING_YEAR = re.compile(r"(?:19|20)\d\d")
TITLE_MAX_CHARS = 200  # a longer first block is a page whose title runs on into the report


def tag_sections(text: str) -> list[Span]:
    """Section spans (成绩/问题/计划): one role per sentence, runs merged inside a line."""
    view = normalise(text)
    sentences = sentence_spans(text)
    roles = _SectionReader().roles(view, paragraph_blocks(view, line_spans(text)), sentences)
    return _merge_runs(sentences, roles, view)


PARAGRAPH_GAP = re.compile(r"[ \t\u3000\u2002\u2003\xa0]{2,}")
# one space before a list marker or enumeration inside a line: a page scraped with single spaces
MARKER_GAP = re.compile(r"(?<=\S)[ \u3000\xa0](?=(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|"
                        r"[一二三四五六七八九十]是|\d+、|\d+\.(?!\d)))")
PARAGRAPH_BREAK = re.compile(f"{PARAGRAPH_GAP.pattern}|{MARKER_GAP.pattern}")
# in a whole page on one line, a top heading may follow a sentence end with no space at all
PAGE_LINE_CHARS = 1000
PAGE_HEADING_START = re.compile(r"(?<=[。！？!?；;])(?=[一二三四五六七八九十]+、)")
ONE_SPACE = re.compile(r"[ \u3000\xa0]")


def paragraph_blocks(view: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines cut at runs of spaces and at a space before a list marker: pages scraped without
    line breaks keep their paragraphs (and headings) apart that way. Only the reading of the
    structure uses them; spans still break at line breaks only."""
    blocks = []
    for start, end in lines:
        position = start
        gaps = list(PARAGRAPH_BREAK.finditer(view, start, end))
        if end - start > PAGE_LINE_CHARS:
            gaps = sorted(gaps + list(PAGE_HEADING_START.finditer(view, start, end)), key=lambda g: g.start())
        for gap in gaps:
            if gap.start() > position:
                blocks.append((position, gap.start()))
            position = gap.end()
        if position < end:
            blocks.append((position, end))
    return [part for block in blocks for part in _heading_apart(view, block)]


def _heading_apart(view: str, block: tuple[int, int]) -> list[tuple[int, int]]:
    """A numbered heading and its paragraph scraped into one block (一、工作回顾 2023年是…)
    are two blocks, cut at the first space after the heading."""
    start, end = block
    if not re.match(LIST_MARKER, view[start:end]):
        return [block]
    gap = ONE_SPACE.search(view, start, min(end, start + HEADING_MAX_CHARS))
    if not gap or re.search(r"[。；;！!？?，,]", view[start:gap.start()]):
        return [block]
    return [(start, gap.start()), (gap.end(), end)] if gap.end() < end else [block]


class _SectionReader:
    """Walks the paragraph blocks top-down, keeping the role of the current heading as context."""

    def __init__(self) -> None:
        self.context: str | None = None
        self.review_year: str | None = None
        self.closed = False
        self.problems_seen = False
        self.resume: str | None = None  # the context a problems passage interrupted
        self.problem_cued = False
        self.problem_line_alone = False  # the opener was a line of its own: the passage follows
        self.thanking = False
        self.in_problems = False  # inside a problems passage that the last body line left open
        self.open_line = False  # the last body line broke off mid-sentence (a hard-wrapped report)
        self.body_started = False  # a body line or a numbered heading has been read

    def roles(self, view: str, lines, sentences) -> list[str | None]:
        """One role (or None) per sentence, in order; ``lines`` are the paragraph blocks."""
        roles: list[str | None] = []
        for index, (start, end) in enumerate(lines):
            inside = [view[s:e] for s, e in sentences if start <= s < end]
            roles += self._line_roles(view[start:end].strip(), inside, first=index == 0)
        return roles

    def _line_roles(self, line: str, sentences: list[str], first: bool) -> list[str | None]:
        outside = [None] * len(sentences)
        if not line:
            return outside
        continues, self.open_line = self.open_line, False
        title = first and not re.match(LIST_MARKER, line) and len(line) <= TITLE_MAX_CHARS
        if title or self.closed or METADATA_LINE.match(line) or not re.search(CJK, line):
            return outside
        if SIGNATURE_LINE.match(line) and not ENUMERATION.match(line) and not re.match(LIST_MARKER, line):
            self.closed = self.body_started and re.search(r"年.*月", line) is not None
            return outside
        if re.match(SALUTATION, line) or self._thanks(line):
            return outside
        numbered = re.match(LIST_MARKER, line) is not None
        if _is_heading(line) and (numbered or not continues):
            return [self._heading_role(line, numbered)] * len(sentences)
        self.body_started = True
        self.open_line = OPEN_LINE_END.search(line) is not None
        closing = self._closing_start(sentences, whole_line=len(line) <= PAGE_LINE_CHARS)
        if closing == 0:
            return outside
        if not continues:
            self._start_paragraph(line)
        body = self._body_roles(sentences[:closing], continues)
        return body + [None] * (len(sentences) - closing)

    def _closing_start(self, sentences: list[str], whole_line: bool) -> int:
        """Where the closing call (让我们…) of a plan part starts: O from there, or from the line
        start when the line is a paragraph (a block of a scraped page keeps what comes before)."""
        if self.context != PLAN:
            return len(sentences)
        closing = next((i for i, s in enumerate(sentences) if CLOSING_SENTENCE.search(s)), len(sentences))
        return 0 if whole_line and closing < len(sentences) else closing

    def _heading_role(self, line: str, numbered: bool) -> str | None:
        if not self.body_started and not numbered and _is_preamble_line(line):
            return None
        self.body_started = self.body_started or numbered
        self.problem_cued = self.problem_line_alone = self.in_problems = False
        return self._read_heading(line)

    def _start_paragraph(self, line: str) -> None:
        # a paragraph that answers the problems just stated (对此，我们将…) stays with them
        self.in_problems = self.in_problems and PROBLEM_ANSWER.match(line) is not None
        if self.problem_cued and not (ENUMERATION.match(line) or self.problem_line_alone):
            self.context, self.problem_cued = self.resume, False

    def _body_roles(self, sentences: list[str], continues: bool) -> list[str | None]:
        roles = []
        for i, sentence in enumerate(sentences):
            if PLAN_SENTENCE.search(sentence):
                self.in_problems, self.context, self.problem_cued = False, PLAN, False
                self.problem_line_alone = False
            opens = self._opens_problems(sentence, first_in_line=i == 0 and not continues,
                                         alone=len(sentences) == 1)
            self.in_problems = self.in_problems or opens
            role = PROBLEM if self.in_problems else self._sentence_role(sentence)
            roles.append(None if OUTSIDE_SENTENCE.search(sentence) else role)
        return roles

    def _thanks(self, line: str) -> bool:
        """The thanks passage (在此，我代表…向…表示衷心的感谢), possibly over several lines."""
        if THANKS_START.match(line) or self.thanking and line.startswith("向"):
            self.thanking = not OUTSIDE_SENTENCE.search(line)
            return True
        self.thanking = False
        return False

    def _opens_problems(self, sentence: str, first_in_line: bool, alone: bool = False) -> bool:
        """A problems passage starts here; opening a paragraph, it lasts over its enumeration;
        as a paragraph of its own, over the paragraphs that follow, up to a heading or a plan."""
        strong = STRONG_PROBLEM_SENTENCE.search(sentence)
        weak = (self.context != PLAN and WEAK_PROBLEM_SENTENCE.search(sentence)
                and not CONCESSION.search(sentence) and not REMEDY.search(sentence))
        if not (strong or weak):
            return False
        if first_in_line and self.context not in (PROBLEM, PLAN):
            self.resume, self.context, self.problem_cued = self.context, PROBLEM, True
            self.problems_seen, self.problem_line_alone = True, alone and strong is not None
        return True

    def _read_heading(self, line: str) -> str | None:
        """Update the context from a heading; sub-headings (（一）) only open 问题 or 计划 parts."""
        body = re.sub(LIST_MARKER, "", line)
        if re.search(OUTSIDE_HEADING, body):
            self.closed = re.search("附件|结束语", body) is not None
            self.context = None
        elif re.search(PROBLEM_HEADING, body) and not REMEDY.search(body):
            self.context = PROBLEM
        elif re.search(STRONG_PLAN_HEADING, body) or self._is_later_year(body):
            self.context = PLAN
        elif re.match(LIST_MARKER, line) and not re.match(r"\s*[(（]", line):
            self.context = self._top_heading_role(body) or self._unnamed_part_role()
        elif not re.match(r"\s*[(（]", line):
            self.context = self._top_heading_role(body) or self.context
        self.problems_seen = self.problems_seen or self.context == PROBLEM
        return self.context

    def _unnamed_part_role(self) -> str | None:
        """A top heading without cue words: review first, tasks once problems were stated."""
        if self.context is None:
            return ACHIEVEMENT
        return PLAN if self.problems_seen else self.context

    def _is_later_year(self, body: str) -> bool:
        year = HEADING_YEAR.search(body)
        return bool(year and self.review_year and year.group() > self.review_year)

    def _top_heading_role(self, body: str) -> str | None:
        year = HEADING_YEAR.search(body)
        if re.search(PLAN_HEADING, body) and not re.search(REVIEW_HEADING, body):
            return PLAN
        if re.search(ACHIEVEMENT_HEADING, body) or year and "工作" in body:
            self.review_year = self.review_year or (year.group() if year else None)
            return ACHIEVEMENT
        return None

    def _sentence_role(self, sentence: str) -> str | None:
        if self.context is None and RESULT_SENTENCE.search(sentence):
            self.context = ACHIEVEMENT
        return self.context


PREAMBLE_SECTION_HEADING = rf"{REVIEW_HEADING}|{PROBLEM_HEADING}|{STRONG_PLAN_HEADING}|总结"


def _is_preamble_line(line: str) -> bool:
    """Above the report's first line, a short line is a page header, title or byline unless it
    names a part of the report (2023年工作回顾, 存在的问题, 下步工作打算)."""
    return _is_combined_title(line) or not re.search(PREAMBLE_SECTION_HEADING, line)


def _is_combined_title(line: str) -> bool:
    """A title over both parts of a report (工作总结和…工作计划) names no single section."""
    return (re.search(ACHIEVEMENT_HEADING, line) is not None and re.search(PLAN_HEADING, line) is not None
            and not re.search(REVIEW_HEADING, line))


def _is_heading(line: str) -> bool:
    short = len(line) <= HEADING_MAX_CHARS and not re.search(r"[。；;！!？?]", line[:-1])
    return short and (re.match(LIST_MARKER, line) is not None or not re.search(r"[，,。]", line))


def _merge_runs(sentences, roles, view) -> list[Span]:
    spans: list[Span] = []
    for (start, end), role in zip(sentences, roles):
        last = spans[-1] if spans else None
        if last and last.label == role and "\n" not in view[last.end:start]:
            spans[-1] = Span(last.start, end, role, SECTION)
        elif role:
            spans.append(Span(start, end, role, SECTION))
    return spans


def tag_document(text: str, doc_id: str = "") -> Document:
    """A document with both layers tagged by rules."""
    return Document(doc_id, text, tag_sections(text) + tag_quantities(text))
