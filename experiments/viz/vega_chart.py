"""A Vega-Lite chart widget that is compiled once and then only given new data.

Solara's own chart widget (solara.widgets.VegaLite) takes a whole spec: each new spec waits 100 ms (a debounce),
then is compiled from Vega-Lite to Vega and drawn on a new canvas, 15-25 ms a chart in the browser, every week for
each of the page's eight charts. A week changes a chart's data, not its shape (marks, axes, legend). So this widget
keeps the two apart: ``shape`` is the spec with every inline data set replaced by a named one, ``rows`` the rows of
each, as one JSON text (a dict would be made reactive by Vue, row by row, every step, before Vega copied it again).
A step that changes only the rows sends only the rows, and the browser swaps them into the running Vega view (a
changeset, then one run): no debounce, no compiling, the same canvas. A new shape (a band switched on, a
lever-change rule, another place) is compiled and drawn afresh, as before.

The charts are still built as plain Vega-Lite specs (experiments/viz/charts.py, map_chart.py): ``spec`` takes one
and gives it back whole.
"""

from __future__ import annotations

import json
from typing import Any

import ipyvuetify as v
import traitlets

PREFIX = "spsim_"  # names of the data sets this widget makes (Vega-Lite names its own inline data "data_0" ...)


def split(spec: dict) -> tuple[dict, dict[str, list]]:
    """(the spec with each ``"data": {"values": rows}`` replaced by ``{"name": ...}``, name -> rows), in the
    order the data sets appear, so the same chart a week later has the same names and shape."""
    datasets: dict[str, list] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "data" and isinstance(value, dict) and set(value) == {"values"}:
                    name = f"{PREFIX}{len(datasets)}"
                    datasets[name] = value["values"]
                    out[key] = {"name": name}
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(spec), datasets


def join(shape: dict, datasets: dict[str, list]) -> dict:
    """The whole spec again (the inverse of ``split``)."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: {"values": datasets[value["name"]]}
                    if key == "data" and isinstance(value, dict) and value.get("name") in datasets else walk(value)
                    for key, value in node.items()}  # fmt: skip
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(shape)


# The browser side. vega, vega-lite and vega-embed are loaded once a page, with require.js, from Solara's asset
# proxy (the same files and addresses as Solara's own chart widget, so `spsim viz-assets` caches them already).
# Drawings are queued one after another, and updates that arrive while one waits are merged into it: the newest
# shape and rows win. After each drawing the chart's element counts it in data-drawn (the browser test times that).
TEMPLATE = """
<template>
    <div><div ref="plotElement"></div></div>
</template>
<script>
module.exports = {
    created() {
        this.queue = Promise.resolve();
        this.waiting = false;
        this.shapeChanged = true;
        this.view = null;
        this.drawings = 0;
    },
    mounted() {
        this.draw(true);
    },
    destroyed() {
        if (this.observer) this.observer.disconnect();
        if (this.view) this.view.finalize();
        this.view = null;
    },
    unmounted() {
        this.$options.destroyed.call(this);
    },
    watch: {
        shape() { this.draw(true); },
        rows() { this.draw(false); },
    },
    methods: {
        draw(shapeChanged) {
            this.shapeChanged = this.shapeChanged || shapeChanged;
            if (this.waiting) return;  // the drawing already queued will take the newest shape and rows
            this.waiting = true;
            this.queue = this.queue.then(async () => {
                const [vega, vegaEmbed] = await this.libraries();
                this.waiting = false;
                const element = this.$refs.plotElement;
                if (!element || !this.shape || !Object.keys(this.shape).length) return;
                if (this.shapeChanged || !this.view) {
                    this.shapeChanged = false;
                    await this.embed(vegaEmbed, element);
                } else {
                    for (const [name, rows] of Object.entries(JSON.parse(this.rows))) {
                        this.view.change(name, vega.changeset().remove(vega.truthy).insert(rows));
                    }
                    await this.view.runAsync();
                }
                element.dataset.drawn = String(++this.drawings);
            }).catch(error => console.error("spsim chart:", error));
        },
        async embed(vegaEmbed, element) {
            const spec = {...JSON.parse(JSON.stringify(this.shape)), datasets: JSON.parse(this.rows)};
            if (this.view) this.view.finalize();
            if (spec.width === "container" && !this.observer) {
                element.classList.add("width-container");
                this.observer = new ResizeObserver(() => { if (this.view) this.view.resize().runAsync(); });
                this.observer.observe(element);
            }
            this.view = (await vegaEmbed(element, spec)).view;
        },
        libraries() {
            if (!window.spsimVega) {
                window.spsimVega = this.loadRequire().then(() => {
                    const cdn = this.getCdn();
                    require.config({map: {'*': {
                        'vega': `${cdn}/vega@5/build/vega.min.js`,
                        'vega-lite': `${cdn}/vega-lite@5/build/vega-lite.min.js`,
                        'vega-embed': `${cdn}/vega-embed@6/build/vega-embed.min.js`,
                    }}});
                    return new Promise((resolve, reject) => {
                        require(['vega', 'vega-lite', 'vega-embed'], (vega, vl, vegaEmbed) => resolve([vega, vegaEmbed]), reject);
                    });
                });
            }
            return window.spsimVega;
        },
        loadRequire() {
            if (window.requirejs) return Promise.resolve();
            return new Promise((resolve, reject) => {
                const script = document.createElement('script');
                script.src = `${this.getCdn()}/requirejs@2.3.6/require.js`;
                script.onload = resolve;
                script.onerror = reject;
                document.head.appendChild(script);
            });
        },
        getCdn() {  // as Solara's chart widget finds its asset proxy
            if (this.cdn) return this.cdn;
            if (window.solara) return window.solara.cdn;
            let base = document.getElementsByTagName("base").length ? "./" : (document.body.dataset.baseUrl || document.baseURI);
            if (!base.endsWith('/')) base += '/';
            return `${base}_solara/cdn`;
        },
    },
}
</script>
<style id="spsim-vega-chart">
.width-container.vega-embed { width: 100%; }
</style>
"""


class VegaChart(v.VuetifyTemplate):
    """One chart on the page. Set ``spec`` to a whole Vega-Lite spec; only what changed goes to the browser."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    shape = traitlets.Dict().tag(sync=True)
    rows = traitlets.Unicode("{}").tag(sync=True)  # JSON: data set name -> its rows
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        import solara.settings

        return None if solara.settings.assets.proxy else solara.settings.assets.cdn

    @property
    def datasets(self) -> dict[str, list]:
        return json.loads(self.rows)

    @property
    def spec(self) -> dict:
        return join(self.shape, self.datasets)

    @spec.setter
    def spec(self, spec: dict) -> None:
        shape, datasets = split(spec)
        with self.hold_sync():  # one message; a shape equal to the last one is not sent again (traitlets)
            self.shape = shape
            self.rows = json.dumps(datasets, separators=(",", ":"), allow_nan=False)
