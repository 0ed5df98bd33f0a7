"""`spsim viz` (serve the browser page) and `spsim viz-assets` (its front-end assets, fetched or unpacked)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..inputs import place as places

from .errors import BadInput, one_line

MAX_PLACE_JSON = 100_000  # an environment variable holds at most 128 kB on Linux


def cmd_viz(port: int, fetch: bool, place_file: Path | None = None) -> int:
    """Serve experiments/viz/app.py with Solara on 127.0.0.1 (only to pages it served itself) and say where."""
    from ...model.place import ENVIRONMENT, to_json

    from ..viz import assets as viz_assets
    if not 1024 <= port <= 65535:
        raise BadInput(f"spsim viz: --port {port}: must be between 1024 and 65535")
    place_json = ""
    if place_file is not None:  # checked here, handed to the page's process as data
        site = places.load(place_file)
        place_json = to_json(site.parameters, site.layout)
        if len(place_json) > MAX_PLACE_JSON:
            raise BadInput(f"spsim viz: --place {place_file}: too many areas or listed groups for the browser page "
                           f"({len(place_json):,} bytes as data; at most {MAX_PLACE_JSON:,})")  # fmt: skip
    if fetch and viz_assets.missing():
        print("spsim viz: fetching the page's front-end assets (once) from the npm registry", flush=True)
        try:
            viz_assets.ensure()
        except viz_assets.AssetError as err:  # the network, not the user's input: no server for a blank page
            print(one_line(f"{err}; the page cannot be served without them: on a machine with no network, "
                           "`spsim viz-assets --from <bundle>`"), file=sys.stderr)  # fmt: skip
            return 1
    missing = viz_assets.missing()
    if missing:  # without them the browser gets 404s and a blank page: say so and start nothing
        raise BadInput(f"spsim viz: the page's front-end assets are missing ({len(missing)} packages, e.g. {missing[0]}, "
                       f"in {viz_assets.cache_dir()}); fetch them with `spsim viz-assets` (or `spsim viz-assets "
                       "--from <bundle>` offline), or drop --no-fetch")  # fmt: skip
    try:
        viz_assets.verify()  # whatever is served runs in the browser: a changed cached file is refused
    except viz_assets.TamperedCache as err:
        raise BadInput(str(err)) from None
    except viz_assets.AssetError as err:  # the project's own pinned hashes are unreadable: not the user's input
        print(one_line(str(err)), file=sys.stderr)
        return 1
    print(f"spsim viz: open http://127.0.0.1:{port}/ in a browser (Ctrl-C stops the server)", flush=True)
    # `solara run` behind a guard that refuses other Hosts and Origins (DNS rebinding, cross-site WebSockets)
    command = [sys.executable, "-m", "spsim.experiments.viz.guard",
               "run", "spsim.experiments.viz.app:page", "--host", "127.0.0.1", "--port", str(port), "--production"]  # fmt: skip
    # no usage reports to Solara's analytics service: offline it only adds failing requests
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", ENVIRONMENT: place_json}
    sys.stdout.flush()
    # become the server rather than start it as a child: stopping `spsim viz` (Ctrl-C, a signal from a test
    # or a service manager) then stops the server too, instead of leaving it running on the port
    os.execve(sys.executable, command, env)
    return 0  # not reached


def cmd_viz_assets(bundle: Path | None, source: Path | None) -> int:
    from ..viz import assets as viz_assets
    _check_bundle_paths(bundle, source)
    try:
        if source is not None:
            names = viz_assets.unbundle(source)
            print(f"spsim viz-assets: unpacked {len(names)} packages into {viz_assets.cache_dir()}")
            return 0
        fetched = viz_assets.ensure()
        print(f"spsim viz-assets: {len(fetched)} fetched, all {len(viz_assets.PACKAGES)} in {viz_assets.cache_dir()}")
        if bundle is not None:
            viz_assets.bundle(bundle)
            print(f"spsim viz-assets: bundle written to {bundle} (on the offline machine: spsim viz-assets --from {bundle.name})")
    except viz_assets.BadBundle as err:  # the bundle the user gave: refused before anything was written
        raise BadInput(str(err)) from None
    except viz_assets.AssetError as err:  # the network or the cache folder, not the user's input
        print(one_line(str(err)), file=sys.stderr)
        return 1
    return 0


def _check_bundle_paths(bundle: Path | None, source: Path | None) -> None:
    """--from names a file to read; --bundle a file that can be written once every asset is fetched (so a bad
    name is refused now, not after the download)."""
    option, path = ("--from", source) if source is not None else ("--bundle", bundle)
    try:
        if source is not None and not source.is_file():
            raise BadInput(f"spsim viz-assets: --from {source}: no such file")
        if bundle is not None:
            if bundle.is_dir():
                raise BadInput(f"spsim viz-assets: --bundle {bundle}: a folder; name the bundle file to write")
            parent = bundle.absolute().parent
            if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
                raise BadInput(f"spsim viz-assets: --bundle {bundle}: cannot write in {parent}")
    except OSError as err:
        raise BadInput(f"spsim viz-assets: {option} {path}: cannot be used ({err.strerror or type(err).__name__})") from None
