"""The course's addresses, all derived from ``[project.urls] Repository`` in ``pyproject.toml``.

The README's badges and notebook links and the site's "open in" links are built
here from that one line (tests check that nothing disagrees with it). The
functions mirror the names and output of the notebook helpers (``repository_url``,
``colab_url``, ``binder_url``) so the two can be merged into one.
"""
from __future__ import annotations

import importlib.metadata
from pathlib import Path
from urllib.parse import quote

from .. import settings

#: The branch the links open.
DEFAULT_BRANCH = "main"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"


def repository_url(pyproject: Path | None = None) -> str:
    """``[project.urls] Repository`` of the checkout's pyproject.toml, else of the installed package."""
    import tomllib

    pyproject = Path(pyproject) if pyproject is not None else settings.REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        urls = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("urls", {})
        if "Repository" not in urls:
            raise KeyError(f"{pyproject}: [project.urls] has no 'Repository' entry")
        return str(urls["Repository"]).rstrip("/")
    for entry in importlib.metadata.metadata("serlib").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip().rstrip("/")
    raise KeyError("the installed serlib metadata has no 'Repository' Project-URL")


def github_slug(url: str | None = None) -> str:
    """``owner/name`` of the GitHub repository (Colab and Binder open GitHub repositories)."""
    url = (url or repository_url()).rstrip("/").removesuffix(".git")
    prefix = "https://github.com/"
    if not url.startswith(prefix) or url[len(prefix):].count("/") != 1:
        raise ValueError(f"repository address {url!r} is not https://github.com/OWNER/NAME")
    return url[len(prefix):]


def colab_url(notebook: str, url: str | None = None) -> str:
    """Colab's address of ``notebooks/<name>.ipynb`` (``notebook`` is the path inside the repository)."""
    return f"https://colab.research.google.com/github/{github_slug(url)}/blob/{DEFAULT_BRANCH}/{notebook}"


def binder_url(notebook: str, url: str | None = None) -> str:
    """Binder's address opening JupyterLab on ``notebook`` (a path inside the repository)."""
    return f"https://mybinder.org/v2/gh/{github_slug(url)}/{DEFAULT_BRANCH}?labpath={quote(notebook, safe='')}"


def blob_url(path: str, url: str | None = None) -> str:
    """The repository's web page of one file."""
    return f"{(url or repository_url())}/blob/{DEFAULT_BRANCH}/{path}"
