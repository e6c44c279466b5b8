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


# --- every message in the code has an entry in both catalogues ---------------------------------
# makemessages is not run by hand (several people edit the catalogues at once), so this reads the
# code the way it does: gettext calls in Python, translate / blocktranslate in templates, gettext
# in the project's own JavaScript.

SKIPPED_DIRS = {".venv", "node_modules", "var", "bench", "dev", "locale", "tests", "migrations"}
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop"}
NGETTEXT_CALLS = {"ngettext", "ngettext_lazy"}
PGETTEXT_CALLS = {"pgettext", "pgettext_lazy"}
TRANSLATE_TAG = re.compile(
    r"""{%\s*(?:trans|translate)\s+(?P<q>["'])(?P<s>.*?)(?P=q)(?P<rest>[^%]*)%}""", re.S
)
BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktrans|blocktranslate)\b(?P<args>[^%]*)%}(?P<body>.*?)"
    r"{%\s*(?:endblocktrans|endblocktranslate)\s*%}",
    re.S,
)
CONTEXT_ARG = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")
JS_GETTEXT = re.compile(r"""\bgettext\(\s*(["'])(.*?)(?<!\\)\1\s*\)""")


def _project_files(pattern: str):
    for path in Path(settings.BASE_DIR).rglob(pattern):
        if not SKIPPED_DIRS & set(path.relative_to(settings.BASE_DIR).parts):
            yield path


def _python_messages(path: Path):
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        texts = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        texts = [t if isinstance(t, str) else None for t in texts]
        if (
            name in GETTEXT_CALLS
            and texts
            and texts[0]
            or name in NGETTEXT_CALLS
            and len(texts) > 1
            and texts[0]
        ):
            yield None, texts[0]
        elif name in PGETTEXT_CALLS and len(texts) > 1 and texts[0] and texts[1]:
            yield texts[0], texts[1]


def _block_message(text: str, trimmed: bool) -> str:
    text = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text.replace("%", "%%"))
    if trimmed:
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text


def _template_messages(path: Path):
    source = path.read_text(encoding="utf-8")
    for match in TRANSLATE_TAG.finditer(source):
        context = CONTEXT_ARG.search(match.group("rest"))
        yield (context.group(2) if context else None), match.group("s").replace("%", "%%")
    for match in BLOCK_TAG.finditer(source):
        args = match.group("args")
        context = CONTEXT_ARG.search(args)
        singular = re.split(r"{%\s*plural\s*%}", match.group("body"))[0]
        yield (
            (context.group(2) if context else None),
            _block_message(singular, "trimmed" in args.split()),
        )


def messages_in_the_code(domain: str) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> the first file that uses it."""
    found: dict[tuple[str | None, str], str] = {}
    if domain == "djangojs":
        sources = [
            (path, ((None, m.group(2)) for m in JS_GETTEXT.finditer(path.read_text("utf-8"))))
            for path in _project_files("static/js/*.js")
        ]
    else:
        sources = [(path, _python_messages(path)) for path in _project_files("*.py")]
        sources += [
            (path, _template_messages(path))
            for pattern in ("templates/**/*.html", "templates/**/*.txt")
            for path in _project_files(pattern)
        ]
    for path, keys in sources:
        for key in keys:
            found.setdefault(key, str(path.relative_to(settings.BASE_DIR)))
    return found


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_message_in_the_code_has_an_entry_in_the_catalogue(language, domain):
    in_code = messages_in_the_code(domain)
    assert domain == "djangojs" or len(in_code) > 500  # the reader still finds the messages
    entries = {(e.msgctxt, e.msgid) for e in catalogue(language, domain) if not e.obsolete}
    missing = sorted(
        (where, msgid) for (ctx, msgid), where in in_code.items() if (ctx, msgid) not in entries
    )
    assert not missing, "\n".join(f"{where}: {msgid!r}" for where, msgid in missing)


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
