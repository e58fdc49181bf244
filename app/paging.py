"""A page of a query and the query's total from one statement (`count(*) OVER ()`).

Flask-SQLAlchemy's `paginate` sends the page's query and then a second one counting the
same rows: on a national catalogue or fair both scan and join thousands of rows. The
window function counts every matching row before LIMIT and OFFSET apply, so the page
carries its total. Only a page past the end (no rows, hence no total) costs a count.
"""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from app.extensions import db
from app.inputs import bounded_page


class CountedPage(Pagination):
    """A Pagination whose items and total are already known."""

    def _query_items(self) -> list[Any]:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def rows_and_total(query: Select, *, page: int, per_page: int) -> tuple[list, int]:
    """The page's rows (each the query's columns, without the count) and the total of all of them."""
    page = bounded_page(page)
    total_column = func.count().over().label("_page_total")
    rows = db.session.execute(
        query.add_columns(total_column).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        return [row[:-1] for row in rows], rows[0][-1]
    if page == 1:
        return [], 0
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return [], db.session.scalar(counted) or 0


def counted_page(items: list, total: int, *, page: int, per_page: int) -> Pagination:
    """A Pagination (page, pages, iter_pages…) over items and a total computed beforehand."""
    return CountedPage(
        page=bounded_page(page),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        items=items,
        total=total,
    )
