"""Front-end assets for the browser page, made available offline.

Solara's page loads its JavaScript, CSS and fonts through the server's proxy (`/_solara/cdn/<package>@<version>/
<file>`), which fetches them from a public CDN (jsDelivr) on first use and keeps them in a cache folder. With no
internet - these machines, and many NHS networks - the page stays blank. This module fills that cache folder
from the npm registry (the same package tarballs jsDelivr serves), so the page never needs the CDN:

    spsim viz-assets                        # fetch what is missing into the cache folder
    spsim viz-assets --bundle assets.tar.gz # ...and pack it, to carry to a machine with no network at all
    spsim viz-assets --from assets.tar.gz   # on that machine: unpack the bundle into its cache folder

The packages (asset_pins.PACKAGES) are the ones this page asks for with the pinned solara version
(pyproject.toml); the browser test (tests/test_browser.py) fails if the page requests anything that is not there.
Every file is checked against the sha512 pinned in assets.lock.json (asset_pins; regenerated from the registry by
npm_registry): a download (npm_registry), a bundle (asset_bundle) or a cached file (asset_cache) whose JavaScript
differs from the published release is refused before anything is written or served.

This module is the commands' one door to all of that: each function here takes Solara's cache folder unless
given another.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import asset_bundle, asset_cache, asset_pins, npm_registry
from .asset_bundle import BadBundle
from .asset_cache import TamperedCache
from .asset_pins import PACKAGES, AssetError, PackageSpec

__all__ = ["PACKAGES", "AssetError", "BadBundle", "PackageSpec", "TamperedCache", "bundle", "cache_dir", "ensure",
           "missing", "unbundle", "verify"]  # fmt: skip


def cache_dir() -> Path:
    """Solara's proxy cache folder (settings.assets.proxy_cache_dir; SOLARA_ASSETS_PROXY_CACHE_DIR moves it)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(folder: Path | None = None) -> list[str]:
    """The packages not yet unpacked in the cache folder."""
    return asset_pins.missing(folder or cache_dir())


def ensure(folder: Path | None = None, registry_url: str | None = None, echo=print) -> list[str]:
    """Fetch every package that is missing; returns what was fetched."""
    folder = folder or cache_dir()
    registry_url = registry_url or os.environ.get("npm_config_registry") or npm_registry.DEFAULT_REGISTRY
    fetched = []
    for spec in asset_pins.missing(folder):
        version = npm_registry.fetch(spec, folder, registry_url)
        echo(f"  {spec} (npm {version}) -> {folder / PackageSpec.parse(spec).folder}")
        fetched.append(spec)
    return fetched


def bundle(path: Path, folder: Path | None = None) -> None:
    """Pack the cached packages into one .tar.gz, to carry to a machine without network."""
    asset_bundle.bundle(path, folder or cache_dir())


def unbundle(path: Path, folder: Path | None = None) -> list[str]:
    """Unpack a bundle made by `bundle` into the cache folder (checked whole before anything is written)."""
    return asset_bundle.unbundle(path, folder or cache_dir())


def verify(folder: Path | None = None) -> int:
    """Check the cached packages against their pinned hashes before the page serves them; returns the files
    checked."""
    return asset_cache.verify(folder or cache_dir())
