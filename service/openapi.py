"""The app class: APIFlask, with one fix to how it names schemas in the OpenAPI document.

APIFlask 3.1.2 remembers only the schemas it registered itself. A schema that
apispec registered first because another schema nests it (`KeyOut` inside
`KeyList`, `EntryIn` inside `GlossaryIn`) was registered a second time, as
`KeyOut1` / `EntryIn1`, and apispec warned "has already been added to the
spec" on every build of the document. Here a schema apispec already holds is
referred to by the name it has. pytest.ini makes that warning an error, so the
tests that build the document fail if it comes back (e.g. after an upgrade
changes this private method).
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from apispec import APISpec
from apispec.ext.marshmallow.common import make_schema_key, resolve_schema_instance
from marshmallow import Schema


class App(APIFlask):
    def _register_schema_and_get_ref(
        self, spec: APISpec, registered_schema_classes: dict[int, str], schema_obj: Any
    ) -> dict[str, str]:
        plugin = getattr(self, "_ma_plugin", None)
        if plugin is not None and isinstance(schema_obj, Schema | type) and not getattr(schema_obj, "partial", None):
            instance = resolve_schema_instance(schema_obj)
            name = plugin.converter.refs.get(make_schema_key(instance))
            if name:
                schema_id = id(schema_obj) if isinstance(schema_obj, type) else id(type(schema_obj))
                registered_schema_classes.setdefault(schema_id, name)
        ref: dict[str, str] = super()._register_schema_and_get_ref(spec, registered_schema_classes, schema_obj)
        return ref
