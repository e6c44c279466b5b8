"""List pages: one page of a filtered queryset, and column headers that sort it (``?ordering=``).

The filter itself is a django-filter ``FilterSet`` shared with the API list of the same rows,
so ``?program=…&ordering=-name`` means the same on the page and in ``/api/v1/``.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from .models import Organisation
from .permissions import is_ministry

PAGE_SIZE = 50


def page_of(request, rows, *, per_page: int | None = None) -> Page:
    """The page ``?page=N`` asks for (the last one when N is too large, the first when not a number)."""
    return Paginator(rows, per_page or PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class Column:
    label: str
    key: str = ""  # the ``ordering`` value sorting by this column; "" = not sortable
    sort: str = ""  # "ascending" / "descending" when the list is sorted by this column
    next: str = ""  # the ``ordering`` value a click on the header asks for
    hidden: bool = False  # a label for screen readers only (a checkbox or actions column)


def sortable_columns(current: str, columns: list[tuple]) -> list[Column]:
    """``[(label, key)]`` → headers: a click sorts ascending, a second click descending.
    ``(label, "", True)``: a column without sorting whose label only screen readers read."""
    out = []
    for label, key, *hidden in columns:
        if not key:
            out.append(Column(label, hidden=bool(hidden and hidden[0])))
        elif current == key:
            out.append(Column(label, key, "ascending", f"-{key}"))
        elif current == f"-{key}":
            out.append(Column(label, key, "descending", key))
        else:
            out.append(Column(label, key, "", key))
    return out


def authority_choices(user) -> list[Organisation]:
    """The provinces a list can be narrowed to: every one for the Ministry, none for a province
    (it sees only its own)."""
    if not is_ministry(user):
        return []
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_AUTHORITY).order_by(
            "sort_order", "code"
        )
    )
