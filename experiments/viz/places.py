"""The places the browser page can run: the default place, the example place files in seeds/places/, and the
file given to `spsim viz --place FILE` (checked by `spsim viz`, handed to the page's process as JSON data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...model.parameters import registry
from ...model.place import ENVIRONMENT, Layout, from_json

DEFAULT = "Default place (a uniform square, national rates)"
GIVEN = "The place file given to spsim viz --place"


@dataclass(frozen=True)
class PagePlace:
    label: str
    parameters: dict[str, Any]
    layout: Layout | None
    fixed_size: bool  # a place that lists its own groups runs only at its own size
    source: str | None = None  # what `spsim run --place` is given to run it (None: the default place)

    @property
    def adults(self) -> int:
        return int(self.parameters["population"])

    def at(self, population: int) -> tuple[dict[str, Any], Layout | None]:
        """Its parameters and layout with ``population`` adults (areas scaled as `spsim run --population`)."""
        from ..inputs.place import Place

        if self.fixed_size or population == self.adults:
            return dict(self.parameters), self.layout
        scaled = Place(name=self.label, parameters=dict(self.parameters), layout=self.layout).at_population(population)
        return dict(scaled.parameters), scaled.layout


@cache
def places() -> dict[str, PagePlace]:
    """Every place the page offers, by the label its selector shows (the --place file first, if given)."""
    from ..inputs.place import PLACES_DIR, load

    out: dict[str, PagePlace] = {}
    if os.environ.get(ENVIRONMENT):
        parameters, layout = from_json(os.environ[ENVIRONMENT])
        out[GIVEN] = PagePlace(GIVEN, parameters, layout, fixed_size=bool(layout.groups), source="FILE")
    out[DEFAULT] = PagePlace(DEFAULT, {"population": registry()["population"].value}, None, fixed_size=False)
    for path in sorted(PLACES_DIR.glob("*.toml")):
        place = load(path)  # committed files, checked by the test suite: a fault here is the project's
        out[place.name] = PagePlace(place.name, dict(place.parameters), place.layout, bool(place.layout.groups),
                                    source=path.stem)  # fmt: skip
    return out
