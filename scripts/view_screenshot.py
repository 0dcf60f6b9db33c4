"""Make the README's screenshot of ``govtag view``: the made-up example report tagged by the rule
tagger, opened in headless Chromium (scripts/install_browser.sh), one quantity's tooltip shown.

    PYTHONPATH=src python scripts/view_screenshot.py [REPORT] [-o docs/govtag_view.png]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from govtag.run.predict import analyse
from govtag.rules.tagger import tag_document
from govtag.core.text import read_report
from govtag.outputs.view import render_page

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1100,1000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="data/examples/township_plan_blanks.txt")
    parser.add_argument("-o", "--output", default="docs/govtag_view.png")
    parser.add_argument("--tip", default="９８００元", help="the quantity whose tooltip is shown")
    args = parser.parse_args()
    path = Path(args.report)
    text = read_report(path)
    page = render_page([{**analyse(tag_document(text, path.stem)), "text": text}])
    with tempfile.TemporaryDirectory(prefix="govtag-view-") as work:
        html = Path(work, "view.html")
        html.write_text(page, encoding="utf-8")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in (*FLAGS, f"--user-data-dir={Path(work, 'profile')}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(html.as_uri())
            driver.execute_script(
                "for (const q of document.querySelectorAll('.text .q'))"
                " if (q.textContent === arguments[0]) { q.classList.add('show-tip'); break; }", args.tip)
            height = driver.execute_script("return document.querySelector('table.sums')"
                                           ".getBoundingClientRect().bottom + window.scrollY + 20")
            driver.set_window_size(1100, int(height) + 120)
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(args.output)
        finally:
            driver.quit()
    shutil.os.chmod(args.output, 0o644)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
