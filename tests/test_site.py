"""The course site opens in a real headless browser, offline: every page renders, equations are typeset,
figures load, internal links resolve; screenshots go to build/site-screenshots/.

Chromium comes from the system (Debian's ``chromium``; ``.ci/run`` installs it); playwright only drives it
and never downloads a browser. Without Chromium or playwright the test is skipped with the reason, except
in CI (``CI=true``), where it fails.
"""
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from serlib.course import notebooks
from serlib.report.site import MARKER, SiteError, build_site

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "site-screenshots"

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    for name in (os.environ.get("SERLIB_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required in CI: .ci/run installs Debian's chromium; playwright comes from the lock)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    pages = build_site(out)
    return out, pages


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _missing("no chromium on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -c requirements/lock.txt -e '.[site]')")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield instance
        instance.close()


# Text nodes outside code, scripts and typeset maths: raw TeX left there means MathJax did not typeset it.
_LOOSE_TEXT = """() => {
  const skip = new Set(['PRE', 'CODE', 'SCRIPT', 'STYLE', 'TEXTAREA', 'MJX-CONTAINER']);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let el = node.parentElement, skipped = false;
    for (; el; el = el.parentElement) { if (skip.has(el.tagName)) { skipped = true; break; } }
    if (!skipped) out.push(node.textContent);
  }
  return out.join(' ');
}"""


def test_site_has_a_page_per_notebook_in_course_order(site):
    out, pages = site
    stems = [p.stem for p in notebooks()]
    assert [p.file for p in pages] == ["index.html"] + [f"{s}.html" for s in stems] + ["equations.html",
                                                                                           "results.html"]
    for page in pages:
        assert (out / page.file).is_file()
    assert (out / "assets" / "mathjax" / "tex-svg-full.js").stat().st_size > 1_000_000
    index = (out / "index.html").read_text()
    from serlib.citations import PAPERS

    for key, ref in PAPERS.items():
        assert ref.title in index and (ref.doi is None or f"https://doi.org/{ref.doi}" in index), key


def test_an_unrelated_folder_is_never_emptied(tmp_path):
    (tmp_path / "precious.txt").write_text("keep")
    with pytest.raises(SiteError, match="not a course site built here"):
        build_site(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep"
    assert not (tmp_path / MARKER).exists()


def test_every_page_renders_offline_in_chromium(site, browser):
    out, pages = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    remote, errors = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(request_route):  # offline: anything but the site's own files is refused and recorded
        url = request_route.request.url
        if url.startswith("file://") or url.startswith("data:"):
            request_route.continue_()
        else:
            remote.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    typeset = {}
    for entry in pages:
        path = out / entry.file
        page.goto(path.as_uri(), wait_until="load")
        assert page.title(), f"{entry.file}: no title"
        assert page.locator("nav.site-nav a").count() == len(pages), f"{entry.file}: navigation incomplete"
        # maths: MathJax finishes typesetting before its startup promise resolves
        has_tex = page.evaluate("() => !!document.getElementById('MathJax-script')")
        if has_tex:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
            page.evaluate("() => MathJax.startup.promise")
            typeset[entry.file] = page.locator("mjx-container").count()
            assert page.locator("mjx-merror, mjx-container [data-mjx-error]").count() == 0, f"{entry.file}: TeX error"
        loose = page.evaluate(_LOOSE_TEXT)
        for raw in ("$$", "\\frac", "\\begin{", "\\mathrm", "\\sum"):
            assert raw not in loose, f"{entry.file}: raw TeX {raw!r} left in the rendered text"
        # figures: every image is a file of the site (or inline data) and decoded to a non-zero size
        page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
        images = page.evaluate("() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth, "
                               "i.naturalHeight, i.complete])")
        for src, width, height, complete in images:
            assert complete and width > 0 and height > 0, f"{entry.file}: image {src} did not load"
            if not src.startswith("data:"):
                assert (path.parent / unquote(src)).resolve().is_file(), f"{entry.file}: {src} is not in the site"
        # internal links: every relative link names a file of the site, and its #fragment an element there
        for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme, f"{entry.file}: link {href} uses {parts.scheme}:"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file() and target.is_relative_to(out.resolve()), f"{entry.file}: broken link {href}"
            if parts.fragment and target.suffix == ".html":
                ids = _ids(target)  # a browser tries the fragment as written, then percent-decoded (HTML spec)
                assert {parts.fragment, unquote(parts.fragment)} & ids, f"{entry.file}: link {href} names no element"
        assert page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count() == 0, \
            f"{entry.file}: a widget view was left for a widget manager the site does not load"
        if entry.kind == "index":
            page.screenshot(path=str(SCREENSHOTS / "index.png"))
        elif entry.file.startswith("00_"):
            page.screenshot(path=str(SCREENSHOTS / "course_map_top.png"))
    assert not remote, f"the site asked the network for {sorted(set(remote))[:5]}"
    assert not errors, errors[:5]
    notebook_maths = {f: n for f, n in typeset.items() if f[:2].isdigit()}
    assert notebook_maths and sum(notebook_maths.values()) > 0
    # the preprocessing notebook is the course's equation-by-equation page: it must show typeset equations
    equations_page = next(f for f in notebook_maths if "preprocessing" in f or "equation" in f)
    assert notebook_maths[equations_page] >= 5, notebook_maths
    page.goto((out / equations_page).as_uri(), wait_until="load")
    page.evaluate("() => MathJax.startup.promise")
    page.locator("mjx-container[display='true']").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "equations_notebook.png"))
    context.close()


_ID_CACHE = {}


def _ids(path: Path) -> set:
    if path not in _ID_CACHE:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        _ID_CACHE[path] = {el["id"] for el in soup.find_all(id=True)} | {el["name"] for el in soup.find_all("a", attrs={"name": True})}
    return _ID_CACHE[path]


def test_widgets_are_drawn_from_their_stored_state():
    from serlib.report.site import static_widget_html

    state = {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_label", "IPY_MODEL_out", "IPY_MODEL_s"]}},
        "label": {"model_name": "LabelModel", "state": {"value": "angry <clip>"}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {"text/html": "<audio controls></audio>", "text/plain": "Audio"}},
            {"output_type": "stream", "name": "stdout", "text": "a < b"}]}},
        "s": {"model_name": "FloatSliderModel", "state": {"description": "mu", "min": 0.0, "max": 0.99,
                                                          "step": 0.0125, "value": 0.9375}},
    }
    drawn = static_widget_html("box", state)
    assert drawn.startswith('<div class="widget-static" style="display:flex;flex-direction:row')
    assert "<span>angry &lt;clip&gt;</span>" in drawn and "<audio controls></audio>" in drawn
    assert "<pre>a &lt; b</pre>" in drawn
    assert 'type="range" disabled min="0.0" max="0.99" step="0.0125" value="0.9375"' in drawn
    assert static_widget_html("missing", state) is None
    assert static_widget_html("x", {"x": {"model_name": "DatePickerModel", "state": {}}}) is None
