"""django-ninja names a schema's OpenAPI component after its class and keeps the last one of a name:
two apps with a ``RevealOut`` each made the document describe one app's answer with the other's
fields (schemathesis found it: tests/fuzz/test_api_fuzz.py). Class names are unique across the API."""

from collections import defaultdict

from ninja import Schema

import grassroots.api.api  # noqa: F401  (imports every app's API)

# Same name on purpose: every ErrorOut is {"detail": str} with an optional "errors" object, so any of
# them describes the others' answers; a Filter is a set of query parameters, flattened, never a component.
SHARED = {"ErrorOut", "Filter"}


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    by_name = defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith("grassroots.") and cls.__name__ not in SHARED:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_the_shared_error_shapes_agree():
    shapes = {cls.__module__: cls.model_json_schema() for cls in subclasses(Schema)
              if cls.__module__.startswith("grassroots.") and cls.__name__ == "ErrorOut"}
    for module, shape in shapes.items():
        assert shape.get("required") == ["detail"], module
        errors = shape["properties"].get("errors", {"type": "object"})
        assert errors["type"] == "object", module
