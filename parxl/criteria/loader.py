"""Loading a criteria set: YAML text → checked ``Framework``, or ``FrameworkError`` with every
problem found, each with its YAML path and a Vietnamese message."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from .messages import FrameworkError, Problem, check_model, loc_path, vi_error, yaml_problem
from .model import CriteriaSet, Framework


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


def load_framework(path: str | Path) -> Framework:
    """Load a criteria set from a YAML file (UTF-8, BOM allowed).

    Raises FrameworkError for a file that cannot be read, invalid YAML (with line and column), or
    every problem of its content.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FrameworkError(str(path), [Problem(path="(tệp)", message=f"không đọc được tệp: {exc.strerror}")]) from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that does not exist
        raise FrameworkError(str(path), [yaml_problem(exc)]) from exc
    framework = parse_framework(data, str(path))
    framework.source = path
    return framework
