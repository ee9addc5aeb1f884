"""Sign-in ids are never handed out twice.

A sign-in's id names it outside the database (the device list, what a signed-in client holds),
so an ended sign-in's id must never go to a new one. PostgreSQL's sequences never give a value
twice. SQLite, unless a table says AUTOINCREMENT, gives the highest id again once its row is
deleted: on SQLite the table is rebuilt with AUTOINCREMENT, keeping its rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sign_ins(autoincrement: bool) -> sa.Table:
    """The table as revision 0002 made it, so that SQLite's rebuild needs no reflection (and
    `alembic upgrade --sql` can print it)."""
    return sa.Table(
        "sign_ins",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_token_hash", sa.String(length=64), nullable=True),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idle_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sign_ins_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sign_ins"),
        sa.UniqueConstraint("token_hash", name="uq_sign_ins_token_hash"),
        sa.UniqueConstraint("previous_token_hash", name="uq_sign_ins_previous_token_hash"),
        sa.Index("ix_sign_ins_user_id", "user_id"),
        sa.Index("ix_sign_ins_idle_expires_at", "idle_expires_at"),
        sa.Index("ix_sign_ins_expires_at", "expires_at"),
        sqlite_autoincrement=autoincrement,
    )


def _rebuild_sign_ins(autoincrement: bool) -> None:
    """On SQLite, copy the table into a new one with or without AUTOINCREMENT, rows and all."""
    if op.get_context().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "sign_ins",
        recreate="always",
        copy_from=_sign_ins(autoincrement=not autoincrement),
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass


def upgrade() -> None:
    _rebuild_sign_ins(autoincrement=True)


def downgrade() -> None:
    _rebuild_sign_ins(autoincrement=False)
