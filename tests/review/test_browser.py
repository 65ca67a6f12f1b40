"""The review page in a real headless browser: ``hw1-grader review OUT`` serves it, the keyboard decides a group of
two answers and the score field a single one, and then grades.csv, the feedback pages and the summary show the new
scores with who reviewed them, while the reports keep the grader's.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and Selenium (the ``test`` extra).
HW1_REVIEW_SCREENSHOT=path.png saves the page's screenshot there (docs/review_desk.png is made so)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from review_helpers import ITEM, ROOT, machine_item, read_csv

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="Selenium is not installed: pip install -e '.[test]'")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromedriver are not installed "
                                "(apt-get install chromium chromium-driver)")


@pytest.fixture
def page_url(out):
    proc = subprocess.Popen([sys.executable, "-m", "grader", "review", str(out), "--no-browser", "--reviewer",
                             "ta.alice"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()
            url = line.split()[1] if line.startswith("Open http://127.0.0.1:") else None
        assert url is not None
        yield url
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=30)


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.implicitly_wait(0)
    yield drv
    drv.quit()


def wait_for(browser, condition, what: str, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(lambda d: condition(d), message=what)


def progress(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "progress").text


def current(browser):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, "section.card.current")


def test_deciding_a_group_and_a_single_answer_reaches_every_file(page_url, browser, out, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(page_url)
    assert browser.title.startswith("Review: ")
    assert progress(browser) == "3 of 3 answers left to review, in 2 of 2 groups."
    body = browser.find_element(By.TAG_NAME, "body")
    group = current(browser)  # the first group left: alice and bob, who wrote the same answer
    group_id = group.get_attribute("id")
    assert "2 answers read the same" in group.text and "alice" in group.text and "bob" in group.text
    shown = group.text.casefold()  # the headings are set in capitals
    assert "concepts the rubric looks for" in shown and "what the grader read, and its score: 4 / 4" in shown

    # the keyboard: j/k move between groups, a digit is the score, c the comment, Enter saves
    body.send_keys("j")
    assert current(browser).get_attribute("id") != group_id
    body.send_keys("k")
    assert current(browser).get_attribute("id") == group_id
    body.send_keys("7", Keys.ENTER)  # more than the item's 4 points: refused on the page, nothing saved
    wait_for(browser, lambda d: "Give a score from 0 to 4" in current(d).text, "the page refuses 7 / 4")
    assert not (out / "overrides.json").exists()
    score = group.find_element(By.NAME, "score")
    score.send_keys(Keys.ESCAPE)
    body.send_keys("3")
    assert score.get_attribute("value") == "3"
    score.send_keys(Keys.ESCAPE)
    body.send_keys("c")
    browser.switch_to.active_element.send_keys("Right ideas; the 1/4 bound is stated without a reason.",
                                               Keys.ENTER)
    wait_for(browser, lambda d: progress(d) == "1 of 3 answers left to review, in 1 of 2 groups.",
             "the group is decided")
    decided = browser.find_element(By.ID, group_id)  # the card the server sent back in place of the old one
    assert "decided" in decided.get_attribute("class").split() and decided.text.count("3 by ta.alice") == 2
    single = current(browser)  # the page moved on to the group left: carol's answer alone
    assert "single answer" in single.text and "carol" in single.text
    browser.execute_script("window.scrollTo(0, 0)")
    shot = tmp_path / "review_desk.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("HW1_REVIEW_SCREENSHOT"):
        shutil.copy(shot, os.environ["HW1_REVIEW_SCREENSHOT"])

    # the single answer, with the mouse and the score field
    field = single.find_element(By.NAME, "score")
    field.click()
    field.send_keys("2.5", Keys.TAB, "Cheaper to compute, yes; nothing on gradients.", Keys.ENTER)
    wait_for(browser, lambda d: progress(d) == "All 3 answers reviewed (2 groups).", "every answer is decided")

    table = read_csv(out / "grades.csv")
    assert [table[n][ITEM] for n in ("alice", "bob", "carol", "dan")] == ["3", "3", "2.5", "0"]
    assert table["alice"]["reviewed"] == f"{ITEM}: 3 (the grader's 4), reviewed by ta.alice"
    assert table["carol"]["reviewed"] == f"{ITEM}: 2.5 (the grader's 1), reviewed by ta.alice"
    assert table["dan"]["reviewed"] == ""
    page = (out / "feedback" / "carol.md").read_text()
    assert "| 2.5 / 4 | partial (reviewed by ta.alice) |" in page
    assert "the grader's automatic score was 1). Comment: Cheaper to compute, yes" in page
    assert "the 1/4 bound is stated without a reason" in (out / "feedback" / "bob.md").read_text()
    summary = (out / "summary" / "summary.md").read_text()
    assert "3 item scores of 3 submissions set by a reviewer" in summary
    assert f"| {ITEM} | 0% (0/4) | 2.12 / 4 (3 reviewed) |" in summary
    assert "3 with scores set by a reviewer" in (out / "summary" / "histogram.svg").read_text()
    for name, grader, reviewer in (("alice", 4.0, 3.0), ("bob", 4.0, 3.0), ("carol", 1.0, 2.5)):
        item = machine_item(out, name)
        assert (item["score"], item["review"]["score"], item["review"]["reviewer"]) == (grader, reviewer,
                                                                                      "ta.alice")
    assert browser.get_log("browser") == []  # no script error, nothing refused by the page's own rules


def test_a_decision_can_be_cleared_and_the_page_loads_nothing_from_elsewhere(page_url, browser, out):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(page_url)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("n")  # the next group left: carol's answer alone
    card_id = current(browser).get_attribute("id")
    assert "carol" in current(browser).text
    body.send_keys("2", Keys.ENTER)
    wait_for(browser, lambda d: progress(d) == "2 of 3 answers left to review, in 1 of 2 groups.", "decided")
    assert read_csv(out / "grades.csv")["carol"][ITEM] == "2"
    browser.find_element(By.ID, card_id).find_element(By.CSS_SELECTOR, "button.clear").click()
    wait_for(browser, lambda d: progress(d) == "3 of 3 answers left to review, in 2 of 2 groups.", "cleared")
    assert read_csv(out / "grades.csv")["carol"][ITEM] == "1" and "to review" in browser.find_element(
        By.ID, card_id).text
    origin = page_url.split("/")[2]
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.split("/")[2] == origin for url in loaded), loaded
    assert browser.get_log("browser") == []
