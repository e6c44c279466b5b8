"""Chinese first, English complete: every visible string of every page changes with the language."""

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from portal.models import Organisation
from portal.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that stay as they are in Chinese text: names of languages in the switcher, acronyms.
ZH_ALLOWED = {"English", "API", "PDF", "MIIT", "Excel", "SHA", "CSV", "KB", "MB", "GB", "TB", "PB"}
# Text that stays Chinese in the English UI: the language switcher, official document numbers.
EN_ALLOWED = ["简体中文", "工信厅信发函〔2026〕64号"]


class VisibleText(HTMLParser):
    """Text a user sees: text nodes outside script/style, plus alt / title / aria-label / placeholder."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") == "submit" and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


CATALOGUES = [
    (language, domain) for language in ("zh_Hans", "en") for domain in ("django", "djangojs")
]
# %(name)s, %s, {0}, {value}: what Python fills in; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
# Chinese sentences take full-width punctuation: an ASCII , . ; : ! ? ( ) next to a Chinese
# character (and any ASCII double quote) is a slip of the keyboard.
CJK_CHAR = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CJK_CHAR}[,.;:!?()]|[,.;:!?()]{CJK_CHAR}|\"")


def catalogue(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(Path(settings.BASE_DIR) / f"locale/{language}/LC_MESSAGES/{domain}.po"))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def translations(entry: polib.POEntry, nplurals: int) -> list[tuple[str, str]]:
    """(msgstr, the msgid it renders) for each form: one, or one per plural form."""
    if not entry.msgid_plural:
        return [(entry.msgstr, entry.msgid)]
    return [
        (
            entry.msgstr_plural.get(n, ""),
            entry.msgid if n == 0 and nplurals > 1 else entry.msgid_plural,
        )
        for n in range(nplurals)
    ]


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_catalogue_entry_is_translated_and_keeps_its_placeholders(language, domain):
    po = catalogue(language, domain)
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    entries = [e for e in po if not e.obsolete]
    problems = []
    counts = Counter((e.msgctxt, e.msgid) for e in entries)
    problems += [("duplicate", key) for key, n in counts.items() if n > 1]
    for entry in entries:
        if entry.fuzzy:
            problems.append(("fuzzy", entry.msgid))
        for msgstr, msgid in translations(entry, nplurals):
            if not msgstr.strip():
                problems.append(("empty", msgid))
            elif placeholders(msgstr) != placeholders(msgid):
                problems.append(("placeholders", msgid, msgstr))
            if language == "zh_Hans" and HALF_WIDTH_IN_CHINESE.search(msgstr):
                problems.append(("half-width punctuation", msgid, msgstr))
    assert not problems, "\n".join(repr(p) for p in problems)


@pytest.fixture
def people():
    """Users whose own names are written in both scripts, so the test can tell them from UI text."""
    specs = {
        "ministry": ("ministry_staff", "MIIT"),
        "province": ("provincial_authority", "110000"),
        "consortium": ("consortium_lead", None),
    }
    unit = Organisation.objects.create(
        code="I18N-UNIT", kind="unit", name_zh="示例单位", name_en="Example Unit"
    )
    users = {}
    for area, (role, code) in specs.items():
        users[area] = UserFactory(
            role=role,
            organisation_code=code,
            organisation=unit if code is None else Organisation.objects.get(code=code),
            last_name="",
            first_name="",
            username=f"i18n{area}",
        )
    return users


def pages_for(area):
    return [
        reverse(f"portal:home-{area}"),
        reverse("tasks_catalog:program-list"),
        reverse("tasks_catalog:program-detail", args=["idfa-2026"]),
        reverse("tasks_catalog:program-detail", args=["mdr-2026"]),
        reverse("portal:notification-list"),
        reverse("password_change"),
        reverse("portal:home-ministry" if area != "ministry" else "portal:home-province"),  # 403
        "/no-such-page/",  # 404
    ]


ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
]


def check_language(html: str, language: str, own_name: str) -> list[str]:
    text = visible_text(html).replace(own_name, "")
    if language == "zh-hans":
        words = set(LATIN_WORD.findall(text)) - ZH_ALLOWED
        return sorted(words)
    for allowed in EN_ALLOWED:
        text = text.replace(allowed, "")
    return sorted({line for line in text.splitlines() if CJK.search(line)})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("area", ["ministry", "province", "consortium"])
def test_pages_show_only_the_chosen_language(client, people, area, language):
    user = people[area]
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    for url in pages_for(area):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        leftovers = check_language(response.content.decode(), language, user.username)
        assert not leftovers, (url, leftovers)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_anonymous_pages_show_only_the_chosen_language(client, language):
    for url in ANONYMOUS_PAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        leftovers = check_language(response.content.decode(), language, "")
        assert not leftovers, (url, leftovers)
