"""How each sign-in was made (`sign_ins.method`: "password", or a sign-in provider's name), for the
device list.

Sign-ins made before this revision keep no record of it (NULL), and the list says nothing about
them; they end in time like every other.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sign_ins", sa.Column("method", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # SQLite has dropped columns in place since 3.35 (2021), as PostgreSQL always has.
    op.drop_column("sign_ins", "method")
