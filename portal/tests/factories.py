import factory

from portal.models import Organisation, User
from portal.services import user_sync_role


def unit_factory(**kwargs) -> Organisation:
    return OrganisationFactory(**kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"UNIT-{n:04d}")
    kind = Organisation.Kind.UNIT
    name_zh = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Unit {n} Co., Ltd.")


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(role=..., organisation_code="110000")`` or ``organisation=<Organisation>``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        organisation_code = None

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    last_name = "Test"
    first_name = factory.Sequence(lambda n: f"Person{n}")
    role = User.Role.MINISTRY_STAFF
    organisation = factory.LazyAttribute(
        lambda u: Organisation.objects.get(code=u.organisation_code or "MIIT")
    )
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-1")

    @factory.post_generation
    def sync_role(obj, create, extracted, **kwargs):  # noqa: N805
        obj.save()
        user_sync_role(user=obj)
