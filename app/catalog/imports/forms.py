from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from app.forms import AppForm


class ImportUploadForm(AppForm):
    file = FileField(_l("CSV or XLSX file"))
