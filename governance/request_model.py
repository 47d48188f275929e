"""Request models built of shapes (:mod:`governance.shapes`): a body refuses unknown
fields, a query ignores them; either way every field is validated by its shape (absent =
None, so that the shape, not pydantic, names what is missing) and the JSON Schema states
the same rules. :func:`parse` turns the first problem into :class:`InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from governance.errors import InvalidInput
from governance.shapes import Shape


def _required_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The document's ``required`` list: the fields whose shape is required (they have a
    default of None so that the shape, not pydantic, names what is missing)."""
    required = [n for n, f in model.model_fields.items() if _is_required(f.metadata)]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        prop.pop("default", None)
    schema.pop("title", None)


class Body(BaseModel):
    """A request body: every field validated by its shape (absent = None, so the shape
    decides what is missing), unknown fields refused."""

    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        frozen=True,
        json_schema_extra=_required_fields,  # type: ignore[typeddict-item]
    )


class Query(BaseModel):
    """Query parameters: like :class:`Body`, but unknown parameters are ignored (a cache
    buster, the language) and every value arrives as a string."""

    model_config = ConfigDict(extra="ignore", validate_default=True, frozen=True)


def _is_required(metadata: Sequence[object]) -> bool:
    return any(isinstance(m, Shape) and m.required for m in metadata)


def shape_of(model: type[BaseModel], name: str) -> Shape:
    """The shape a model declares for its field ``name``."""
    for meta in model.model_fields[name].metadata:
        if isinstance(meta, Shape):
            return meta
    raise LookupError(f"{model.__name__}.{name} has no shape")


def parse(model: type[BaseModel], data: object) -> Any:
    """``data`` as an instance of ``model``, or the first problem as
    :class:`InvalidInput`: a shape's own error, or (from pydantic) a body that is not an
    object (``error.json_body``), a required field missing (``error.input.required``) or
    an unknown one (``error.input.unknown``)."""
    if not isinstance(data, dict):
        raise InvalidInput("error.json_body")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        if first["type"] == "extra_forbidden":
            allowed = ", ".join(model.model_fields)
            raise InvalidInput("error.input.unknown", field=where, choices=allowed) from None
        if first["type"] == "missing":
            raise InvalidInput("error.input.required", field=where) from None
        raise InvalidInput("error.input.type", field=where) from None
