"""The pieces the input schemas (scenario and place files) are built from, and how a refusal becomes one line.

A schema declares each key's type, bounds and unit in its ``Field``; every number is strict (text such as "3"
or a boolean is not a number, nan and infinity are refused), because a file that says ``level = "high"`` has a
mistake in it that silent conversion would hide. pydantic reports every fault it finds; the user is told the
first, as ``key``, ``value`` and what is allowed in plain words (``first_fault``). Nothing here executes
anything from a file: pydantic only checks and converts the data TOML has already parsed.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from ...model.parameters import registry

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)  # every schema: unknown keys refused, no coercion


class Fault(ValueError):
    """Raised by a validator that knows the exact key and value at fault (a key below the one it checks)."""

    def __init__(self, key: str | None, value: Any, allowed: str):
        super().__init__(allowed)
        self.key, self.value, self.allowed = key, value, allowed


def _whole(value: float) -> int:
    if not float(value).is_integer():
        raise ValueError("a whole number")
    return int(value)


def number(low: float, high: float, unit: str, *, above: bool = False, whole: bool = False) -> Any:
    """A number from ``low`` (above it, with ``above``) to ``high`` in ``unit``; ``whole``: 3.0 is read as 3."""
    bound = {"gt": low} if above else {"ge": low}
    parts: list[Any] = [float, Field(strict=True, allow_inf_nan=False, le=high, description=unit, **bound)]
    if whole:
        parts.append(AfterValidator(_whole))
    return Annotated[tuple(parts)]  # type: ignore[return-value]


def checked(kind: Any, check: Callable[[Any], Any], description: str = "") -> Any:
    """``kind`` (a type or an Annotated type) with one more check after its own; ``description`` says what is
    allowed when the value is not even of the right kind."""
    if description:
        return Annotated[kind, AfterValidator(check), Field(description=description)]
    return Annotated[kind, AfterValidator(check)]


def within_registry(parameter: str) -> Callable[[float], float]:
    """A check that a value which becomes (or sizes) a registry parameter lies within that parameter's bounds."""

    def check(value: float) -> float:
        spec = registry()[parameter]
        lo, hi = spec.bounds
        if not lo <= value <= hi:
            raise Fault(None, value, f"allowed range is [{lo:g}, {hi:g}] ({spec.unit}, as {parameter})")
        return value

    return check


def registry_number(parameter: str, unit: str, *, whole: bool = False) -> Any:
    """A number that becomes (or sizes) the registry parameter ``parameter``: its bounds are the registry's, read
    when a file is checked (not when this module is imported: the registry reads files of its own)."""
    words = f"expected a {'whole ' if whole else ''}number ({unit})"
    parts: list[Any] = [float, Field(strict=True, allow_inf_nan=False, description=words)]
    if whole:
        parts.append(AfterValidator(_whole))
    return Annotated[(*parts, AfterValidator(within_registry(parameter)))]  # type: ignore[return-value]


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING = _Missing()  # the value shown for a key that is required but absent


def show(value: Any) -> str:
    """A value as the file spelt it, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Text = Annotated[str, Field(strict=True, min_length=1, max_length=2000, pattern=r"\S",
                            description="a non-empty text of at most 2,000 characters")]  # fmt: skip
Flag = Annotated[bool, Field(strict=True, description="true or false")]


@dataclass(frozen=True)
class Refusal:
    """The first fault in a file: the dotted key (``policies[2].fte_per_100k``), the value and what is allowed."""

    key: str
    value: Any
    allowed: str

    @property
    def shown(self) -> str:
        return show(self.value)


def first_fault(err: ValidationError, schema: type[BaseModel]) -> Refusal:
    """The first error pydantic found, in plain words."""
    error = err.errors()[0]
    raw = list(error["loc"])
    value, kind, ctx = error.get("input"), error["type"], error.get("ctx") or {}
    cause = ctx.get("error")
    annotation, field, tags = _walk(schema, raw)
    loc = [part for part in raw if not isinstance(part, Tag)]
    if isinstance(cause, Fault):
        if cause.key is not None:
            loc.append(cause.key)
            value = cause.value
        return Refusal(dotted(loc), value, cause.allowed)
    if kind == "extra_forbidden":
        parent = _walk(schema, raw[:-1])[0]
        allowed = sorted(_unwrap(parent).model_fields) if _is_model(_unwrap(parent)) else []
        return Refusal(dotted(loc), value, f"unknown key; allowed: {', '.join(allowed)}")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = value.get("type", MISSING) if isinstance(value, dict) else value
        return Refusal(dotted([*loc, "type"]), tag, f"allowed: {', '.join(tags)}")
    allowed = describe(field, kind) if field is not None else ""
    if not allowed and cause is not None:
        allowed = str(cause)
    if not allowed:  # a list or table of the wrong shape: in plain words, or pydantic's own
        allowed = PLAIN.get(kind) or error["msg"][0].lower() + error["msg"][1:]
    return Refusal(dotted(loc), MISSING if kind == "missing" else value, allowed)


class Tag(str):
    """A tagged union's member name in an error's path: pydantic adds it, but it is not a key of the file."""


def dotted(loc: list[Any]) -> str:
    """('policies', 2, 'fte_per_100k') -> policies[2].fte_per_100k"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


PLAIN = {"list_type": "must be a list", "dict_type": "must be a table", "model_attributes_type": "must be a table",
         "model_type": "must be a table", "string_type": "must be text", "bool_type": "expected true or false",
         "float_type": "expected a number", "missing": "required"}  # fmt: skip
BOUND_ERRORS = {"greater_than_equal", "greater_than", "less_than_equal"}


def describe(field: FieldInfo, kind: str) -> str:
    """What a field allows, from its declaration (a range and a unit); ``kind``: pydantic's error type."""
    field = _declared(field)
    bounds = {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt", "le") if hasattr(m, name)}
    unit = field.description or ""
    if field.annotation is float and ("ge" in bounds or "gt" in bounds):
        whole = any(getattr(m, "func", None) is _whole for m in field.metadata)
        low = f"({bounds['gt']:g}" if "gt" in bounds else f"[{bounds['ge']:g}"
        allowed = f"allowed range is {low}, {bounds.get('le', math.inf):g}] ({unit})"
        if kind in BOUND_ERRORS:
            return allowed
        return f"expected a {'whole ' if whole else ''}number; {allowed}"
    return unit


def _declared(field: FieldInfo) -> FieldInfo:
    """An optional key's declaration is inside ``X | None``: the declaration of X."""
    annotation = field.annotation
    if _is_union(annotation):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1 and typing.get_origin(members[0]) is Annotated:
            return FieldInfo.from_annotation(members[0])
    return field


def _unwrap(annotation: Any) -> Any:
    """The type inside Annotated[...] and Optional[...]."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif _is_union(annotation):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_union(annotation: Any) -> bool:
    return isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(schema: Any, loc: list[Any]) -> tuple[Any, FieldInfo | None, list[str]]:
    """Follow an error's path down the schema: (the type there, its declaration, the member names of the last
    tagged union passed). A member name in the path is marked as a Tag in ``loc``, in place."""
    current: Any = schema
    field: FieldInfo | None = None
    tags: list[str] = []
    for i, part in enumerate(loc):
        inner = _unwrap(current)
        field = None
        if _is_union(inner):
            members = {_tag(m): m for m in typing.get_args(inner)}
            tags = sorted(members)
            if part not in members:
                return None, None, tags
            loc[i] = Tag(part)
            current = members[part]
        elif _is_model(inner) and part in inner.model_fields:
            field = inner.model_fields[part]
            current = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        elif typing.get_origin(inner) in (list, dict):
            current = typing.get_args(inner)[-1]
        else:
            return None, None, tags
    if field is None and typing.get_origin(current) is Annotated:
        field = FieldInfo.from_annotation(current)
    inner = _unwrap(current)
    if _is_union(inner):  # an error at the union itself (a missing or unknown tag)
        tags = sorted(_tag(m) for m in typing.get_args(inner))
    return current, field, tags


def _tag(member: Any) -> str:
    return typing.get_args(_unwrap(member).model_fields["type"].annotation)[0]
