"""Model instances from rows read in plain SQL, as the ORM makes them.

Hot paths (the session's user, an API token with its user) read their rows with one
plain query instead of compiling a QuerySet; these turn such a row into the instance the
ORM would have made: each column through the converters the ORM applies (the backend's,
then the field's own), then Model.from_db.
"""

from __future__ import annotations

from django.db.models import Model

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
