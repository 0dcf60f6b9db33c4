"""``govtag view``: the page holds one band per section and one highlight per quantity, escapes
the text, sums totals only, shows status and relation on hover, hides targets from its legend, and loads in a real headless Chromium (Debian's /usr/bin/chromium
driven by selenium through /usr/bin/chromedriver; scripts/install_browser.sh installs both).

The browser test keeps a screenshot under its pytest tmp dir, and copies it to $GOVTAG_ARTIFACTS
when that is set."""

import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govtag.cli.main import main
from govtag.run.predict import analyse
from govtag.rules.tagger import tag_document
from govtag.outputs.view import render_page, sums_by_section, tooltip

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage")
REPORT = ("xx鎮20__年工作總結\n一、20__年工作回顧\n全鎮完成地區生產總值約３．２億元，同比增長６．５％；"
          "農民人均可支配收入９８００元。發放補助資金４５０萬元，其中上級資金２００萬元，惠及群眾３２００戶。\n"
          "二、存在的問題\n村集體經濟收入不足１０萬元的村仍有３個。\n"
          "三、20__年工作計劃\n計劃投入資金xx萬元，新建產業路１２公里，新設展板４塊。\n")
HOSTILE = "xx村<script>alert('x')</script> & \"引號\"投入２００萬元。\n"


def result_of(text: str, doc_id: str) -> dict:
    return {**analyse(tag_document(text, doc_id)), "text": text}


class Counter(HTMLParser):
    """Counts the elements of the marked text by class, and records external references."""

    def __init__(self):
        super().__init__()
        self.bands = self.quantities = 0
        self.external = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "band" in classes and attrs.get("id"):
            self.bands += 1
        if "q" in classes and attrs.get("id"):
            self.quantities += 1
        for key in ("src", "href"):
            if attrs.get(key) and not attrs[key].startswith("#"):
                self.external.append(attrs[key])


def test_page_has_one_band_per_section_and_one_highlight_per_quantity():
    results = [result_of(REPORT, "xx_town"), result_of(HOSTILE, "hostile")]
    counter = Counter()
    counter.feed(render_page(results))
    assert counter.bands == sum(len(r["sections"]) for r in results) > 0
    assert counter.quantities == sum(len(r["quantities"]) for r in results) > 0
    assert counter.external == []


def test_page_escapes_the_text():
    page = render_page([result_of(HOSTILE, "<b>id</b>")], title="<i>t</i>")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>id</b>" not in page and "<i>t</i>" not in page
    assert "http://" not in page and "https://" not in page


def test_sums_take_totals_only():
    quantities = result_of(REPORT, "xx_town")["quantities"]
    summed = {q["text"] for q in quantities if q["total"]}
    assert summed == {"４５０萬元", "３２００戶", "３個"}
    sums = sums_by_section(quantities)
    # 约３．２億元 (about), 人均 9800元 (per) and 其中 ２００萬元 (a part) are left out
    assert sums[("成绩", "元")] == (4_500_000, 1)
    assert not any(section == "计划" for section, _ in sums)  # planned: xx萬元 (a blank), 12公里, 4塊 (targets)


def test_sums_follow_the_total_field_and_never_add_percentages():
    quantities = [{"label": "MONEY", "value": 5, "unit": "元", "qualifier": "exact", "total": True},
                  {"label": "MONEY", "value": 7, "unit": "元", "qualifier": "exact", "total": False},
                  {"label": "PERCENT", "value": 30, "unit": "%", "qualifier": "exact", "total": True}]
    assert sums_by_section(quantities) == {("—", "元"): (5, 1)}


def test_status_and_relation_show_on_hover():
    quantities = {q["text"]: q for q in result_of(REPORT, "xx_town")["quantities"]}
    assert "status: target" in tooltip(quantities["１２公里"]) and "total: no" in tooltip(quantities["１２公里"])
    assert "relation: part" in tooltip(quantities["２００萬元"])
    assert "status: actual" in tooltip(quantities["４５０萬元"]) and "total: yes" in tooltip(quantities["４５０萬元"])
    page = render_page([result_of(REPORT, "xx_town")])
    assert page.count('data-status="target"') >= 3 and 'data-relation="part"' in page


def test_view_command_writes_the_page(tmp_path, capsys):
    report = tmp_path / "xx_town.txt"
    report.write_text(REPORT, encoding="utf-8")
    out = tmp_path / "pages" / "view.html"
    assert main(["view", "--rules", str(report), str(report), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('class="report"') == 2 and "xx_town" in page


def test_view_refuses_a_directory_as_output_before_tagging(tmp_path, capsys):
    assert main(["view", "--rules", str(tmp_path / "missing.txt"), "-o", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def browser_or_skip():
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium, /usr/bin/chromedriver): "
                    "run scripts/install_browser.sh")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (test extras)")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="govtag-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    return driver, profile


def keep_artifact(path: Path) -> None:
    folder = os.environ.get("GOVTAG_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(folder) / path.name)


def test_page_in_a_headless_browser(tmp_path):
    results = [result_of(REPORT, "xx_town"), result_of(HOSTILE, "hostile")]
    page = tmp_path / "view.html"
    page.write_text(render_page(results), encoding="utf-8")
    driver, profile = browser_or_skip()
    try:
        driver.get(page.as_uri())
        reports = driver.find_elements("css selector", "article.report")
        assert len(reports) == len(results)
        for element, result in zip(reports, results):
            assert len(element.find_elements("css selector", ".text .band")) == len(result["sections"])
            assert len(element.find_elements("css selector", ".text .q")) == len(result["quantities"])
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
        assert driver.execute_script("return document.querySelectorAll('script[src],link[href]').length") == 0
        first = driver.find_element("css selector", ".text .q")
        assert "qualifier" in first.get_attribute("data-tip") and "status" in first.get_attribute("data-tip")
        targets = driver.find_elements("css selector", ".text .q[data-status=target]")
        target_rows = driver.find_elements("css selector", "table.quantities tr[data-status=target]")
        assert len(targets) == len(target_rows) == sum(q["status"] == "target" for r in results for q in r["quantities"]) > 0
        assert all(row.is_displayed() for row in target_rows)
        driver.find_element("css selector", "#show-targets").click()
        assert all("target-off" in q.get_attribute("class") for q in targets)
        assert not any(row.is_displayed() for row in target_rows)
        others = driver.find_elements("css selector", ".text .q:not([data-status=target])")
        assert others and not any("target-off" in q.get_attribute("class") for q in others)
        driver.find_element("css selector", "#show-targets").click()
        assert all(row.is_displayed() for row in target_rows)
        driver.execute_script("arguments[0].classList.add('show-tip')", first)
        shot = tmp_path / "govtag_view.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 1000
        keep_artifact(shot)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
