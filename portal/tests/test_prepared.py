"""``Prepared`` reads give what the ORM gives for the same values, compile once, and refuse
values and querysets they cannot run as the ORM would."""

import datetime as dt

import pytest
from django.db.models import Count, F
from django.db.models.sql.compiler import SQLCompiler

from portal.models import Organisation, User
from portal.prepared import Prepared
from portal.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def same_objects(prepared: list, orm: list, related: tuple = ()) -> None:
    assert [type(o) for o in prepared] == [type(o) for o in orm]
    assert [fields(o) for o in prepared] == [fields(o) for o in orm]
    for a, b in zip(prepared, orm, strict=True):
        assert a._state.db == b._state.db
        assert a._state.adding is b._state.adding is False
        for name in related:  # read with the row: no query, the same object
            assert a._meta.get_field(name).is_cached(a)
            other = getattr(b, name)
            mine = getattr(a, name)
            assert (mine is None) == (other is None)
            if mine is not None:
                assert fields(mine) == fields(other)


@pytest.fixture
def people(db):
    unit = OrganisationFactory(code="P-UNIT", name_zh="甲单位", name_en="Unit A")
    return [
        UserFactory(username="with-unit", organisation=unit),
        UserFactory(username="without-unit", organisation=None),
        UserFactory(username="third", organisation=unit),
    ]


USER = Prepared(lambda pk: User.objects.select_related("organisation").filter(pk=pk), pk=int)


def test_model_rows_with_their_related_rows_are_the_orms(people, django_assert_num_queries):
    for user in people:  # a nullable relation: with and without its row
        orm = list(User.objects.select_related("organisation").filter(pk=user.pk))
        with django_assert_num_queries(1):
            prepared = USER.all(pk=user.pk)
            same_objects(prepared, orm, related=("organisation",))
    assert USER.all(pk=0) == []
    assert USER.first(pk=0) is None


def test_ordering_slices_annotations_and_value_rows_are_the_orms(people):
    unit = people[0].organisation
    by_unit = Prepared(
        lambda unit: (
            User.objects.filter(organisation=unit)
            .annotate(unit_code=F("organisation__code"))
            .order_by("-username")[:5]
        ),
        unit=int,
    )
    orm = list(
        User.objects.filter(organisation=unit)
        .annotate(unit_code=F("organisation__code"))
        .order_by("-username")[:5]
    )
    prepared = by_unit.all(unit=unit.pk)
    same_objects(prepared, orm)
    assert [u.unit_code for u in prepared] == [u.unit_code for u in orm] == ["P-UNIT"] * 2
    assert [u.username for u in prepared] == ["with-unit", "third"]

    members = Prepared(
        lambda code: Organisation.objects.filter(code=code).annotate(n=Count("users")),
        code=str,
    )
    orm = list(Organisation.objects.filter(code="P-UNIT").annotate(n=Count("users")))
    assert [(o.pk, o.n) for o in members.all(code="P-UNIT")] == [(o.pk, o.n) for o in orm]
    assert members.first(code="P-UNIT").n == 2

    shapes = {
        "values": lambda unit: User.objects.filter(organisation=unit).values("pk", "username"),
        "values_list": lambda unit: User.objects.filter(organisation=unit).values_list(
            "username", "organisation__name_en"
        ),
        "flat": lambda unit: (
            User.objects.filter(organisation=unit)
            .order_by("username")
            .values_list("username", flat=True)
        ),
        "annotated values": lambda unit: (
            User.objects.filter(organisation=unit)
            .values("organisation")
            .annotate(n=Count("pk"))
            .values("organisation", "n")
        ),
    }
    for name, build in shapes.items():
        assert Prepared(build, unit=int).all(unit=unit.pk) == list(build(unit.pk)), name


def test_the_sql_is_compiled_once_per_process(people, monkeypatch):
    read = Prepared(lambda pk: User.objects.filter(pk=pk), pk=int)
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert [u.username for u in read.all(pk=people[0].pk)] == ["with-unit"]
    assert [u.username for u in read.all(pk=people[1].pk)] == ["without-unit"]
    assert compiled == [User]


def test_values_are_converted_as_the_orm_converts_them_or_refused(people):
    user = people[0]
    assert USER.first(pk=str(user.pk)).pk == user.pk  # "7" is 7, as filter(pk="7")
    with pytest.raises(ValueError, match="seven"):
        USER.first(pk="seven")  # filter(pk="seven") raises ValueError too
    with pytest.raises(ValueError, match="seven"):
        User.objects.filter(pk="seven")
    for wrong in (None, [user.pk], (user.pk,)):  # IS NULL and IN are other shapes
        with pytest.raises(TypeError):
            USER.first(pk=wrong)
    with pytest.raises(TypeError):
        USER.first(id=user.pk)  # not the builder's name
    with pytest.raises(TypeError):
        USER.first()
    joined = Prepared(lambda on: User.objects.filter(date_joined__date=on), on=dt.date)
    with pytest.raises(TypeError):
        joined.all(on=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # a date, not a datetime
    with pytest.raises(TypeError):
        joined.all(on="2026-01-01")


def test_builders_that_cannot_be_prepared_are_refused(people):
    with pytest.raises(TypeError):  # a type per argument
        Prepared(lambda pk: User.objects.filter(pk=pk))
    with pytest.raises(TypeError):  # types it cannot put in SQL as the ORM would
        Prepared(lambda pk: User.objects.filter(pk=pk), pk=float)
    unused = Prepared(lambda pk, unit: User.objects.filter(pk=pk), pk=int, unit=int)
    with pytest.raises(TypeError):
        unused.all(pk=1, unit=2)
    prefetching = Prepared(
        lambda pk: Organisation.objects.filter(pk=pk).prefetch_related("users"), pk=int
    )
    with pytest.raises(TypeError):
        prefetching.all(pk=people[0].organisation_id)
    named = Prepared(lambda pk: User.objects.filter(pk=pk).values_list("pk", named=True), pk=int)
    with pytest.raises(TypeError):
        named.all(pk=people[0].pk)


def test_the_session_store_reads_what_djangos_reads(people):
    from django.contrib.sessions.backends.db import SessionStore as Djangos
    from django.contrib.sessions.models import Session

    from portal.sessions import SessionStore

    written = Djangos()
    written["who"] = "读者"
    written.set_expiry(600)
    written.create()
    key = written.session_key
    for store in (Djangos, SessionStore):
        assert store(key).load() == {"who": "读者", "_session_expiry": 600}
    Session.objects.filter(session_key=key).update(
        expire_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    for store in (Djangos, SessionStore):  # expired: nothing, and the key is forgotten
        session = store(key)
        assert session.load() == {}
        assert session.session_key is None
    assert SessionStore("no-such-key").load() == {}


def test_the_two_factor_device_is_the_one_django_otp_reads(people):
    from django_otp.models import Device
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.otp import PortalOTPMiddleware

    static = StaticDevice.objects.create(user=people[0], name="codes", confirmed=True)
    totp = TOTPDevice.objects.create(user=people[1], name="phone", confirmed=False)
    middleware = PortalOTPMiddleware(lambda request: None)
    ids = [
        static.persistent_id,
        totp.persistent_id,
        "otp_static.staticdevice/0",  # no such device
        "otp_static.staticdevice/seven",
        "no-slash",
        "otp_static/1",
        "a.b.c/1",
        "nosuch.model/1",
        "django_otp_plugins.otp_static.models.StaticDevice/1",  # a legacy id, normalised
    ]
    for persistent_id in ids:
        expected = Device.from_persistent_id(middleware._normalize_persistent_id(persistent_id))
        device = middleware._device_from_persistent_id(persistent_id)
        assert (device is None) == (expected is None), persistent_id
        if device is not None:
            assert type(device) is type(expected)
            assert fields(device) == fields(expected)
    assert middleware._device_from_persistent_id(static.persistent_id).pk == static.pk


@pytest.mark.django_db(transaction=True)
def test_a_lock_is_refused_outside_a_transaction_at_every_run(reference_data):
    from django.db import connection, transaction
    from django.db.transaction import TransactionManagementError

    user = UserFactory(username="locked")
    locking = Prepared(lambda pk: User.objects.filter(pk=pk).select_for_update(), pk=int)
    with transaction.atomic():  # compiled here, inside a transaction
        assert [u.pk for u in locking.all(pk=user.pk)] == [user.pk]
    if connection.features.has_select_for_update:  # SQLite takes no locks, and checks none
        with pytest.raises(TransactionManagementError):
            list(User.objects.filter(pk=user.pk).select_for_update())  # the ORM
        with pytest.raises(TransactionManagementError):
            locking.all(pk=user.pk)  # compiled already, still checked
    with transaction.atomic():
        assert [u.pk for u in locking.all(pk=user.pk)] == [user.pk]
