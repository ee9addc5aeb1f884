"""The account's life beyond sign-in: confirmed addresses, re-authentication, links sent by mail
and a record of security events.

- `users.email_verified_at`: when the address was proved; existing accounts start unconfirmed.
- `sign_ins.authenticated_at`: when the user last proved who they are on that sign-in; existing
  sign-ins take their start time.
- `mail_tokens`: password-reset and address-confirmation links, hashed, one per account and
  purpose.
- `account_events`: each account's security events, for its owner's data export.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from contextlib import AbstractContextManager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sign_ins_with_authenticated_at() -> sa.Table:
    """The table as revision 0005 left it, with the new column still nullable: SQLite's rebuild
    copies from it without reflecting (so `alembic upgrade --sql` can print it)."""
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
        sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sign_ins_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sign_ins"),
        sa.UniqueConstraint("token_hash", name="uq_sign_ins_token_hash"),
        sa.UniqueConstraint("previous_token_hash", name="uq_sign_ins_previous_token_hash"),
        sa.Index("ix_sign_ins_user_id", "user_id"),
        sa.Index("ix_sign_ins_idle_expires_at", "idle_expires_at"),
        sa.Index("ix_sign_ins_expires_at", "expires_at"),
        sqlite_autoincrement=True,
    )


def _rebuild_sign_ins() -> AbstractContextManager[BatchOperations]:
    """SQLite's way to change a column: copy the table (keeping AUTOINCREMENT, see 0005)."""
    return op.batch_alter_table(
        "sign_ins",
        recreate="always",
        copy_from=_sign_ins_with_authenticated_at(),
        table_kwargs={"sqlite_autoincrement": True},
    )


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))

    op.add_column("sign_ins", sa.Column("authenticated_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE sign_ins SET authenticated_at = created_at")
    if op.get_context().dialect.name == "sqlite":
        # SQLite cannot make a column NOT NULL in place: the table is copied, ids and all.
        with _rebuild_sign_ins() as batch:
            batch.alter_column("authenticated_at", nullable=False)
    else:
        op.alter_column("sign_ins", "authenticated_at", nullable=False)

    op.create_table(
        "mail_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_mail_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mail_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_mail_tokens_token_hash"),
        sa.UniqueConstraint("user_id", "purpose", name="uq_mail_tokens_user_id_purpose"),
    )
    op.create_index("ix_mail_tokens_expires_at", "mail_tokens", ["expires_at"])

    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_account_events_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_account_events"),
    )
    op.create_index("ix_account_events_user_id", "account_events", ["user_id"])


def downgrade() -> None:
    op.drop_table("account_events")
    op.drop_table("mail_tokens")
    if op.get_context().dialect.name == "sqlite":
        with _rebuild_sign_ins() as batch:
            batch.drop_column("authenticated_at")
    else:
        op.drop_column("sign_ins", "authenticated_at")
    op.drop_column("users", "email_verified_at")
