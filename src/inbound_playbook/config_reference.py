"""The team config reference, generated from the code's own schema so the book cannot drift from it.

Used two ways: ``reference_rows()`` gives (key, type, default, description) for every key, and the Sphinx
extension (``extensions: [inbound_playbook.config_reference]``) provides the ``playbook-config-reference``
directive that renders them as tables in chapters/config-reference.md.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .config import ANALYSES, TeamConfig


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        text = " or ".join(names)
        return text + (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return " | ".join(repr(a) if isinstance(a, str) else str(a) for a in args)
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {_type_name(args[0])} -> {_type_name(args[1])}" if args else "mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (" + ", ".join(f.alias or n for n, f in annotation.model_fields.items()) + ")"
    return {str: "text", int: "integer", float: "number", bool: "true/false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def _default(field) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return repr(field.default_factory()).replace("'", "")
    if field.default is PydanticUndefined:
        return ""
    return (
        "null"
        if field.default is None
        else str(field.default).lower()
        if isinstance(field.default, bool)
        else str(field.default)
    )


def reference_rows(model: type[BaseModel]) -> Iterator[tuple[str, str, str, str]]:
    for name, field in model.model_fields.items():
        if name in ANALYSES:
            continue
        yield (field.alias or name, _type_name(field.annotation), _default(field), field.description or "")


def sections() -> dict[str, type[BaseModel]]:
    return {"top level": TeamConfig, **ANALYSES}


def _rst_table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 18 22 14 46",
        "",
        "   * - Key",
        "     - Type",
        "     - Default",
        "     - Meaning",
    ]
    for key, kind, default, meaning in rows:
        lines += [
            f"   * - ``{key}``",
            f"     - {kind}",
            f"     - ``{default}``" if default else "     -",
            f"     - {meaning}",
        ]
    return lines


def setup(app):  # Sphinx extension entry point
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class ConfigReference(SphinxDirective):
        has_content = False
        required_arguments = 1  # which section: top-level | baseline | survey | its | feasibility

        def run(self):
            name = self.arguments[0]
            model = TeamConfig if name == "top-level" else ANALYSES[name]
            container = nodes.container()
            self.state.nested_parse(StringList(_rst_table(list(reference_rows(model)))), self.content_offset, container)
            return container.children

    app.add_directive("playbook-config-reference", ConfigReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
