"""Test helper: the fields of a page's form as the browser would post them (the admin's
change forms, with their inlines), so a test changes one value and posts the rest unchanged."""

from html.parser import HTMLParser

from django.urls import reverse


class FormFields(HTMLParser):
    """Every field of the admin's change form as the browser would post it."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str | list[str]] = {}
        self._select: str | None = None
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._multiple = name, "multiple" in a
            self.data.setdefault(name, [] if self._multiple else "")
        elif tag == "option" and self._select and "selected" in a:
            if self._multiple:  # a multiple select posts one value per selected option
                self.data[self._select].append(a.get("value", ""))
            else:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.data


def program_form_data(client, program) -> tuple[str, dict[str, str]]:
    """The admin's change form of a program (with its calendar, entity types and categories)."""
    url = reverse("admin:tasks_catalog_program_change", args=[program.pk])
    return url, form_data(client, url)
