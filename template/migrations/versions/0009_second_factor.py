"""A second factor: authenticator apps (TOTP), their recovery codes, and sign-ins waiting for a
code.

- `authenticator_apps`: one per account at most, its secret, and the step of the last code used.
- `recovery_codes`: one-time codes for when the app is lost, as argon2 hashes.
- `pending_sign_ins`: a sign-in whose password step passed, waiting for its code (a few minutes).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "authenticator_apps",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _owner("authenticator_apps"),
        sa.PrimaryKeyConstraint("user_id", name="pk_authenticator_apps"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _owner("recovery_codes"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "pending_sign_ins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _owner("pending_sign_ins"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_pending_sign_ins"),
    )
    op.create_index("ix_pending_sign_ins_user_id", "pending_sign_ins", ["user_id"])
    op.create_index("ix_pending_sign_ins_expires_at", "pending_sign_ins", ["expires_at"])


def downgrade() -> None:
    op.drop_table("pending_sign_ins")
    op.drop_table("recovery_codes")
    op.drop_table("authenticator_apps")
