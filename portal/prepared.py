"""Reads of a fixed shape, built and compiled to SQL once per process.

Building a queryset and compiling it to SQL costs Django 0.2–1 ms of CPU, often more than the
database takes to answer it, and a page makes the same reads on every request with other values
(the user's id, the consortium's, the period's code). ``Prepared`` builds its queryset once per
database with a placeholder where each value goes, keeps the SQL Django compiled, and thereafter
runs that SQL with the values given, turning the rows into what the queryset would have given:
model instances (``select_related`` and annotations included), or ``values()`` and
``values_list()`` rows.

    _user = Prepared(lambda pk: User.objects.select_related("organisation").filter(pk=pk), pk=int)
    _user.first(pk=request_user_id)  # the user, or None

Rules (checked where they can be):

- the builder's arguments are the values, each with its type: ``int`` or ``str``, which convert
  the value as the ORM would (``int("7")``; ``int("x")`` raises ``ValueError`` as ``filter`` does),
  ``datetime.date`` (a date, not a datetime, adapted for the database as a ``DateField``'s) or
  ``datetime.datetime`` (aware, adapted as a ``DateTimeField``'s);
- a value may appear only where the ORM puts a single parameter: ``field=value``, ``field__gt=…``,
  not ``__in`` (a list) and not ``None`` (``IS NULL`` is another shape);
- the builder reads nothing but its arguments (no language, clock or settings): the SQL is shared
  by every request of the process;
- no ``prefetch_related``. A ``select_for_update`` read is refused outside a transaction at
  every run, as Django refuses it each time it compiles the query.

The SQL run is the one Django compiled, each value as a parameter, with the value's placeholder
in parentheses (``"id" = (%s)``). ``portal/tests/test_prepared.py`` checks the results equal the
ORM's.
"""

import datetime as dt
import inspect
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

TYPES = (int, str, dt.date, dt.datetime)


@dataclass(frozen=True)
class _Slot:
    """Where a value goes in the compiled parameters."""

    name: str


class Param(Expression):
    """The placeholder of a value while the queryset is built and compiled."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def resolve_expression(self, *args, **kwargs):
        return self

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name)]


@dataclass
class _Compiled:
    sql: str
    params: list
    compiler: object
    iterable: type
    names: list  # values(): the keys of each row
    locks: bool  # select_for_update: a transaction needed at every run
    converters: dict = field(default_factory=dict)  # SQLCompiler.get_converters of the columns
    _model_rows: dict = field(default_factory=dict)  # by database: _ModelRows

    def model_rows(self, using: str) -> "_ModelRows":
        rows = self._model_rows.get(using)
        if rows is None:
            rows = self._model_rows[using] = _ModelRows.of(self.compiler, using)
        return rows


class Prepared:
    def __init__(self, build, **types):
        names = list(inspect.signature(build).parameters)
        if sorted(names) != sorted(types):
            raise TypeError(f"Prepared: give a type for each of {names}, got {sorted(types)}")
        for name, kind in types.items():
            if kind not in TYPES:
                raise TypeError(f"Prepared: {name}: the types are {TYPES}")
        self.build = build
        self.types = types
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        queryset = self.build(**{name: Param(name) for name in self.types})
        iterable = queryset._iterable_class
        if iterable not in (
            ModelIterable,
            ValuesIterable,
            ValuesListIterable,
            FlatValuesListIterable,
        ):
            raise TypeError(f"Prepared: {iterable.__name__} rows are not supported")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("Prepared: prefetch_related and related managers are not supported")
        query = queryset.query

        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info …
        used = sorted({p.name for p in params if isinstance(p, _Slot)})
        if used != sorted(self.types):
            raise TypeError(f"Prepared: the SQL uses {used} of {sorted(self.types)}")
        if query.selected:
            names = list(query.selected)
        else:  # extra(select=…) columns come first, as in ValuesIterable
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        compiled = _Compiled(
            sql, list(params), compiler, iterable, names, bool(query.select_for_update)
        )
        compiled.converters = compiler.get_converters(
            [s[0] for s in compiler.select[0 : compiler.col_count]]
        )
        self._compiled[key] = compiled
        return compiled

    def _values(self, values: dict, using: str) -> dict:
        if sorted(values) != sorted(self.types):
            raise TypeError(f"Prepared: give {sorted(self.types)}, got {sorted(values)}")
        out = {}
        for name, value in values.items():
            kind = self.types[name]
            if kind is dt.datetime:
                if not isinstance(value, dt.datetime) or value.utcoffset() is None:
                    raise TypeError(f"Prepared: {name} must be an aware datetime")
                out[name] = connections[using].ops.adapt_datetimefield_value(value)
                continue
            if kind is dt.date:
                if type(value) is not dt.date:
                    raise TypeError(f"Prepared: {name} must be a date")
                out[name] = connections[using].ops.adapt_datefield_value(value)
                continue
            if value is None or isinstance(value, (list, tuple, set, dict)):
                raise TypeError(f"Prepared: {name} must be one {kind.__name__}")
            out[name] = kind(value)
        return out

    def all(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """What ``list(build(**values))`` gives."""
        values = self._values(values, using)
        compiled = self._compile(using)
        compiler = compiled.compiler
        params = [values[p.name] if isinstance(p, _Slot) else p for p in compiled.params]
        connection = connections[using]
        features = connection.features
        if (
            compiled.locks
            and features.has_select_for_update
            and features.supports_transactions
            and connection.get_autocommit()
        ):  # what SQLCompiler.as_sql says of a lock outside a transaction
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiler.has_extra_select:  # ordering columns the rows do not carry
            rows = [row[: compiler.col_count] for row in rows]
        if compiled.converters:  # what results_iter applies, found once
            rows = compiler.apply_converters(rows, compiled.converters)
        if compiled.iterable is ModelIterable:
            return list(_objects(compiled.model_rows(using), rows, using))
        if compiled.iterable is ValuesIterable:
            return [dict(zip(compiled.names, row, strict=False)) for row in rows]
        if compiled.iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values):
        """The first row, or None (the builder orders and limits: ``[:1]``)."""
        rows = self.all(using=using, **values)
        return rows[0] if rows else None


@dataclass
class _ModelRows:
    """How ``ModelIterable`` makes instances of a compiled query's rows, worked out once."""

    model_cls: type
    start: int
    end: int
    init_list: list
    related_populators: list
    annotation_col_map: dict

    @classmethod
    def of(cls, compiler, using: str) -> "_ModelRows":
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return cls(
            model_cls=klass_info["model"],
            start=start,
            end=end,
            init_list=[f[0].target.attname for f in select[start:end]],
            related_populators=get_related_populators(klass_info, select, using),
            annotation_col_map=compiler.annotation_col_map or {},
        )


def _objects(how: _ModelRows, rows, using: str):
    """Model instances from the rows, as ``ModelIterable`` makes them."""
    start, end, init_list = how.start, how.end, how.init_list
    for row in rows:
        obj = how.model_cls.from_db(using, init_list, row[start:end])
        for populator in how.related_populators:
            populator.populate(row, obj)
        for attr_name, col_pos in how.annotation_col_map.items():
            setattr(obj, attr_name, row[col_pos])
        yield obj
