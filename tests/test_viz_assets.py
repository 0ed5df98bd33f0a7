"""`spsim viz-assets`: npm tarballs unpacked where Solara's proxy looks, checked, bundled and unbundled.

The npm registry is replaced by a fake one built here, so these tests need no network; the real fetch is
exercised by the browser test.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile

import pytest

from spsim.experiments.cli import commands as cli

from spsim.experiments.viz import asset_cache, asset_pins, npm_registry
from spsim.experiments.viz import assets as viz_assets
def _tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def registry(monkeypatch):
    """A fake npm registry serving every package of the manifest, and counting downloads."""
    served: dict[str, bytes] = {}
    downloads: list[str] = []

    def metadata(name: str, versions: list[str]) -> dict:
        out = {}
        for version in versions:
            tarball = _tarball({
                "package.json": json.dumps({"name": name, "version": version, "main": "dist/index.js"}),
                "dist/index.js": f"/* {name} {version} */",
            })  # fmt: skip
            url = f"https://fake/{name}/-/{version}.tgz"
            served[url] = tarball
            digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
            out[version] = {"dist": {"tarball": url, "integrity": f"sha512-{digest}"}}
        return {"versions": out}

    catalogue = {}
    for spec_text in viz_assets.PACKAGES:
        spec = viz_assets.PackageSpec.parse(spec_text)
        versions = [spec.version] if not spec.version.isdigit() else [f"{spec.version}.2.0", f"{spec.version}.10.1"]
        versions.append(f"{spec.version}.99.0-beta.1" if spec.version.isdigit() else "0.0.1")
        catalogue[spec.name] = metadata(spec.name, versions)

    def fake_get(url: str, timeout: float = 60.0) -> bytes:
        downloads.append(url)
        if url in served:
            return served[url]
        name = url.removeprefix("https://registry.test/").replace("%2F", "/")
        if name in catalogue:
            return json.dumps(catalogue[name]).encode()
        raise viz_assets.AssetError(f"spsim viz-assets: {url} answered 404")

    monkeypatch.setattr(npm_registry, "_get", fake_get)
    monkeypatch.setenv("npm_config_registry", "https://registry.test/")
    # the fake releases' hashes pinned the way the real ones are (assets.lock.json)
    pins = npm_registry.make_pins("https://registry.test")
    monkeypatch.setattr(asset_pins, "pinned", lambda: pins)
    downloads.clear()
    return {"served": served, "downloads": downloads, "pins": pins}


def test_every_package_lands_where_the_proxy_looks(tmp_path, registry):
    fetched = viz_assets.ensure(tmp_path, echo=lambda _: None)
    assert fetched == list(viz_assets.PACKAGES)
    assert viz_assets.missing(tmp_path) == []
    # the proxy maps /_solara/cdn/<package>@<version>/<file> to this folder; a bare address to __main.js
    vuetify = tmp_path / "@widgetti" / "solara-vuetify-app@10.1.1"
    assert (vuetify / "dist" / "index.js").read_text() == "/* @widgetti/solara-vuetify-app 10.1.1 */"
    assert (vuetify / "__main.js").read_text() == (vuetify / "dist" / "index.js").read_text()
    assert not [p for p in tmp_path.rglob(".unpacking-*")], "no half-unpacked folder is left behind"


def test_a_major_version_range_takes_the_newest_release_not_a_prerelease(tmp_path, registry):
    npm_registry.fetch("vega@5", tmp_path, "https://registry.test")
    assert "5.10.1" in (tmp_path / "vega@5" / "dist" / "index.js").read_text()


def test_a_second_run_fetches_nothing(tmp_path, registry):
    viz_assets.ensure(tmp_path, echo=lambda _: None)
    registry["downloads"].clear()
    assert viz_assets.ensure(tmp_path, echo=lambda _: None) == []
    assert registry["downloads"] == []


def test_a_download_that_does_not_match_the_registry_hash_is_refused(tmp_path, registry):
    for url in registry["served"]:
        registry["served"][url] = registry["served"][url][:-10] + b"0123456789"
    with pytest.raises(viz_assets.AssetError, match="does not match the registry's hash"):
        npm_registry.fetch("requirejs@2.3.6", tmp_path, "https://registry.test")
    assert not (tmp_path / "requirejs@2.3.6").exists()


def test_a_bundle_carries_the_assets_to_a_machine_without_network(tmp_path, registry):
    online, offline = tmp_path / "online", tmp_path / "offline"
    viz_assets.ensure(online, echo=lambda _: None)
    viz_assets.bundle(tmp_path / "assets.tar.gz", online)
    assert viz_assets.missing(offline) == list(viz_assets.PACKAGES)
    viz_assets.unbundle(tmp_path / "assets.tar.gz", offline)
    assert viz_assets.missing(offline) == []
    for spec in viz_assets.PACKAGES:
        folder = viz_assets.PackageSpec.parse(spec).folder
        assert (offline / folder / "__main.js").read_bytes() == (online / folder / "__main.js").read_bytes()


def test_a_bundle_missing_packages_is_refused_in_one_line(tmp_path):
    partial = tmp_path / "partial.tar.gz"
    with tarfile.open(partial, "w:gz") as archive:
        (tmp_path / "requirejs@2.3.6").mkdir()
        archive.add(tmp_path / "requirejs@2.3.6", arcname="requirejs@2.3.6")
    with pytest.raises(viz_assets.AssetError, match="lacks .*vega@5"):
        viz_assets.unbundle(partial, tmp_path / "cache")


def test_the_command_reports_a_missing_bundle_in_one_line_with_exit_code_2(tmp_path, capsys):
    assert cli.main(["viz-assets", "--from", str(tmp_path / "nowhere.tar.gz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"spsim viz-assets: --from {tmp_path / 'nowhere.tar.gz'}: no such file"]


def test_an_unreachable_registry_is_one_line_too(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOLARA_ASSETS_PROXY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(viz_assets, "cache_dir", lambda: tmp_path)
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9")  # nothing listens on the discard port
    assert cli.main(["viz-assets"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spsim viz-assets: cannot reach http://127.0.0.1:9/")


def _serve_from(cache, monkeypatch):
    """`spsim viz` on ``cache``, stopping where it would become the server (returns what it did)."""

    class Served(BaseException):
        pass

    def become_server(*args):
        raise Served

    monkeypatch.setattr(viz_assets, "cache_dir", lambda: cache)
    monkeypatch.setattr(os, "execve", become_server)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    try:
        return cli.main(["viz", "--no-fetch"])
    except Served:
        return "served"


def test_a_cached_file_changed_after_it_was_fetched_is_refused_before_serving(tmp_path, registry, monkeypatch, capsys):
    viz_assets.ensure(tmp_path, echo=lambda _: None)
    assert _serve_from(tmp_path, monkeypatch) == "served"
    assert (tmp_path / asset_cache.VERIFIED).is_file()  # the next start hashes only what changed
    script = tmp_path / "requirejs@2.3.6" / "dist" / "index.js"
    stat = script.stat()
    script.write_text("/* same size?*/"[: stat.st_size].ljust(stat.st_size))  # same size, and mtime set back:
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # only the ctime tells it changed
    capsys.readouterr()
    assert _serve_from(tmp_path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(script) in err and "differs from the pinned sha512" in err
    script.unlink()
    assert _serve_from(tmp_path, monkeypatch) == 2
    assert "missing or not a regular file" in capsys.readouterr().err


def test_checking_an_unchanged_cache_is_quick(tmp_path, registry, monkeypatch):
    viz_assets.ensure(tmp_path, echo=lambda _: None)
    assert viz_assets.verify(tmp_path) == sum(len(pin["files"]) for pin in registry["pins"].values())
    hashed = []
    monkeypatch.setattr(asset_pins, "sha512", lambda data: hashed.append(data) or "")
    viz_assets.verify(tmp_path)
    assert hashed == []  # nothing changed: nothing read again


def test_a_start_without_the_assets_says_which_command_fetches_them_and_serves_nothing(tmp_path, monkeypatch, capsys):
    """Issue 28, 5: `spsim viz --no-fetch` with an empty cache served a blank page for a minute of 404s."""
    assert _serve_from(tmp_path, monkeypatch) == 2  # not "served": the server never starts
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "front-end assets are missing" in err and "`spsim viz-assets`" in err
