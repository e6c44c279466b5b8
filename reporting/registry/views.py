"""Pages of the "1+4+N" deliverables: a consortium's registry per kind, and the Ministry's
catalogue with CSV / Excel downloads. Thin callers of the registry's services and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from consortia.forms import apply_service_error
from consortia.selectors import consortium_get_for
from portal.permissions import require
from portal.spreadsheets import csv_bytes, safe_text, xlsx_bytes
from portal.views import PermissionMixin
from reporting.registry.forms import CatalogueFilterForm, deliverable_form_class
from reporting.registry.kinds import (
    COMMON_FIELDS,
    KINDS,
    DeliverableKind,
    format_size,
    kinds_for,
)
from reporting.registry.permissions import can_browse_deliverables, can_edit_deliverables
from reporting.registry.selectors import (
    dataset_totals,
    deliverable_catalogue,
    deliverable_list_for_consortium,
)
from reporting.registry.services import deliverable_delete, deliverable_save

CATALOGUE_PAGE_SIZE = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- table cells, shared by pages and downloads ----------------------------------------------


def _cell(obj, name: str, *, export: bool) -> Any:
    """The value of one column: labels for choices; in downloads, numbers stay numbers."""
    if name == "tasks":
        return ", ".join(str(t.number) for t in obj.tasks.all())
    if name == "period":
        return str(obj.period)
    if name == "consortium":
        return obj.consortium.name
    if name == "province":
        return obj.consortium.authority.region_name
    if name == "size_bytes" and not export:
        return format_size(obj.size_bytes)  # as the lead entered it: 1.5 GB
    field = obj._meta.get_field(name)
    if isinstance(field, models.ManyToManyField):  # linked deliverables, by name
        return "; ".join(linked.name for linked in getattr(obj, name).all())
    value = getattr(obj, name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int) and not export:
        return f"{value:,}"  # 1,200,000: digits grouped alike in Chinese and English
    return value


EXTRA_HEADERS = {
    "consortium": lambda: _("Consortium"),
    "province": lambda: _("Province"),
    "period": lambda: _("Reporting period"),
    "tasks": lambda: _("Tasks"),
    "name": lambda: _("Name"),
}


def _headers(spec: DeliverableKind, names: list[str], *, export: bool) -> list[str]:
    def header(name: str):
        if name in EXTRA_HEADERS:
            return EXTRA_HEADERS[name]()
        if name == "size_bytes" and not export:  # pages show MB / GB / TB, downloads bytes
            return _("Dataset size")
        return capfirst(spec.field_label(name))

    return [str(header(n)) for n in names]


def _table(spec: DeliverableKind, objects, names: list[str], *, export: bool = False):
    rows = [(obj, [_cell(obj, n, export=export) for n in names]) for obj in objects]
    return _headers(spec, names, export=export), rows


def _tabs(url_name: str, args: list, current: str, kinds=None) -> list[dict]:
    return [
        {
            "key": key,
            "label": spec.label,
            "url": reverse(url_name, args=[*args, key]),
            "current": key == current,
        }
        for key, spec in (kinds or KINDS).items()
    ]


class KindMixin:
    """The ``kind`` in the URL, or 404."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs["kind"] not in KINDS:
            raise Http404
        self.kind = kwargs["kind"]
        self.spec = KINDS[self.kind]


# --- a consortium's registry -----------------------------------------------------------------


class ConsortiumDeliverableMixin(KindMixin, LoginRequiredMixin):
    """Loads the consortium the URL names, or 404 when the user may not see it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.consortium = consortium_get_for(user=request.user, pk=kwargs["consortium_pk"])
        self.kinds = kinds_for(self.consortium.program)
        if self.kind not in self.kinds:  # a kind its program does not record
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, instance=None):
        return deliverable_form_class(self.kind)(
            data, instance=instance, consortium=self.consortium
        )

    def save_form(self, form, instance=None):
        """Call the service with the form's data; on refusal put its messages on the form."""
        try:
            deliverable_save(
                actor=self.request.user,
                consortium=self.consortium,
                kind=self.kind,
                data=form.cleaned_data,
                instance=instance,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
            return False
        messages.success(
            self.request,
            _("%(kind)s “%(name)s” saved.")
            % {"kind": self.spec.label_singular, "name": form.cleaned_data["name"]},
        )
        return True

    def back(self):
        return redirect("reporting:deliverable-list", self.consortium.pk, self.kind)

    def get_context_data(self, **kwargs):
        for url_kwarg in ("consortium_pk", "kind", "pk"):  # TemplateView passes them in
            kwargs.pop(url_kwarg, None)
        return super().get_context_data(
            consortium=self.consortium,
            kind=self.kind,
            spec=self.spec,
            tabs=_tabs("reporting:deliverable-list", [self.consortium.pk], self.kind, self.kinds),
            **kwargs,
        )


class DeliverableHomeView(LoginRequiredMixin, View):
    """``/reports/deliverables/<consortium>/``: the first kind the consortium's program records."""

    def get(self, request, consortium_pk):
        consortium = consortium_get_for(user=request.user, pk=consortium_pk)
        first = next(iter(kinds_for(consortium.program)))
        return redirect("reporting:deliverable-list", consortium.pk, first)


class DeliverableListView(ConsortiumDeliverableMixin, TemplateView):
    """The consortium's deliverables of one kind; the lead adds one with the form below."""

    template_name = "reporting/deliverables/list.html"

    def get_context_data(self, **kwargs):
        objects = deliverable_list_for_consortium(
            user=self.request.user, consortium=self.consortium, kind=self.kind
        )
        tasks = ["tasks"] if self.consortium.program.uses_task_table else []
        headers, rows = _table(self.spec, objects, ["name", "period", *self.spec.columns, *tasks])
        decision = can_edit_deliverables(self.request.user, self.consortium)
        if decision and "form" not in kwargs:
            kwargs["form"] = self.form()
        return super().get_context_data(
            headers=headers,
            rows=rows,
            can_edit=bool(decision),
            denied_reason=decision.reason,
            totals=dataset_totals(datasets=objects) if self.kind == "dataset" else None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        require(can_edit_deliverables(request.user, self.consortium))
        form = self.form(request.POST)
        if form.is_valid() and self.save_form(form):
            return self.back()
        return self.render_to_response(self.get_context_data(form=form))


class DeliverableEditView(ConsortiumDeliverableMixin, TemplateView):
    template_name = "reporting/deliverables/form.html"

    def get_instance(self):
        objects = deliverable_list_for_consortium(
            user=self.request.user, consortium=self.consortium, kind=self.kind
        )
        return get_object_or_404(objects, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        require(can_edit_deliverables(request.user, self.consortium))
        instance = self.get_instance()
        return self.render_to_response(
            self.get_context_data(form=self.form(instance=instance), instance=instance)
        )

    def post(self, request, *args, **kwargs):
        require(can_edit_deliverables(request.user, self.consortium))
        instance = self.get_instance()
        form = self.form(request.POST, instance=instance)
        if form.is_valid() and self.save_form(form, instance=instance):
            return self.back()
        return self.render_to_response(self.get_context_data(form=form, instance=instance))


class DeliverableDeleteView(ConsortiumDeliverableMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        require(can_edit_deliverables(request.user, self.consortium))
        objects = deliverable_list_for_consortium(
            user=request.user, consortium=self.consortium, kind=self.kind
        )
        instance = get_object_or_404(objects, pk=kwargs["pk"])
        name = instance.name
        deliverable_delete(actor=request.user, instance=instance)
        messages.success(
            request,
            _("%(kind)s “%(name)s” removed.") % {"kind": self.spec.label_singular, "name": name},
        )
        return self.back()


# --- the Ministry's catalogue ----------------------------------------------------------------


def _safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    return safe_text(value)


def csv_response(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title, headers, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class DeliverableCatalogueView(KindMixin, PermissionMixin, TemplateView):
    """Every consortium's deliverables of one kind; ``?format=csv|xlsx`` downloads the table."""

    template_name = "reporting/deliverables/catalogue.html"
    permission = staticmethod(can_browse_deliverables)

    def get(self, request, *args, **kwargs):
        self.filter_form = CatalogueFilterForm(request.GET, kind=self.kind)
        filters = self.filter_form.filters()
        self.objects = deliverable_catalogue(user=request.user, kind=self.kind, filters=filters)
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            names = ["consortium", "province", *COMMON_FIELDS, *self.spec.fields]
            headers, rows = _table(self.spec, self.objects, names, export=True)
            filename = f"{self.kind}-{timezone.localdate():%Y%m%d}"
            cells = [cells for _obj, cells in rows]
            if export == "csv":
                return csv_response(filename, headers, cells)
            return xlsx_response(filename, str(self.spec.label), headers, cells)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.pop("kind", None)  # TemplateView passes the URL's in; the context has its own
        page = Paginator(self.objects, CATALOGUE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        names = ["consortium", "province", "name", "period", *self.spec.columns, "tasks"]
        headers, rows = _table(self.spec, page.object_list, names)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return super().get_context_data(
            kind=self.kind,
            spec=self.spec,
            tabs=_tabs("reporting:deliverable-catalogue", [], self.kind),
            filter_form=self.filter_form,
            headers=headers,
            rows=rows,
            page=page,
            query=query.urlencode(),
            totals=dataset_totals(datasets=self.objects) if self.kind == "dataset" else None,
            **kwargs,
        )
