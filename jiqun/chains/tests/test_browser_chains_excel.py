"""The Jining officer in Debian's headless Chromium: a chain exported, uploaded again with a mistake and refused
with the problem's sheet, row and column, then uploaded as exported and imported."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.core.tests.test_browser_csp import offline_page

pytestmark = BROWSER_TEST


def test_the_officer_is_told_what_is_wrong_in_a_chain_upload_then_imports_it(site, page, tmp_path):  # noqa: F811
    from jiqun.accounts.models import User
    from jiqun.chains import excel as X
    from jiqun.chains.excel import export_chain
    from jiqun.chains.models import Chain
    from jiqun.chains.tests.chain_fixtures import make_chain, rebuild

    SHOTS.mkdir(exist_ok=True)
    officer = User.objects.get(username="jining")
    chain = Chain.objects.filter(code="BR-CHAIN").first() or make_chain(officer, code="BR-CHAIN")
    good = export_chain(officer, chain)
    bad = tmp_path / "产业链.xlsx"
    bad.write_bytes(rebuild(good, rows={X.SEGMENT_SHEET: [["U9", "", "", "左游"]]}))
    outside, refused = offline_page(page, site)
    log_in(page, site, "jining")
    page.goto(f"{site}/chains/excel/{chain.pk}/import/")
    assert "按年度整体替换" in page.inner_text("#links-rule")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#problems")
    text = page.inner_text("#problems")
    assert "环节" in text and "左游" in text and "\t3\tD\t" in text
    page.screenshot(path=str(SHOTS / "chains-import-refused.png"), full_page=True)
    ok = tmp_path / "产业链-原样.xlsx"
    ok.write_bytes(good)
    page.set_input_files("input[type=file]", str(ok))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-ok")
    assert "BR-CHAIN" in page.inner_text("#import-ok")
    with page.expect_download() as download:
        page.click("#download-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert outside == [] and refused == []
