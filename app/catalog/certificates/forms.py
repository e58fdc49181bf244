from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.catalog.forms import DATE_FORMATS
from app.forms import AppForm


class CertificateForm(AppForm):
    certificate_number = StringField(
        _l("Certificate number"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("As printed on the certificate, e.g. 123/QĐ-UBND."),
    )
    stars = SelectField(
        _l("OCOP stars"), coerce=int, choices=[(n, "★" * n) for n in range(1, 6)], validators=[DataRequired()]
    )
    certificate_level = RadioField(_l("Issued by"), validators=[InputRequired()])
    certificate_date = DateField(_l("Date of issue"), format=DATE_FORMATS, validators=[InputRequired()])
    file = FileField(
        _l("The certificate (scan or photo)"),
        description=_l("PDF, JPEG, PNG, WebP or GIF, at most 5 MB. Valid 36 months from its date of issue."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificate_level.choices = [
            ("province", _l("Provincial People's Committee")),
            ("national", _l("Prime Minister (national, 5 stars)")),
        ]


class RejectCertificateForm(AppForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("The producer reads this and can upload a corrected certificate."),
    )
