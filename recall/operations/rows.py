"""Model instances from rows read in plain SQL, as the ORM makes them.

Hot paths (the session's user, an API token with its user) read their rows with one
plain query instead of compiling a QuerySet; these turn such a row into the instance the
ORM would have made: each column through the converters the ORM applies (the backend's,
then the field's own), then Model.from_db.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Built once per model and database vendor, shared by every thread's connection.
_CONVERTERS: dict[tuple, list[tuple[int, object, list]]] = {}


def column_converters(model: type[Model], db) -> list[tuple[int, object, list]]:
    """The converters the ORM applies to each of the model's concrete columns:
    [(index, column, converters)], only where there are some."""
    found = _CONVERTERS.get((model, db.vendor))
    if found is not None:
        return found
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        chain = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if chain:
            found.append((index, column, chain))
    _CONVERTERS[model, db.vendor] = found
    return found


def instance_from_row(model: type[Model], values: list, db) -> Model:
    """An instance of a row of the model's concrete columns (in their order), converted
    in place as the ORM converts them."""
    for index, column, chain in column_converters(model, db):
        value = values[index]
        for convert in chain:
            value = convert(value, column, db)
        values[index] = value
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db.alias, names, values)


@functools.cache
def _plain_init(model: type[Model]) -> bool:
    """Whether Model.__init__'s setattr of each concrete field is a plain store in
    __dict__ (no property or descriptor with a setter of its own but the foreign keys'
    cache check, which a new instance's empty cache makes moot)."""
    return all(
        isinstance(model.__dict__.get(field.attname), DeferredAttribute)
        for field in model._meta.concrete_fields
    )


def instance_maker(model: type[Model], alias: str | None) -> Callable[[dict], Model]:
    """A function making the instance from_db makes of converted values (attribute names;
    the fields not given deferred, as with .only()). What from_db and Model.__init__ do
    is done directly when no init signal has a receiver and every field is a plain store:
    Model.__init__ took a tenth of a review answer's CPU (bench/study_answer.py). Checked
    once here, not for each instance (a due queue makes one a row)."""
    if not _plain_init(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        attnames = [field.attname for field in model._meta.concrete_fields]

        def through_from_db(values: dict) -> Model:
            names = [name for name in attnames if name in values]
            return model.from_db(alias, names, [values[name] for name in names])

        return through_from_db

    def direct(values: dict) -> Model:
        instance = model.__new__(model)
        state = instance._state = ModelState()
        instance.__dict__.update(values)
        state.adding, state.db = False, alias
        return instance

    return direct


def instance_from_values(model: type[Model], alias: str | None, values: dict) -> Model:
    """One instance as instance_maker's function makes it."""
    return instance_maker(model, alias)(values)
