"""The page's front-end packages and their pinned releases: every file's sha512 in assets.lock.json (beside this
module, shipped as package data). Whatever is served to the browser runs in it, so a download, a bundle or a
cached file whose JavaScript differs from the published release is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PINS_FILE = Path(__file__).with_name("assets.lock.json")

# Each entry is the <package>@<version> prefix exactly as it appears in the page's asset addresses.
# A version may be a major-version range (e.g. "vega@5"), which jsDelivr resolves to the newest 5.x.
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",  # the page's application bundle, CSS and fonts
    "requirejs@2.3.6",  # module loader used by the widgets
    "font-awesome@4.5.0",  # icons
    "katex@0.16.9",  # formulas in Markdown text
    "mermaid@10.8.0",  # diagrams in Markdown text (loaded by every Markdown component)
    "vega@5",  # the charts are drawn in the browser with Vega-Lite...
    "vega-lite@5",
    "vega-embed@6",  # ...embedded by this
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",  # the movable grid of plots (Mesa's SolaraViz)
)


class AssetError(Exception):
    """The assets could not be fetched or unpacked; reported in one line."""


@dataclass(frozen=True)
class PackageSpec:
    name: str  # e.g. "@widgetti/solara-vuetify-app"
    version: str  # exact ("10.1.1") or a major-version range ("5")

    @classmethod
    def parse(cls, text: str) -> PackageSpec:
        at = text.rindex("@")  # a scoped name starts with "@" too: the version follows the last one
        return cls(text[:at], text[at + 1 :])

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"


def missing(folder: Path) -> list[str]:
    """The packages not yet unpacked in ``folder``."""
    return [spec for spec in PACKAGES if not (folder / PackageSpec.parse(spec).folder / "package.json").is_file()]


def sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


@cache
def pinned() -> dict[str, dict]:
    """{spec: {"version", "integrity", "files": {path: sha512 hex}}} for every package of PACKAGES."""
    try:
        pins = json.loads(PINS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AssetError(f"spsim viz-assets: {PINS_FILE}: unreadable pinned hashes ({type(err).__name__})") from err
    lacking = [spec for spec in PACKAGES if spec not in pins]
    if lacking:
        raise AssetError(f"spsim viz-assets: {PINS_FILE}: no pinned hashes for {', '.join(lacking)}")
    return pins


def check_files(spec: str, files: dict[str, str], where: str) -> None:
    """The package's files are exactly the pinned ones, byte for byte (by sha512)."""
    expected = pinned()[spec]["files"]
    for path, digest in sorted(files.items()):
        if path not in expected:
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{path}: not a file of the pinned release")
        if digest != expected[path]:
            raise AssetError(f"spsim viz-assets: {where}: {spec}/{path}: differs from the pinned sha512")
    absent = sorted(set(expected) - set(files))
    if absent:
        raise AssetError(f"spsim viz-assets: {where}: {spec}/{absent[0]}: missing ({len(absent)} files missing)")
