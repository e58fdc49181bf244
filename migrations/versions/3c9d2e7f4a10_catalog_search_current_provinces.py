"""catalog: organisations' search text names the current province too

Revision ID: 3c9d2e7f4a10
Revises: c3e8a1f05b72
Create Date: 2026-12-05 22:00:00.000000

Since 1 July 2025 (Resolution 202/2025/QH15) Vietnam has 34 provinces; records keep the
earlier province they name. app/catalog/services.py organisation_search_text now appends
the current province's folded name when it differs, so searching "Bắc Ninh" finds a
producer recorded in Bắc Giang. This fills it in for the organisations already stored
(the same text the function writes: the current name last). The names are written out
here, not imported, so the migration keeps meaning what it meant.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c9d2e7f4a10'
down_revision = 'c3e8a1f05b72'
branch_labels = None
depends_on = None

# Folded current name -> the earlier province codes now part of it that had another name.
CURRENT_NAMES = {
    "tuyen quang": ("02",),
    "thai nguyen": ("06",),
    "lao cai": ("15",),
    "phu tho": ("17", "26"),
    "bac ninh": ("24",),
    "hai phong": ("30",),
    "hung yen": ("34",),
    "ninh binh": ("35", "36"),
    "quang tri": ("44",),
    "hue": ("46",),
    "da nang": ("49",),
    "gia lai": ("52",),
    "dak lak": ("54",),
    "khanh hoa": ("58",),
    "lam dong": ("60", "67"),
    "quang ngai": ("62",),
    "dong nai": ("70",),
    "ho chi minh": ("74", "77"),
    "tay ninh": ("80",),
    "dong thap": ("82",),
    "vinh long": ("83", "84"),
    "an giang": ("91",),
    "can tho": ("93", "94"),
    "ca mau": ("95",),
}

organisations = sa.table(
    'organisations', sa.column('province_code', sa.String), sa.column('search_text', sa.String)
)


def upgrade():
    for name, codes in CURRENT_NAMES.items():
        op.execute(
            organisations.update()
            .where(organisations.c.province_code.in_(codes))
            .values(search_text=organisations.c.search_text + ' ' + name)
        )


def downgrade():
    suffix_length = {name: len(name) + 1 for name in CURRENT_NAMES}
    for name, codes in CURRENT_NAMES.items():
        op.execute(
            organisations.update()
            .where(
                organisations.c.province_code.in_(codes),
                organisations.c.search_text.like('% ' + name),
            )
            .values(
                search_text=sa.func.substr(
                    organisations.c.search_text,
                    1,
                    sa.func.length(organisations.c.search_text) - suffix_length[name],
                )
            )
        )
