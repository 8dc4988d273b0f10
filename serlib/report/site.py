"""The course as a static HTML site that works offline: ``make site`` (``python -m serlib.report.site``).

Pages, in course order:

- ``index.html``: the course map, every notebook with its title, and the full
  references of the papers, corpora and encoder (from :mod:`serlib.citations`);
- one page per notebook of ``notebooks/`` (``NN_name.html``), exported by
  nbconvert from the notebook's **stored** outputs (committed, executed): nothing
  is re-executed, so the site shows what the course shows and builds in seconds;
- ``equations.html``: the equation index (``docs/EQUATIONS.md``);
- ``results.html``: every results table under ``results/``, paper vs ours, with provenance.

Offline by construction: MathJax 3 (the ``tex-svg-full`` build, fonts inside, from
the ``django-static-mathjax`` package; Apache-2.0, its licence is copied alongside)
is bundled under ``assets/``; figures are extracted from the outputs into
``img/``; the Colab/Binder badge images (remote) are replaced by local badges with
the same links; the CDN scripts of nbconvert's template (require.js, the widget
manager, mermaid) are left out, and each widget output is drawn as static HTML
from the widget state stored in the notebook (:func:`static_widget_html`): the
audio players play, sliders and progress bars show their stored values.
Links between notebooks, to the equation index and to results files point at
the site's own pages; links to other repository files point at the repository.
"""
from __future__ import annotations

import argparse
import html
import json
import posixpath
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import settings

MARKER = ".serlib-site"
MATHJAX_BUILD = "tex-svg-full.js"
NOTEBOOK_DIR = settings.REPO_ROOT / "notebooks"
EQUATIONS_PAGE, RESULTS_PAGE, INDEX_PAGE = "equations.html", "results.html", "index.html"

MATHJAX_CONFIG = """<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'},
  svg: {fontCache: 'global'},
  options: {ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process'}
};
</script>
<script id="MathJax-script" defer src="assets/mathjax/%s"></script>""" % MATHJAX_BUILD

# nbconvert's lab template with its remote scripts left out and the site's navigation added.
NOTEBOOK_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}""" + MATHJAX_CONFIG + """{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}<link rel="stylesheet" href="assets/site.css">{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}{{ resources.site_nav_top }}{%- endblock body_header -%}
{% block body_footer %}{{ resources.site_nav_bottom }}</main></body>{% endblock body_footer %}
"""

SITE_CSS = """
nav.site-nav { font: 14px/1.5 system-ui, sans-serif; background: #f3f5f8; border-bottom: 1px solid #d0d7de;
  padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; }
nav.site-nav a { color: #0b57d0; text-decoration: none; } nav.site-nav a:hover { text-decoration: underline; }
nav.site-nav a.current { font-weight: 600; color: #1f2328; }
nav.site-nav .home { font-weight: 700; margin-right: 10px; }
nav.site-pager { font: 14px/1.5 system-ui, sans-serif; display: flex; justify-content: space-between;
  border-top: 1px solid #d0d7de; margin: 32px 0 16px; padding: 12px 16px; }
body.site-page { margin: 0; font: 15px/1.6 system-ui, sans-serif; color: #1f2328; }
body.site-page main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 24px; }
body.site-page table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }
body.site-page th, body.site-page td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
body.site-page th { background: #f6f8fa; }
body.site-page code { font-size: 12px; background: #f6f8fa; padding: 0 3px; }
ol.course li { margin: 4px 0; }
"""

BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}">
<rect width="{width}" height="20" rx="3" fill="{colour}"/>
<text x="{half}" y="14" fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"
 text-anchor="middle">{label}</text></svg>
"""


class SiteError(ValueError):
    """The site cannot be built from what the repository holds."""


@dataclass(frozen=True)
class Page:
    file: str  # relative to the site root
    title: str
    kind: str  # index | notebook | equations | results


def mathjax_source() -> Path:
    """MathJax's self-contained SVG build inside the installed ``django-static-mathjax`` package."""
    try:
        import mathjax  # the django-static-mathjax distribution; plain static files, Django is not needed
    except ImportError as exc:
        raise SiteError("the site bundles MathJax from the 'django-static-mathjax' package: "
                        "pip install -c requirements/lock.txt -e '.[site]'") from exc
    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / MATHJAX_BUILD
    if not path.is_file():
        raise SiteError(f"{path} is missing: the installed django-static-mathjax has no {MATHJAX_BUILD}")
    return path


def _prepare(out: Path) -> None:
    """Empty ``out`` for a fresh build, but only if it is a previous site (never an unrelated folder)."""
    if out.exists():
        if not out.is_dir():
            raise SiteError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SiteError(f"{out} is not empty and is not a course site built here; choose another --out or remove it")
        shutil.rmtree(out)
    (out / "assets" / "mathjax").mkdir(parents=True)
    (out / "assets" / "badges").mkdir()
    (out / MARKER).write_text("built by python -m serlib.report.site\n")


def _copy_assets(out: Path) -> None:
    source = mathjax_source()
    shutil.copy2(source, out / "assets" / "mathjax" / MATHJAX_BUILD)
    licence = source.parent.parent / "LICENSE"
    if licence.is_file():
        shutil.copy2(licence, out / "assets" / "mathjax" / "LICENSE")
    (out / "assets" / "site.css").write_text(SITE_CSS)


def _nav(pages: list[Page], current: Page) -> str:
    links = []
    for page in pages:
        label = page.file.removesuffix(".html").split("_")[0] if page.kind == "notebook" else page.title
        title = f' title="{html.escape(page.title)}"' if page.kind == "notebook" else ""
        css = ' class="current"' if page == current else (' class="home"' if page.kind == "index" else "")
        links.append(f'<a href="{page.file}"{css}{title}>{html.escape(label)}</a>')
    return f'<nav class="site-nav">{"".join(links)}</nav>'


def _pager(pages: list[Page], current: Page) -> str:
    i = pages.index(current)
    prev = f'<a href="{pages[i - 1].file}">← {html.escape(pages[i - 1].title)}</a>' if i > 0 else "<span></span>"
    nxt = (f'<a href="{pages[i + 1].file}">{html.escape(pages[i + 1].title)} →</a>'
           if i + 1 < len(pages) else "<span></span>")
    return f'<nav class="site-pager">{prev}{nxt}</nav>'


def _badge(out: Path, label: str) -> str:
    """A local badge with the label of a remote badge image (the link around it stays)."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "badge"
    width = 14 + 7 * len(label)
    colour = {"binder": "#579aca", "open-in-colab": "#f9ab00"}.get(slug, "#555")
    path = out / "assets" / "badges" / f"{slug}.svg"
    path.write_text(BADGE_SVG.format(width=width, half=width / 2, label=html.escape(label), colour=colour))
    return f"assets/badges/{slug}.svg"


def _rewrite(soup, out: Path, notebook_pages: dict[str, str], base: str) -> None:
    """Remote badge images -> local badges; repository-relative links -> site pages or the repository."""
    from .links import blob_url

    for img in soup.find_all("img"):
        src = img.get("src", "")
        if urlsplit(src).scheme in ("http", "https"):
            img["src"] = _badge(out, img.get("alt") or "link")
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            continue
        target = posixpath.normpath(posixpath.join(base, parts.path))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        name = posixpath.basename(target)
        if target.startswith("notebooks/") and name.removesuffix(".ipynb") in notebook_pages:
            anchor["href"] = notebook_pages[name.removesuffix(".ipynb")] + fragment
        elif target == "docs/EQUATIONS.md":
            anchor["href"] = EQUATIONS_PAGE + fragment
        elif target.startswith("results/"):
            anchor["href"] = RESULTS_PAGE + "#" + _results_anchor(target)
        elif not target.startswith(".."):
            anchor["href"] = blob_url(target) + fragment


def _results_anchor(path: str) -> str:
    """The anchor of a results table on the results page: ``results/fla_ser/table3.csv`` -> ``fla_ser-table3``."""
    stem = posixpath.splitext(path.removeprefix("results/"))[0]
    return re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def static_widget_html(model_id: str, state: dict) -> str | None:
    """A widget (ipywidgets model ``model_id`` and its children) as static HTML, from the stored widget state.

    Boxes, labels, HTML, output areas (their stored outputs: the audio players), sliders and progress bars;
    ``None`` for a model the state does not hold or a kind not drawn here (the caller keeps the text fallback).
    """
    model = state.get(model_id)
    if model is None:
        return None
    name, values = model.get("model_name", ""), model.get("state", {})

    def child(ref):
        return static_widget_html(str(ref).removeprefix("IPY_MODEL_"), state) or ""

    description = html.escape(str(values.get("description", "")))
    if name in ("HBoxModel", "VBoxModel", "BoxModel", "GridBoxModel"):
        direction = "row" if name == "HBoxModel" else "column"
        inner = "".join(child(c) for c in values.get("children", []))
        return f'<div class="widget-static" style="display:flex;flex-direction:{direction};gap:8px">{inner}</div>'
    if name == "LabelModel":
        return f"<span>{html.escape(str(values.get('value', '')))}</span>"
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<span>{description} {values.get('value', '')}</span>"
    if name == "OutputModel":
        parts = []
        for output in values.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                parts.append("".join(data["text/html"]))
            elif "image/png" in data:
                parts.append(f'<img alt="output" src="data:image/png;base64,{"".join(data["image/png"]).strip()}">')
            elif "text/plain" in data or "text" in output:
                parts.append(f"<pre>{html.escape(''.join(data.get('text/plain', output.get('text', ''))))}</pre>")
        return f"<div>{''.join(parts)}</div>"
    if name.endswith("SliderModel") and not name.endswith("RangeSliderModel"):
        return (f'<label class="widget-static" title="interactive in Jupyter; here the stored value">{description} '
                f'<input type="range" disabled min="{values.get("min", 0)}" max="{values.get("max", 100)}" '
                f'step="{values.get("step") or "any"}" value="{values.get("value", 0)}"> '
                f"{html.escape(str(values.get('value', '')))}</label>")
    if name.endswith("ProgressModel"):
        return f'<progress max="{values.get("max", 100)}" value="{values.get("value", 0)}"></progress>'
    return None


def _static_widgets(notebook) -> None:
    """Replace every widget view of a notebook by its static HTML (kept: the text fallback when not drawable)."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            drawn = static_widget_html(str(view.get("model_id", "")), state)
            del output["data"][WIDGET_VIEW]
            if drawn is not None:
                output["data"]["text/html"] = drawn
    notebook.metadata.pop("widgets", None)


def _notebook_page(path: Path, page: Page, pages: list[Page], out: Path, notebook_pages: dict[str, str]) -> None:
    import nbformat
    from bs4 import BeautifulSoup
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExtractOutputPreprocessor

    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"site.html.j2": NOTEBOOK_TEMPLATE})],
                            template_file="site.html.j2")
    exporter.register_preprocessor(ExtractOutputPreprocessor(
        output_filename_template=path.stem + "_{cell_index}_{index}{extension}",
        extract_output_types={"image/png", "image/jpeg", "image/svg+xml", "image/gif"}), enabled=True)
    notebook = nbformat.read(path, as_version=4)
    _static_widgets(notebook)
    body, resources = exporter.from_notebook_node(notebook, resources={
        "output_files_dir": "img", "site_nav_top": _nav(pages, page), "site_nav_bottom": _pager(pages, page),
        "metadata": {"name": page.title}})
    for name, data in resources.get("outputs", {}).items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    soup = BeautifulSoup(body, "html.parser")
    if soup.title is not None:
        soup.title.string = page.title
    _rewrite(soup, out, notebook_pages, base="notebooks")
    (out / page.file).write_text(str(soup), encoding="utf-8")


def _plain_page(page: Page, pages: list[Page], content: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(page.title)}</title><link rel="stylesheet" href="assets/site.css"></head>'
            f'<body class="site-page">{_nav(pages, page)}<main>{content}</main>{_pager(pages, page)}</body></html>\n')


def _markdown(text: str) -> str:
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "url"])(text)


def _index_content(notebook_list: list[tuple[Page, Path]]) -> str:
    from ..citations import PAPERS as PAPER_REFERENCES, RESOURCES, format_reference
    from ..course import notebook_title

    items = "".join(f'<li><a href="{page.file}">{html.escape(notebook_title(path))}</a></li>'
                    for page, path in notebook_list)
    papers = "\n".join(f"- `{key}`: {format_reference(key)}" for key in PAPER_REFERENCES)
    resources = "\n".join(f"- `{key}`: {format_reference(key)}" for key in RESOURCES)
    return (f"<h1>Speech emotion recognition, five papers, equation by equation</h1>"
            f"<p>The executed course notebooks (stored outputs, quick mode), the "
            f'<a href="{EQUATIONS_PAGE}">equation index</a> (paper element → serlib function → notebook) and the '
            f'<a href="{RESULTS_PAGE}">results tables</a> (paper vs ours, with provenance). '
            f"This site works offline: MathJax is bundled, figures are files of the site.</p>"
            f'<h2 id="notebooks">The notebooks, in course order</h2><ol class="course">{items}</ol>'
            f'<h2 id="references">References</h2><h3>The papers</h3>{_markdown(papers)}'
            f"<h3>Corpora and the pre-trained encoder, with their licences</h3>{_markdown(resources)}"
            f"<p>The course ships no corpus audio and nothing derived from it. MathJax (Apache-2.0) is bundled "
            f'under <code>assets/mathjax/</code> with its <a href="assets/mathjax/LICENSE">licence</a>.</p>')


def _equations_content(notebook_pages: dict[str, str]) -> str:
    from .index import INDEX_FILE

    if not INDEX_FILE.is_file():
        raise SiteError(f"{INDEX_FILE} is missing: run python -m serlib.report.index")
    rendered = _markdown(INDEX_FILE.read_text(encoding="utf-8"))

    def link_cell(match):  # the notebook column lists notebook stems: link each to its page
        stems = [s.strip() for s in match.group(1).split(",")]
        if not all(s in notebook_pages for s in stems):
            return match.group(0)
        return "<td>" + ", ".join(f'<a href="{notebook_pages[s]}">{s}</a>' for s in stems) + "</td>"

    return re.sub(r"<td>(\d\d_[\w, ]+)</td>", link_cell, rendered)


def _results_content(results_root: Path) -> str:
    import pandas as pd

    from ..results import is_results_table, read_results
    from .tables import paper_vs_ours

    parts = ['<h1>Results: paper vs ours</h1><p>Every table under <code>results/</code>, rendered from its CSV '
             "(percentages for accuracy-type metrics; ours = mean ± std over folds × seeds). "
             "Stand-in corpora are the first 2-2.4 s of each clip: not comparable one-to-one with published "
             "numbers.</p>"]
    # claims.csv (claim audits) and skipped.csv (tables over a budget) are not results tables: own sections below
    files = sorted(p for p in results_root.glob("*/*.csv") if is_results_table(p))
    if not files:
        raise SiteError(f"{results_root} holds no results CSV")
    contents = "".join(f'<li><a href="#{_results_anchor(f"results/{p.parent.name}/{p.name}")}">'
                       f"{p.parent.name} / {p.stem}</a></li>" for p in files)
    parts.append(f"<ul>{contents}</ul>")
    for path in files:
        frame = read_results(path)
        anchor = _results_anchor(f"results/{path.parent.name}/{path.name}")
        parts.append(f'<h2 id="{anchor}">{html.escape(path.parent.name)} {html.escape(path.stem)}</h2>')
        if frame.empty:
            parts.append("<p>(no rows)</p>")
            continue
        first = frame.iloc[0]
        revisions = ", ".join(sorted(set(frame["revision"].astype(str))))
        parts.append(f"<p><code>results/{path.parent.name}/{path.name}</code>: mode {html.escape(str(first['mode']))}, "
                     f"device {html.escape(str(first['device']))}, revision {html.escape(revisions)}, "
                     f"run {html.escape(str(max(frame['date'].astype(str))))}.</p>")
        notes = sorted({str(n) for n in frame.get("notes", []) if str(n) not in ("", "nan")})
        parts += [f"<p><em>{html.escape(n)}</em></p>" for n in notes]
        parts.append(paper_vs_ours(frame).to_html(index=False, border=0, na_rep="–"))
    for name, title, intro in (  # the side files of serlib.results.SIDE_FILES
            ("claims.csv", "Claim audits", "Each paper's claims checked against its own printed arithmetic and our "
             "runs: claim, where the paper makes it, its evidence, ours, the verdict and what it rests on."),
            ("skipped.csv", "Not run within the compute budget", "Tables a budgeted reproduction did not run, with "
             "their estimates; the command in the notes of each paper runs them.")):
        audits = sorted(results_root.glob(f"*/{name}"))
        if not audits:
            continue
        parts.append(f"<h1>{title}</h1><p>{intro}</p>")
        for path in audits:
            anchor = _results_anchor(f"results/{path.parent.name}/{path.name}")
            parts.append(f'<h2 id="{anchor}">{html.escape(path.parent.name)}</h2>'
                         f"<p><code>results/{path.parent.name}/{path.name}</code></p>")
            parts.append(pd.read_csv(path, keep_default_na=False).to_html(index=False, border=0))
    return "".join(parts)


def build_site(out: Path, notebooks_dir: Path = NOTEBOOK_DIR, results_root: Path | None = None,
               require_executed: bool = True) -> list[Page]:
    """Build the site into ``out`` (emptied first if it is a previous site); returns its pages in order.

    ``require_executed`` refuses notebooks with never-executed code cells (``make site`` shows stored
    outputs); ``make course`` turns it off so a notebook that failed half-way still gets its page.
    """
    from ..course import notebook_title, notebooks

    out = Path(out)
    results_root = Path(results_root) if results_root is not None else settings.results_dir()
    paths = notebooks(Path(notebooks_dir))
    if not paths:
        raise SiteError(f"{notebooks_dir} holds no NN_name.ipynb notebook")
    for path in paths if require_executed else []:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(c["cell_type"] == "code" and c.get("source") and c.get("execution_count") is None for c in cells):
            raise SiteError(f"{path} has code cells that were never executed: the site shows stored outputs; "
                            f"run make notebooks-refresh first")
    notebook_list = [(Page(f"{p.stem}.html", notebook_title(p), "notebook"), p) for p in paths]
    pages = ([Page(INDEX_PAGE, "Course", "index")] + [page for page, _ in notebook_list]
             + [Page(EQUATIONS_PAGE, "Equation index", "equations"), Page(RESULTS_PAGE, "Results", "results")])
    notebook_pages = {path.stem: page.file for page, path in notebook_list}
    _prepare(out)
    _copy_assets(out)
    for page, path in notebook_list:
        _notebook_page(path, page, pages, out, notebook_pages)
    from bs4 import BeautifulSoup

    for page, content in ((pages[0], _index_content(notebook_list)),
                          (pages[-2], _equations_content(notebook_pages)), (pages[-1], _results_content(results_root))):
        soup = BeautifulSoup(_plain_page(page, pages, content), "html.parser")
        _rewrite(soup, out, notebook_pages, base="docs" if page.kind == "equations" else "")
        (out / page.file).write_text(str(soup), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serlib.report.site", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=settings.REPO_ROOT / "build" / "site",
                        help="folder of the site (default: build/site)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pages = build_site(args.out)
    print(f"built {len(pages)} pages into {args.out} in {time.perf_counter() - started:.1f} s; "
          f"open {args.out / INDEX_PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
