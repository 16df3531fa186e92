"""The import pages: upload a file, check how its columns map, run it as a job with a progress bar, read the
report of rejected rows, and roll a batch back. Everything goes through ``rapport.imports`` services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.core.access import can_write
from rapport.core.errors import RapportError
from rapport.core.keyset import BadCursor, Ordering
from rapport.imports.limits import max_bytes_setting
from rapport.imports.models import BatchStatus, ImportBatch
from rapport.imports.models.batch import ROLLBACKABLE
from rapport.imports.selectors import (
    batch_get,
    batch_list,
    batch_preview,
    batch_progress,
    batch_report,
    import_entities,
)
from rapport.imports.services import batch_create, batch_rollback, batch_run, batch_set_mapping, batch_start
from rapport.web.forms import BootstrapForm
from rapport.web.htmx import htmx_partial, htmx_refusal
from rapport.web.types import AuthedRequest

PAGE = 25
ENCODINGS = [
    ("", gettext_lazy("Detect")), ("utf-8", "UTF-8"), ("utf-16", "UTF-16"),
    ("cp1252", gettext_lazy("Windows-1252 (Western Europe)")),
    ("cp1250", gettext_lazy("Windows-1250 (Central Europe)")),
    ("cp1256", gettext_lazy("Windows-1256 (Arabic script)")), ("cp1255", gettext_lazy("Windows-1255 (Hebrew)")),
]
DELIMITERS = [("", gettext_lazy("Detect")), ("comma", gettext_lazy("Comma")), ("semicolon", gettext_lazy("Semicolon")),
              ("tab", gettext_lazy("Tab")), ("pipe", gettext_lazy("Vertical bar"))]


class UploadForm(BootstrapForm):
    entity = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    source = forms.CharField(label=gettext_lazy("Source system"), max_length=64, initial="import",
                             help_text=gettext_lazy("Where the data comes from, e.g. shop or old-crm: ids are matched "
                                                    "within one source, and its column mapping is remembered."))
    create_missing = forms.BooleanField(label=gettext_lazy("Create a minimal customer for an unknown customer id"),
                                        required=False)
    match_email = forms.BooleanField(label=gettext_lazy("Match existing customers by e-mail too"), required=False)
    match_phone = forms.BooleanField(label=gettext_lazy("Match existing customers by phone too"), required=False)
    strict = forms.BooleanField(label=gettext_lazy("Reject the whole file if any row is bad"), required=False)
    encoding = forms.ChoiceField(label=gettext_lazy("Encoding"), choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(label=gettext_lazy("Delimiter"), choices=DELIMITERS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = import_entities()  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_bytes_setting()
        if upload.size > limit:
            raise forms.ValidationError(_("The file is %(size)s MB; the limit is %(limit)s MB.") % {
                "size": upload.size // 2**20, "limit": limit // 2**20})
        return upload

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("create_missing", "match_email", "match_phone", "strict", "encoding",
                                     "delimiter") if data.get(k)}


def _require_write(request: AuthedRequest) -> None:
    if not can_write(request.user):
        raise PermissionDenied(_("Your role may read data but not import it."))


def _batch(request: AuthedRequest, pk: int) -> ImportBatch:
    return batch_get(user=request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None) if can_write(request.user) else None
    if request.method == "POST":
        _require_write(request)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = batch_create(entity=data["entity"], file=data["file"], filename=data["file"].name,
                                     source=data["source"], user=request.user, options=form.options())
            except RapportError as error:
                form.add_error(error.field if error.field in form.fields else "file", error.message)
            else:
                return redirect("web:import-detail", pk=batch.pk)
    ordering = Ordering.of(ImportBatch, "-created_at")
    try:
        batches, next_cursor = ordering.page(batch_list(user=request.user), request.GET.get("cursor"), PAGE)
    except BadCursor:
        batches, next_cursor = ordering.page(batch_list(user=request.user), None, PAGE)
    labels = dict(import_entities())
    context = {
        "nav": "data", "form": form, "batches": [(b, labels.get(b.entity, b.entity)) for b in batches],
        "next_url": f"{reverse('web:import-list')}?cursor={next_cursor}" if next_cursor else "",
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "web/imports/list.html", context, status=status)


def _detail_context(request: AuthedRequest, batch: ImportBatch) -> dict[str, Any]:
    context: dict[str, Any] = {
        "nav": "data", "batch": batch, "progress": batch_progress(batch=batch),
        "entity_label": dict(import_entities()).get(batch.entity, batch.entity),
        "can_write": can_write(request.user), "can_rollback": batch.status in ROLLBACKABLE,
    }
    if batch.status == BatchStatus.PENDING:
        try:
            preview = batch_preview(batch=batch, rows=5)
        except RapportError as error:
            context["file_error"] = error.message
        else:
            context["preview"] = preview
            context["columns"] = [
                (i, header, preview.mapping.get(header, ""), [cells[i] if i < len(cells) else "" for _, cells in
                                                              preview.rows])
                for i, header in enumerate(preview.headers)
            ]
    return context


@login_required
@require_GET
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(request, "web/imports/detail.html", _detail_context(request, batch))


def _mapping_from(request: AuthedRequest, headers: list[str]) -> dict[str, str]:
    # One select per column, named by its position: header texts may hold any character.
    return {header: request.POST.get(f"col-{i}", "") for i, header in enumerate(headers)}


@login_required
@require_POST
def import_start(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    _require_write(request)
    context = _detail_context(request, batch)
    preview = context.get("preview")
    if preview is None:
        return render(request, "web/imports/detail.html", context, status=409)
    try:
        batch_set_mapping(batch=batch, mapping=_mapping_from(request, preview.headers), user=request.user)
        if request.POST.get("action") == "check":
            # The check runs the import for real inside a transaction that is then undone: counts and errors
            # are exactly what the import would give, and nothing stays written.
            with transaction.atomic():
                outcome = batch_run(batch=batch, dry_run=True)
                transaction.set_rollback(True)
            context = _detail_context(request, batch)
            context["check"] = {"counts": dict(outcome.counts), "errors": outcome.first_errors[:10],
                                "rows": outcome.rows}
            return render(request, "web/imports/detail.html", context)
        batch_start(batch=batch, user=request.user)
    except RapportError as error:
        context = _detail_context(request, batch)
        context["mapping_error"] = error.message
        return render(request, "web/imports/detail.html", context, status=400)
    return redirect("web:import-detail", pk=batch.pk)


@login_required
@require_GET
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    context = _detail_context(request, batch)
    if not htmx_partial(request):
        return render(request, "web/imports/detail.html", context)
    response = render(request, "web/imports/_progress.html", context)
    if context["progress"]["finished"]:
        response["HX-Refresh"] = "true"  # the page's buttons (report, roll back) follow the new state
    return response


@login_required
@require_GET
def import_report(request: AuthedRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    path = batch_report(batch=batch)
    if path is None:
        raise Http404("This import rejected no row")
    # Served as an attachment of type text/csv, never inline: the cells are the user's own data.
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"import-{batch.pk}-rejected-rows.csv",
                        content_type="text/csv; charset=utf-8")


@login_required
@require_POST
def import_rollback(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not can_write(request.user):
        return htmx_refusal(_("Your role may read data but not import it."), status=403)
    try:
        totals = batch_rollback(batch=batch, user=request.user)
    except RapportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Import %(id)s is rolled back: %(deleted)s records removed, %(restored)s "
                                    "put back as they were.") % {
            "id": batch.pk, "deleted": totals.get("deleted", 0), "restored": totals.get("restored", 0)})
    return redirect("web:import-detail", pk=batch.pk)
