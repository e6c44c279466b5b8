"""portal/widgets.py writes, character for character, what Django's widget templates write."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from portal import widgets

ATTRS = [
    {},
    {"id": "id_t4_status"},
    {"id": "id_x", "aria-describedby": "id_x_helptext", "aria-invalid": "true"},
    {"id": "id_x", "required": True, "disabled": False, "data-nothing-to-report": 4},
    {"id": "id_x", "data-previous": 'Plan "B" <next> & more', "rows": 2, "min": 0, "max": 100},
    {"id": "id_x", "data-safe": mark_safe("<b>kept</b>"), "class": "a b"},
]
VALUES = [None, "", "0", "text", 'quote " and <tag> & amp', "多行\n文本", 0, 42, True, False]
CHOICES = [("", "—"), ("on_track", _("On track")), ("delayed", "Delayed & <late>"), (3, 3)]

PAIRS = [
    (forms.TextInput, widgets.TextInput, {}),
    (forms.NumberInput, widgets.NumberInput, {}),
    (forms.HiddenInput, widgets.HiddenInput, {}),
    (forms.CheckboxInput, widgets.CheckboxInput, {}),
    (forms.Textarea, widgets.Textarea, {"attrs": {"rows": 3}}),
    (forms.ClearableFileInput, widgets.ClearableFileInput, {}),
    (forms.Select, widgets.Select, {"choices": CHOICES}),
]


@pytest.mark.parametrize(("django_class", "ours", "kwargs"), PAIRS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_widget_writes_what_django_s_template_writes(django_class, ours, kwargs, language):
    with override(language):
        for attrs in ATTRS:
            for value in [*VALUES, "on_track", 3]:
                expected = django_class(**kwargs).render("t4_field", value, attrs)
                assert ours(**kwargs).render("t4_field", value, attrs) == expected


def test_a_select_with_groups_goes_through_django_s_template():
    choices = [("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")]
    expected = forms.Select(choices=choices).render("s", "b", {"id": "id_s"})
    assert widgets.Select(choices=choices).render("s", "b", {"id": "id_s"}) == expected


def test_a_file_input_showing_its_current_file_goes_through_django_s_template():
    class Stored:
        url = "/media/x.pdf"

        def __str__(self):
            return "x.pdf"

    expected = forms.ClearableFileInput().render("f", Stored(), {"id": "id_f"})
    assert widgets.ClearableFileInput().render("f", Stored(), {"id": "id_f"}) == expected
    assert 'href="/media/x.pdf"' in expected


def test_a_bound_field_renders_the_same_with_errors_and_help_text():
    class Django(forms.Form):
        status = forms.ChoiceField(choices=CHOICES, help_text="Pick one")
        percent = forms.IntegerField(min_value=0, max_value=100)
        text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    class Ours(forms.Form):
        status = forms.ChoiceField(choices=CHOICES, help_text="Pick one", widget=widgets.Select)
        percent = forms.IntegerField(min_value=0, max_value=100, widget=widgets.NumberInput)
        text = forms.CharField(widget=widgets.Textarea(attrs={"rows": 2}))

    data = {"status": "nope", "percent": "101", "text": ""}
    for django_form, our_form in [(Django(), Ours()), (Django(data), Ours(data))]:
        for name in ("status", "percent", "text"):
            assert str(our_form[name]) == str(django_form[name])
