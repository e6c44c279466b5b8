"""Form widgets that write in Python the HTML Django's own widget templates write.

Django renders every widget through a template (``django/forms/widgets/*.html``, each including
``attrs.html``, a select one more per option): about 0.2 ms a widget. A page with one form is
none the worse; the progress report's form has seven fields per task, 150 widgets on a report of
twenty tasks, and that was a third of the page's cost (bench/load.py). These classes give the
same markup, character for character (``portal/tests/test_widgets.py`` compares them with
Django's templates), without the template engine. Anything they do not cover (a widget template
someone overrides, optgroups inside a choice, a file input showing its current file) goes through
Django's template as before.
"""

from html import escape as html_escape

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe


def template_value(value) -> str:
    """``{{ value }}`` in a template: localized, made a string, escaped unless marked safe.

    The result is the text to put into the HTML being written, not itself marked safe: every
    caller adds it to a string that is marked safe once, whole."""
    kind = type(value)
    if kind is str:  # the usual case: what escape() does, without its lazy-text wrapper
        return html_escape(value)
    if kind is SafeString:  # rendered markup: what conditional_escape() gives back
        return value
    value = localize(value)
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


_text = template_value


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: stringformat keeps a safe value safe."""
    if isinstance(value, tuple):
        value = str(value)
    out = "%s" % (value,)  # noqa: UP031 (what stringformat does)
    if isinstance(value, SafeData):
        out = mark_safe(out)  # noqa: S308 - safe in, safe out, as the filter does
    return _text(out)


def html_attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"``, `` name`` for True, nothing for
    False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


class PythonRendered:
    """Mixin: ``_render`` writes the HTML of ``fast_template`` in Python (``html(widget)``, the
    widget's context); any other template goes through Django's renderer."""

    fast_template = ""

    def _render(self, template_name, context, renderer=None):
        if template_name == self.fast_template == type(self).template_name:
            html = self.html(context["widget"])
            if html is not None:
                # Every value in it went through _text(); stripped as Django's renderer does.
                return mark_safe(html.strip())  # noqa: S308 - every value escaped
        return super()._render(template_name, context, renderer)

    def html(self, widget: dict) -> str | None:
        raise NotImplementedError


def _input(widget: dict) -> str:
    """``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{html_attrs(widget['attrs'])}>"
    )


class TextInput(PythonRendered, forms.TextInput):
    fast_template = "django/forms/widgets/text.html"

    def html(self, widget):
        return _input(widget)


class NumberInput(PythonRendered, forms.NumberInput):
    fast_template = "django/forms/widgets/number.html"

    def html(self, widget):
        return _input(widget)


class HiddenInput(PythonRendered, forms.HiddenInput):
    fast_template = "django/forms/widgets/hidden.html"

    def html(self, widget):
        return _input(widget)


class CheckboxInput(PythonRendered, forms.CheckboxInput):
    fast_template = "django/forms/widgets/checkbox.html"

    def html(self, widget):
        return _input(widget)


class Textarea(PythonRendered, forms.Textarea):
    fast_template = "django/forms/widgets/textarea.html"

    def html(self, widget):
        value = _text(widget["value"]) if widget["value"] else ""
        return (
            f'<textarea name="{_text(widget["name"])}"{html_attrs(widget["attrs"])}>\n'
            f"{value}</textarea>"
        )


class ClearableFileInput(PythonRendered, forms.ClearableFileInput):
    fast_template = "django/forms/widgets/clearable_file_input.html"

    def html(self, widget):
        if widget["is_initial"]:
            return None  # the current file, a link and a "clear" box: Django's template
        return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"' + (
            f"{html_attrs(widget['attrs'])}>"
        )


class Select(PythonRendered, forms.Select):
    fast_template = "django/forms/widgets/select.html"

    def html(self, widget):
        options = []
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                return None  # optgroups: Django's template
            for option in group_choices:
                if option["template_name"] != "django/forms/widgets/select_option.html":
                    return None
                # Each option's template ends with a newline, kept inside the select.
                options.append(
                    f'\n  <option value="{_formatted(option["value"])}"'
                    f"{html_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
                )
        return (
            f'<select name="{_text(widget["name"])}"{html_attrs(widget["attrs"])}>'
            f"{''.join(options)}\n</select>"
        )
