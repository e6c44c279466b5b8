"""What is waiting for a user: each app registers a provider, the home page lists their items.

Data flows one way (catalog → consortia → reporting); the portal does not import the apps,
the apps register here from their ``AppConfig.ready``.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.widgets import template_value as _text


@dataclass(frozen=True)
class InboxItem:
    title: str
    detail: str = ""
    url: str = ""
    due: dt.date | None = None
    # "info", "warning" (due soon) or "danger" (overdue / needs action now)
    level: str = "info"
    tags: tuple[str, ...] = field(default_factory=tuple)
    # Since when the item waits for the user (a date, or the moment it arrived); None for a
    # reminder of a deadline, which waits for nobody.
    since: dt.date | dt.datetime | None = None

    @property
    def days_left(self) -> int | None:
        if self.due is None:
            return None
        return (self.due - timezone.localdate()).days

    @property
    def since_date(self) -> dt.date | None:
        """``since`` as a Beijing date."""
        if isinstance(self.since, dt.datetime):
            return timezone.localtime(self.since).date()
        return self.since

    @property
    def html(self) -> str:
        """The item in the home page's list (``portal/_inbox.html``), with the whitespace around
        it: in Python what this template loop body writes (``test_homes`` compares them)::

            <li class="level-{{ item.level }}" data-testid="inbox-item">
              {% if item.url %}<a href="{{ item.url }}">{{ item.title }}</a>{% else %}
              {{ item.title }}{% endif %}
              {% if item.detail %}<div class="detail">{{ item.detail }}</div>{% endif %}
              {% if item.since %}<div class="detail inbox-dates"><span data-testid=
              "inbox-since">{% blocktranslate with date=item.since_date|date:"Y-m-d" %}Waiting
              since {{ date }}{% endblocktranslate %}</span>{% if item.due %} · <span
              data-testid="inbox-due">{% blocktranslate with date=item.due|date:"Y-m-d" %}Due
              date: {{ date }}{% endblocktranslate %}</span>{% endif %}</div>{% endif %}
            </li>

        Fifty items a page: a fraction of the template's cost."""
        title = _text(self.title)
        out = [
            f'\n    <li class="level-{_text(self.level)}" data-testid="inbox-item">\n      ',
            f'<a href="{_text(self.url)}">{title}</a>' if self.url else title,
            "\n      ",
        ]
        if self.detail:
            out.append(f'<div class="detail">{_text(self.detail)}</div>')
        out.append("\n      ")
        if self.since:
            # date:"Y-m-d" of a date is its ISO form (years from 1000 on).
            since = gettext("Waiting since %(date)s") % {"date": self.since_date.isoformat()}
            out.append(
                f'<div class="detail inbox-dates"><span data-testid="inbox-since">{since}</span>'
            )
            if self.due:
                due = gettext("Due date: %(date)s") % {"date": self.due.isoformat()}
                out.append(f' · <span data-testid="inbox-due">{due}</span>')
            out.append("</div>")
        out.append("\n    </li>\n    ")
        return mark_safe("".join(out))  # noqa: S308 - every value escaped (_text)

    def sort_key(self) -> tuple:
        """Oldest first; then what has no "since" (deadlines), soonest due first."""
        since = self.since
        if isinstance(since, dt.datetime):
            since = timezone.localtime(since)
        elif isinstance(since, dt.date):
            since = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        far, never = dt.date.max, dt.datetime.max.replace(tzinfo=dt.UTC)
        return (since is None, since or never, self.due or far, self.title)


Provider = Callable[[object], list[InboxItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def inbox_for(user) -> list[InboxItem]:
    items: list[InboxItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return sorted(items, key=InboxItem.sort_key)


@dataclass(frozen=True)
class Panel:
    """A block on a home page, contributed by an app: a template and its context."""

    template: str
    context: dict
    order: int = 100


PanelProvider = Callable[[object, str], Panel | None]
_panel_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _panel_providers:
        _panel_providers.append(provider)
    return provider


def panels_for(user, area: str) -> list[Panel]:
    panels = [p for p in (provider(user, area) for provider in _panel_providers) if p is not None]
    return sorted(panels, key=lambda p: p.order)
