"""Which strategy the sign-ins in the database belong to.

One row: the project's auth_strategy. Every strategy keeps its sign-ins in `sign_ins`, found by
the SHA-256 of what the client holds, so after a switch a credential of the old kind could pass
for one of the new kind. migrations/env.py compares this row with the project's strategy after
every upgrade and, when they differ, ends every sign-in in the same transaction (and records
the project's strategy). The table starts empty, and the first upgrade records the project's
strategy: authgen's releases carry this revision from the first, so a project's database
records its strategy before any switch.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_strategy",
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("strategy", name="pk_sign_in_strategy"),
    )


def downgrade() -> None:
    op.drop_table("sign_in_strategy")
