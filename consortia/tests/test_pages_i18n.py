"""The plan pages show only the chosen language (user-entered content aside)."""

import pytest
from django.urls import reverse

from consortia.samples import fill_plan
from consortia.tests.conftest import make_consortium
from portal.tests.test_i18n import check_language

pytestmark = pytest.mark.django_db


def user_content(consortium) -> list[str]:
    plan = consortium.plan
    values = [
        consortium.name,
        consortium.lead_unit_name,
        consortium.lead_unit_credit_code,
        consortium.contact_name,
        consortium.contact_title,
        consortium.contact_phone,
        consortium.contact_email,
        consortium.authority.name_zh,
        consortium.authority.region_name_zh,
        *plan.work_foundation.splitlines(),
        *plan.implementation_plan.splitlines(),
        *plan.authority_opinion.splitlines(),
        *(line for s in plan.selections.all() for line in s.target.splitlines()),
    ]
    for m in consortium.members.all():
        values += [m.name, m.profile, m.role, m.contact_name, m.contact_email]
    return sorted({v for v in values if v}, key=len, reverse=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plan_pages_in_one_language(client, province_user, idfa, language, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    consortium = make_consortium(province_user, idfa)
    fill_plan(actor=province_user, consortium=consortium)
    client.force_login(province_user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    pk = consortium.pk
    urls = [
        reverse("consortia:consortium-list"),
        reverse("consortia:consortium-create") + "?program=idfa-2026",
        reverse("consortia:consortium-detail", args=[pk]),
        reverse("consortia:consortium-edit", args=[pk]),
        reverse("consortia:members", args=[pk]),
        reverse("consortia:plan-edit", args=[pk]),
        reverse("consortia:tasks-edit", args=[pk]),
        reverse("consortia:plan-action", args=[pk, "submit"]),
        reverse("portal:home-province"),
    ]
    strip = [*user_content(consortium), province_user.display_name]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for value in strip:
            html = html.replace(value, "")
        leftovers = check_language(html, language, province_user.username)
        assert not leftovers, (url, leftovers)


# The loop consortia/panel_consortia.html had, which consortium_row_html writes in Python.
PANEL_LOOP = (
    "{% for c in consortia %}\n"
    "      <tr><td><a href=\"{% url 'consortia:consortium-detail' c.pk %}\">{{ c.name }}</a></td>"
    "<td>{{ c.program.short_name }}</td><td>{{ c.authority.region_name }}</td>\n"
    '        <td><span class="state state-{{ c.plan.state }}">{{ c.plan.get_state_display }}'
    "</span></td></tr>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_home_panel_rows_write_what_the_template_loop_wrote(province_user, idfa, language):
    """The panel reads plain values (``panel_rows``); its rows equal the template loop over the
    consortia read as model objects, names in the active language (an English name left empty
    falls back to the Chinese one)."""
    from django.template import Context, Template
    from django.utils.translation import override

    from consortia.inbox import (
        PANEL_COLUMNS,
        consortia_panel,
        consortium_row_html,
        panel_rows,
        plan_state_labels,
    )
    from consortia.models import Consortium
    from consortia.selectors import consortium_list_visible_to
    from tasks_catalog.models import Program

    make_consortium(province_user, idfa, name='京津<b>"数据"</b> & 联合体')
    make_consortium(province_user, idfa, name="京冀数据联合体")
    other = Program.objects.exclude(pk=idfa.pk).first()
    Program.objects.filter(pk=other.pk).update(short_name_en="")  # falls back to Chinese
    make_consortium(province_user, other, name="京沪模数联合体")
    with override(language):
        panel = consortia_panel(province_user, "province")
        consortia = list(
            consortium_list_visible_to(user=province_user).select_related(
                "program", "authority", "plan"
            )[:50]
        )
        assert len(consortia) == 3
        expected = Template(PANEL_LOOP).render(Context({"consortia": consortia}))
        assert "".join(panel.context["rows"]) == expected
        assert "&lt;b&gt;" in expected
        assert other.short_name_zh in expected
        # A consortium without its plan: the template wrote the state empty.
        orphan = Consortium.objects.select_related("program", "authority").get(pk=consortia[0].pk)
        orphan._state.fields_cache["plan"] = None
        expected = Template(PANEL_LOOP).render(Context({"consortia": [orphan]}))
        values = Consortium.objects.filter(pk=orphan.pk).values_list(*PANEL_COLUMNS)
        (row,) = panel_rows([(*v[:-1], None) for v in values])
        assert consortium_row_html(row, plan_state_labels()) == expected
        assert 'class="state state-"' in expected
