"""The apps' layers (docs/architecture.md): an app uses only the apps in the layers below its own.

Python imports are checked by import-linter (``lint-imports``, run by ``./dev test``) from the
contract in pyproject.toml. Templates are held to the same layers here: a template may include,
extend or load the template tags of its own app or of an app below — a lower app that wants a higher
one's panel offers a slot (``cases.slots``) instead. The site's layout (``templates/base.html``)
belongs to no app.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import grassroots

ROOT = Path(grassroots.__file__).resolve().parent
PYPROJECT = ROOT.parents[1] / "pyproject.toml"
REFERENCE = re.compile(r'{%\s*(extends|include)\s+"([a-z_]+)/')
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def layers() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "layers")["layers"]


def ranks(layer_lines: list[str]) -> dict[str, tuple[int, bool]]:
    """Each app's height (top layer highest) and whether its layer's apps are independent (|)."""
    out = {}
    for height, line in enumerate(reversed(layer_lines)):
        independent = ":" not in line
        for app in re.split(r"[|:]", line):
            out[app.strip()] = (height, independent)
    return out


def upward_references(root: Path, rank: dict[str, tuple[int, bool]]) -> list[str]:
    """Every reference from a template to the templates or tags of an app it may not use."""
    libraries = {p.stem: p.parent.parent.name for p in root.glob("*/templatetags/*.py") if p.stem != "__init__"}
    found = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        app = path.relative_to(root).parts[0]
        text = path.read_text(encoding="utf-8")
        used = [(m.group(1), m.group(2)) for m in REFERENCE.finditer(text)]
        used += [(f"load {lib}", libraries[lib]) for m in LOAD.finditer(text) for lib in m.group(1).split()
                 if lib in libraries]
        for how, other in used:
            if other == app or other not in rank or app not in rank:
                continue
            (mine, _), (theirs, independent) = rank[app], rank[other]
            if theirs > mine or (theirs == mine and independent):
                found.append(f"{path.relative_to(root)}: {how} {other}/ ({app} may not use {other})")
    return found


def test_every_app_is_in_a_layer():
    rank = ranks(layers())
    apps = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert apps == set(rank), f"put new apps in a layer of pyproject.toml: {sorted(apps ^ set(rank))}"


def test_templates_use_only_their_own_app_and_the_layers_below():
    assert upward_references(ROOT, ranks(layers())) == []


def test_the_check_finds_a_template_that_reaches_up(tmp_path):
    page = tmp_path / "cases" / "templates" / "cases"
    page.mkdir(parents=True)
    (page / "board.html").write_text('{% extends "base.html" %}{% include "people/_pager.html" %}'
                                     '{% include "routing/_cell.html" %}{% load routing_tags %}')
    tags = tmp_path / "routing" / "templatetags"
    tags.mkdir(parents=True)
    (tags / "routing_tags.py").write_text("")
    found = upward_references(tmp_path, ranks(["routing | hotspots", "cases", "people"]))
    assert found == ["cases/templates/cases/board.html: include routing/ (cases may not use routing)",
                     "cases/templates/cases/board.html: load routing_tags routing/ (cases may not use routing)"]
    assert upward_references(tmp_path, ranks(["cases", "routing | hotspots", "people"])) == []


@pytest.mark.parametrize(("line", "other", "allowed"), [("a | b", "b", False), ("a : b", "b", True)])
def test_siblings_of_an_independent_layer_may_not_use_each_other(tmp_path, line, other, allowed):
    (tmp_path / "a" / "templates" / "a").mkdir(parents=True)
    (tmp_path / "a" / "templates" / "a" / "x.html").write_text(f'{{% include "{other}/y.html" %}}')
    assert (upward_references(tmp_path, ranks([line])) == []) is allowed
