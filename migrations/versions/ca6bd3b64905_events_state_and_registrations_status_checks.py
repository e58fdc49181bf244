"""CHECK constraints on events.state and registrations.status

Revision ID: ca6bd3b64905
Revises: 32e01d5de204
Create Date: 2026-12-04 19:30:00

Refuses to run while a row holds a value outside the allowed set: the error names the
table, the values found and how many rows hold them, so they can be corrected first.

On SQLite each table is rebuilt (batch mode); migrations/env.py runs every migration with
foreign keys off, so rebuilding `events` doesn't cascade-delete the rows that refer to it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ca6bd3b64905'
down_revision = '32e01d5de204'
branch_labels = None
depends_on = None

# The allowed values as of this revision (EVENT_STATES and REGISTRATION_STATUSES in
# app/events/models.py). A migration keeps its own copy: a later change to the models
# comes with its own migration and must not rewrite this one.
CHECKS = (
    ('events', 'state', 'ck_events_state', (
        'draft', 'registration_open', 'registration_closed', 'scheduled', 'running', 'finished', 'cancelled',
    )),
    ('registrations', 'status', 'ck_registrations_status', (
        'pending', 'approved', 'rejected', 'waitlisted', 'withdrawn',
    )),
)


def _one_of(column, values):
    quoted = ', '.join(f"'{value}'" for value in values)
    return f'{column} IN ({quoted})'


def _refuse_rows_outside_the_allowed_values():
    bind = op.get_bind()
    problems = []
    for table_name, column_name, _name, allowed in CHECKS:
        table = sa.table(table_name, sa.column(column_name))
        column = table.c[column_name]
        rows = bind.execute(
            sa.select(column, sa.func.count())
            .where(sa.or_(column.is_(None), column.not_in(allowed)))
            .group_by(column)
            .order_by(column)
        ).all()
        if rows:
            total = sum(count for _value, count in rows)
            found = ', '.join(f'{value!r}: {count} row(s)' for value, count in rows)
            problems.append(
                f'table {table_name}: {total} row(s) with {column_name} outside the allowed values '
                f'({found}); allowed: {", ".join(allowed)}'
            )
    if problems:
        raise RuntimeError(
            'Cannot add the CHECK constraints on events.state and registrations.status; '
            'correct these rows first, then run the upgrade again:\n  ' + '\n  '.join(problems)
        )


def _refuse_to_rebuild_with_foreign_keys_on():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError(
            'SQLite foreign keys are on: rebuilding the events table would cascade-delete its '
            'registrations, halls and booths. Run this migration through migrations/env.py, '
            'which turns them off for the run.'
        )


def upgrade():
    _refuse_rows_outside_the_allowed_values()
    _refuse_to_rebuild_with_foreign_keys_on()
    for table_name, column_name, name, allowed in CHECKS:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(name), _one_of(column_name, allowed))


def downgrade():
    _refuse_to_rebuild_with_foreign_keys_on()
    for table_name, _column_name, name, _allowed in reversed(CHECKS):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
