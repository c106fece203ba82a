"""The "Import" screen: upload a CSV or Excel file, map its columns, preview, apply; exports and templates.

Each step is a plain form post (no script). The uploaded file is kept under a generated name between the
steps (portal.services.imports.staging); the forms carry only that name. Apply plans again and writes
only what the preview showed, all or nothing (portal.services.imports.apply).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from sqlalchemy.exc import SQLAlchemyError

from portal.admin_views.base import StaffAccess
from portal.extensions import db
from portal.permissions import current_actor
from portal.services import csv_files
from portal.services import imports as import_service
from portal.services.errors import RuleError
from portal.services.imports import reading, staging
from portal.services.imports.framework import ERROR, describe_key

#: how many lines the preview lists (every error is listed, whatever its line)
PREVIEW_LINES = 200
MAX_ERRORS_SHOWN = 1000


def _kind_or_404(key: str | None):
    kind = import_service.KINDS.get(key or "")
    if kind is None:
        abort(404)
    return kind


class ImportView(StaffAccess, BaseView):
    def __init__(self, name: str = "Import and export", category: str = "Settings"):
        super().__init__(name=name, category=category, endpoint="admin_import", url="import")

    @expose("/")
    def index(self):
        return self._index()

    def _index(self, kind_key: str = "", status: int = 200):
        limit = min(reading.MAX_BYTES, current_app.config.get("MAX_CONTENT_LENGTH") or reading.MAX_BYTES)
        return self.render("admin/import.html", kinds=import_service.KINDS.values(), chosen=kind_key,
                           max_mb=limit // (1024 * 1024)), status

    @expose("/template/")
    def template_file(self):
        kind = _kind_or_404(request.args.get("kind"))
        return csv_files.download(import_service.template(kind), f"{kind.key}-template.csv")

    @expose("/export/")
    def export_file(self):
        kind = _kind_or_404(request.args.get("kind"))
        return csv_files.download(import_service.export(kind), f"{kind.key}.csv")

    @expose("/upload/", methods=("POST",))
    def upload(self):
        kind_key = request.form.get("kind", "")
        kind = import_service.KINDS.get(kind_key)
        upload = request.files.get("file")
        if kind is None:
            flash("Choose what the file holds.", "error")
            return self._index(kind_key, 400)
        if upload is None or not upload.filename:
            flash("Choose a CSV or Excel (.xlsx) file to upload.", "error")
            return self._index(kind_key, 400)
        data = upload.stream.read(reading.MAX_BYTES + 1)
        try:
            sheet = reading.read(data)
        except reading.FileError as exc:
            flash(f"The file {exc}. Nothing was imported.", "error")
            return self._index(kind_key, 400)
        token = staging.keep(data, reading.file_format(data))
        mapping = import_service.default_mapping(kind, sheet.headers)
        return self._mapping(kind, token, upload.filename, sheet, mapping)

    def _mapping(self, kind, token: str, filename: str, sheet, mapping: dict, status: int = 200):
        headers = [h for h in dict.fromkeys(sheet.headers) if h]
        return self.render("admin/import_map.html", kind=kind, token=token, filename=filename, headers=headers,
                           mapping=mapping, lines=len(sheet.rows)), status

    def _posted(self):
        """The kind, staged file, file name and mapping a mapping or preview form sends back."""
        kind = _kind_or_404(request.form.get("kind"))
        token = request.form.get("token", "")
        data = staging.load(token)
        mapping = {c.name: request.form.get(f"map-{c.name}") or None for c in kind.columns}
        return kind, token, data, request.form.get("filename", "")[:200], mapping

    @expose("/preview/", methods=("POST",))
    def preview(self):
        kind, token, data, filename, mapping = self._posted()
        if data is None:
            flash("The uploaded file is no longer here: upload it again.", "error")
            return self._index(kind.key, 400)
        plan = import_service.preview(kind, data, mapping)
        import_service.remember(kind, mapping)
        db.session.commit()
        return self._preview(plan, token, filename, mapping)

    def _preview(self, plan, token: str, filename: str, mapping: dict, status: int = 200):
        errors = plan.errors
        return self.render("admin/import_preview.html", plan=plan, kind=plan.kind, token=token, filename=filename,
                           mapping=mapping, counts=plan.counts, errors=errors[:MAX_ERRORS_SHOWN],
                           more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN), lines=plan.lines[:PREVIEW_LINES],
                           error_action=ERROR, fingerprint=plan.fingerprint(),
                           key_text=lambda line: describe_key(plan.kind, line.key) if line.key else "",
                           shown=lambda name, value: plan.kind.column(name).cell.write(value) or "(empty)"), status

    @expose("/apply/", methods=("POST",))
    def apply(self):
        kind, token, data, filename, mapping = self._posted()
        if data is None:
            flash("The uploaded file is no longer here: upload it again. Nothing was imported.", "error")
            return self._index(kind.key, 400)
        try:
            plan = import_service.apply(kind, data, mapping, request.form.get("fingerprint", ""),
                                        actor=current_actor(), filename=filename)
        except import_service.ApplyRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return self._preview(exc.plan, token, filename, mapping, 409)
        except (RuleError, SQLAlchemyError) as exc:  # a rule or the database refused a row: write nothing
            db.session.rollback()
            reason = str(exc) if isinstance(exc, RuleError) else "the database refused a change"
            flash(f"Nothing was imported: {reason}. Check the file and try again.", "error")
            return self._index(kind.key, 409)
        db.session.commit()
        staging.discard(token)
        counts = plan.counts
        flash(f"{kind.label} imported from {filename or 'the file'}: {counts['create']} created, "
              f"{counts['update']} updated, {counts['unchanged']} unchanged. The report is in the audit log.",
              "success")
        return redirect(url_for(".index"))


def views():
    return [ImportView()]
