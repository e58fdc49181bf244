"""What every resource shares: strict schemas, pages and their links, names in three languages."""

from __future__ import annotations

from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l

from app.paging import rows_and_total

MAX_PER_PAGE = 100


def text_problem(value: str):
    """Why a database can't store `value` (JSON carries NUL and lone surrogates), or None."""
    if "\x00" in value:
        return _l("Text may not hold a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _l("Text may not hold an unpaired surrogate.")
    return None


def _problem_in(value):
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next((p for p in map(_problem_in, value) if p is not None), None)
    return None


class Strict(ma.Schema):
    """A body or query a resource reads: an unknown field is refused, and so is text no database
    stores, in any field (named)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _storable_text(self, data, **_kwargs):
        if isinstance(data, dict):
            errors = {}
            for key, value in data.items():
                problem = _problem_in(key) or _problem_in(value)
                if problem is not None:
                    errors[str(key)] = [problem]
            if errors:
                raise ma.ValidationError(errors)
        return data


class PageArgs(Strict):
    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=100_000),
        metadata={"description": "Page number"},
    )
    per_page = ma.fields.Integer(
        load_default=25,
        validate=ma.validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items a page (at most {MAX_PER_PAGE})"},
    )


class NamesSchema(ma.Schema):
    vi = ma.fields.String(allow_none=True)
    en = ma.fields.String(allow_none=True)
    fr = ma.fields.String(allow_none=True)


class LinksSchema(ma.Schema):
    self_ = ma.fields.String(data_key="self")
    next = ma.fields.String(allow_none=True)
    prev = ma.fields.String(allow_none=True)
    first = ma.fields.String()
    last = ma.fields.String()


def page_schema(item_schema, name: str):
    """A page of `item_schema`: items, page, per_page, total, links."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "page": ma.fields.Integer(),
            "per_page": ma.fields.Integer(),
            "total": ma.fields.Integer(),
            "links": ma.fields.Nested(LinksSchema),
        },
        name=name,
    )


def names(item, field: str = "name") -> dict:
    vi = getattr(item, f"{field}_vi", None) if hasattr(item, f"{field}_vi") else getattr(item, field, None)
    return {"vi": vi, "en": getattr(item, f"{field}_en", None), "fr": getattr(item, f"{field}_fr", None)}


def _url(page: int, per_page: int) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    args.update(page=page, per_page=per_page)
    return f"{request.base_url}?{urlencode(args)}"


def paged(query, args: dict, dump) -> tuple[dict, int, dict]:
    """One page of `query` (its total from the same statement), each row dumped by `dump`, with
    the links to the first, previous, next and last pages in the body and the Link header."""
    rows, total = rows_and_total(query, page=args["page"], per_page=args["per_page"])
    return page_of([row[0] for row in rows], total, args, dump)


def page_of(items: list, total: int, args: dict, dump) -> tuple[dict, int, dict]:
    """A page already read (its items and the total), with its links."""
    page, per_page = args["page"], args["per_page"]
    last = max(1, -(-total // per_page))
    links = {
        "self_": _url(page, per_page),
        "first": _url(1, per_page),
        "last": _url(last, per_page),
        "next": _url(page + 1, per_page) if page < last else None,
        "prev": _url(min(page - 1, last), per_page) if page > 1 else None,
    }
    header = ", ".join(
        f'<{links[key]}>; rel="{rel}"'
        for key, rel in (("first", "first"), ("prev", "prev"), ("next", "next"), ("last", "last"))
        if links[key]
    )
    body = {
        "items": [dump(item) for item in items],
        "page": page,
        "per_page": per_page,
        "total": total,
        "links": links,
    }
    return body, 200, {"Link": header}
