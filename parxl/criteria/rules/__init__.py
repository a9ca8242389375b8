"""The rule types and their registry: the one list every other part of parxl reads.

A rule type is one module in this package defining a ``RuleType`` subclass decorated with
``@register`` (see ``base.py`` for what the class must provide). The modules here are imported
automatically, so adding a rule type is that module plus its tests. From the registered classes come:
- ``Rule``: the pydantic type of a YAML ``rule:`` (a union discriminated by ``type``), which the
  criteria-set models (``parxl.criteria.model``) rebuild whenever the registry changes;
- ``rule_types()``, ``rule_class(name)``, ``rule_title(name)``: the names, classes and Vietnamese
  titles (``parxl framework check``, the loader's error messages);
- ``guide_texts(types)``: the workbook instructions' line per type;
- ``readme_table()``: the README's rule table, which a test keeps equal to README.md.

May import: parxl.core and parxl.criteria.intervals; never the criteria-set model, loader or
framework (they import this registry), nor a later stage (see parxl/__init__.py for the order).
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Union

from pydantic import Field, GetCoreSchemaHandler, TypeAdapter

from .base import InputKind, InputSpec, RuleType, Value

_REGISTRY: dict[str, type[RuleType]] = {}
_LISTENERS: list[Callable[[], None]] = []
_ADAPTER: dict[tuple[str, ...], TypeAdapter] = {}


def register(cls: type[RuleType]) -> type[RuleType]:
    """Add a rule type (a class decorator); returns ``cls``.

    Raises TypeError when ``cls`` is not a ``RuleType`` with one ``type`` name and a ``title``, and
    ValueError when another class already has that name. Models that embed ``Rule`` are rebuilt.
    """
    if not (isinstance(cls, type) and issubclass(cls, RuleType)):
        raise TypeError(f"{cls!r} is not a RuleType subclass")
    name = cls.type_name()
    if not cls.title or not cls.meaning:
        raise TypeError(f"rule type {name!r} needs a title and a meaning (class attributes)")
    other = _REGISTRY.get(name)
    if other is not None and other is not cls:
        raise ValueError(f"rule type {name!r} is already registered by {other.__name__}")
    _REGISTRY[name] = cls
    _changed()
    return cls


def unregister(name: str) -> None:
    """Remove the rule type ``name`` (for tests that register a type of their own); KeyError if unknown."""
    del _REGISTRY[name]
    _changed()


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener()`` after every change of the registry (models rebuilding their schema)."""
    _LISTENERS.append(listener)


def _changed() -> None:
    _ADAPTER.clear()
    for listener in _LISTENERS:
        listener()


def rule_classes() -> list[type[RuleType]]:
    """The registered classes, in their display order (``order``, then name)."""
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.type_name()))


def rule_types() -> tuple[str, ...]:
    """The registered ``rule.type`` names, in display order."""
    return tuple(c.type_name() for c in rule_classes())


def rule_class(name: str) -> type[RuleType]:
    """The class of rule type ``name``; KeyError if none is registered."""
    return _REGISTRY[name]


def rule_title(name: str) -> str:
    """The Vietnamese title of rule type ``name`` («Theo tỷ lệ»); KeyError if none is registered."""
    return _REGISTRY[name].title


class Rule:
    """The pydantic type of a YAML ``rule:``: one of the registered rule types, chosen by ``type``.

    Its schema is built from the registry when a model or adapter using it is (re)built.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        classes = tuple(rule_classes())
        if not classes:
            raise RuntimeError("no rule type is registered")
        union = Union[classes] if len(classes) > 1 else classes[0]  # type: ignore[valid-type]
        if len(classes) == 1:
            return handler.generate_schema(union)
        return handler.generate_schema(Annotated[union, Field(discriminator="type")])


def parse_rule(data: object) -> RuleType:
    """One rule from parsed YAML (``{"type": "binary", …}``), with the current registry.

    Raises pydantic's ValidationError for a wrong rule (the loader turns it into Vietnamese).
    """
    key = rule_types()
    adapter = _ADAPTER.get(key)
    if adapter is None:
        adapter = _ADAPTER[key] = TypeAdapter(Rule)
    return adapter.validate_python(data)


def guide_texts(types: Iterable[str] | None = None) -> list[str]:
    """The workbook instructions' lines (no bullet) for the rule types ``types`` (all when None), in
    display order, each text once."""
    wanted = None if types is None else set(types)
    out: list[str] = []
    for cls in rule_classes():
        if (wanted is None or cls.type_name() in wanted) and cls.guide and cls.guide not in out:
            out.append(cls.guide)
    return out


README_HEADER = ("| type | tên | cách tính | ví dụ |", "|---|---|---|---|")


def readme_table() -> str:
    """The README's Markdown table of the registered rule types: type, title, meaning, example."""
    rows = [f"| `{c.type_name()}` | {c.title} | {c.meaning} | {c.example} |" for c in rule_classes()]
    return "\n".join([*README_HEADER, *rows])


# Import every rule module of this package: each registers its class.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

from .binary import BinaryRule  # noqa: E402
from .checklist import ChecklistLine, ChecklistRule  # noqa: E402
from .count import CountRule  # noqa: E402
from .levels import LevelOption, LevelsRule  # noqa: E402
from .manual import ManualRule  # noqa: E402
from .proportional import ProportionalRule  # noqa: E402
from .ratio import RatioBand, RatioRule  # noqa: E402
from .survey import SurveyRule  # noqa: E402

__all__ = [
    "BinaryRule", "ChecklistLine", "ChecklistRule", "CountRule", "InputKind", "InputSpec", "LevelOption", "LevelsRule", "ManualRule", "ProportionalRule",
    "RatioBand", "RatioRule", "Rule", "RuleType", "SurveyRule", "Value", "guide_texts", "on_change",
    "parse_rule", "readme_table", "register", "rule_class", "rule_classes", "rule_title", "rule_types",
    "unregister",
]
