"""Loading a criteria set: YAML text → checked ``Framework``, or ``FrameworkError`` with every
problem found, each with its YAML path and a Vietnamese message."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from .messages import DuplicateKeys, FrameworkError, Problem, check_model, load_yaml, loc_path, vi_error, yaml_problem
from .model import CriteriaSet, Framework


# What a YAML number may look like where parxl reads it as a Decimal: 2, 7.5, "0,25", "-0,5", "1.234,5".
NUMBER_TEXT = r"^\s*[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*$|^\s*[+-]?\d+(\.\d+)?\s*$"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def criteria_json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a criteria set's YAML, as ``parxl framework schema`` prints it:
    the pydantic model's schema, with numbers also written as Vietnamese text ("0,25") and codes also
    written as YAML integers (``code: 1``), as parxl reads them. Every bundled set validates against it
    (a test runs a validator on each)."""
    doc = CriteriaSet.model_json_schema()

    def fix(node: object, key: str | None = None) -> object:
        if isinstance(node, dict):
            if node.get("type") == "string" and "pattern" in node and key != "id" and "[+-]?0*" in node["pattern"]:
                return {**node, "pattern": NUMBER_TEXT}  # pydantic's Decimal text: dot only
            out = {k: fix(v, k) for k, v in node.items()}
            props = out.get("properties")
            if isinstance(props, dict) and isinstance(props.get("code"), dict) and props["code"].get("type") == "string":
                code = {k: v for k, v in props["code"].items() if k != "type"}
                props["code"] = {**code, "type": ["string", "integer"]}
            return out
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    doc = fix(doc)  # type: ignore[assignment]
    doc["$schema"] = SCHEMA_URI
    doc["title"] = "Bộ chỉ số cải cách hành chính (parxl)"
    return doc


def parse_framework(data: object, source: str = "<bộ chỉ số>") -> Framework:
    """Build and check a framework from parsed YAML (a dict); raise FrameworkError with every problem,
    ``source`` naming the document in it."""
    try:
        model = CriteriaSet.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(path=loc_path(e["loc"]), message=vi_error(e)) for e in exc.errors()]
        raise FrameworkError(source, problems) from exc
    problems = check_model(model)
    if problems:
        raise FrameworkError(source, problems)
    return Framework(model)


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


if _CSafeLoader is not None:
    class _FastLoader(DuplicateKeys, _CSafeLoader):  # type: ignore[misc, valid-type]
        """libyaml's safe loader noting keys given twice (then the Python loader says where, in its words)."""


def _load_yaml_fast(text: str) -> tuple[object, list[Problem]]:
    """``load_yaml``'s answer, parsed by libyaml (about ten times faster on a criteria set) when it is
    there and the text is valid with no key twice; otherwise by ``load_yaml`` itself, so that every
    problem is reported with the same words, line and column. Raises as ``load_yaml``."""
    if _CSafeLoader is None:
        return load_yaml(text)
    try:
        loader = _FastLoader(text)
        try:
            data, twice = loader.get_single_data(), bool(loader.duplicates)
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError):
        return load_yaml(text)
    return (data, []) if not twice else load_yaml(text)


def load_framework(path: str | Path) -> Framework:
    """Load a criteria set from a YAML file (UTF-8, BOM allowed).

    Raises FrameworkError for a file that cannot be read, invalid YAML (with line and column), or
    every problem of its content.
    """
    path = Path(path)
    try:
        data, duplicates = _load_yaml_fast(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FrameworkError(str(path), [Problem(path="(tệp)", message=f"không đọc được tệp: {exc.strerror}")]) from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that does not exist
        raise FrameworkError(str(path), [yaml_problem(exc)]) from exc
    try:
        framework = parse_framework(data, str(path))
    except FrameworkError as exc:
        if duplicates:
            raise FrameworkError(str(path), [*duplicates, *exc.problems]) from exc
        raise
    if duplicates:
        raise FrameworkError(str(path), duplicates)
    framework.source = path
    return framework
