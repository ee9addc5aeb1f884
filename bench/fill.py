"""Top a project's `sign_ins` table up to a number of rows, for the flat-with-size check.

Run with the project's own Python (it has SQLAlchemy and the driver):

    .venv/bin/python bench/fill.py DATABASE_URL ROWS

The extra rows belong to filler users, 1,000 sign-ins each, each with a random token hash, as a
busy site's table would be. Users and sign-ins are copies of the first ones in the database
(whatever columns the schema has), so there must be one signed-in user already.
"""

import sys

import sqlalchemy as sa

PER_USER = 1000


def sync_url(url: str) -> str:
    scheme, separator, rest = url.partition("://")
    return f"postgresql+psycopg{separator}{rest}" if scheme == "postgresql" else url


def main(url: str, target: int) -> None:
    engine = sa.create_engine(sync_url(url))
    postgres = engine.dialect.name == "postgresql"
    tables = sa.MetaData()
    tables.reflect(engine, only=["users", "sign_ins"])
    users, sign_ins = tables.tables["users"], tables.tables["sign_ins"]
    user_columns = [c.name for c in users.columns if c.name not in {"id", "email"}]
    sign_in_columns = [
        c.name
        for c in sign_ins.columns
        if c.name not in {"id", "user_id", "token_hash", "previous_token_hash"}
    ]
    if postgres:
        series = "generate_series(1, :batch)"
        random_hash = "md5(random()::text) || md5(random()::text)"
    else:
        series = (
            "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :batch) "
            "SELECT i FROM n)"
        )
        random_hash = "lower(hex(randomblob(32)))"
    # Column names from the schema itself, no outside text: nothing to inject.
    copy_user = sa.text(
        f"INSERT INTO users (email, {', '.join(user_columns)}) "  # noqa: S608
        f"SELECT :email, {', '.join(user_columns)} FROM users WHERE id = :model RETURNING id"
    )
    copy_sign_ins = sa.text(
        f"INSERT INTO sign_ins (user_id, token_hash, {', '.join(sign_in_columns)}) "  # noqa: S608
        f"SELECT :user_id, {random_hash}, {', '.join('s.' + c for c in sign_in_columns)} "
        f"FROM sign_ins AS s CROSS JOIN {series} AS series WHERE s.id = :model"
    )
    with engine.begin() as connection:
        model_sign_in, model_user = connection.execute(
            sa.text("SELECT id, user_id FROM sign_ins ORDER BY id LIMIT 1")
        ).one()
        have = connection.execute(sa.text("SELECT count(*) FROM sign_ins")).scalar_one()
        while have < target:
            batch = min(PER_USER, target - have)
            email = f"filler-{have}@example.com"
            user_id = connection.execute(
                copy_user, {"email": email, "model": model_user}
            ).scalar_one()
            params = {"user_id": user_id, "batch": batch, "model": model_sign_in}
            connection.execute(copy_sign_ins, params)
            have += batch
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if postgres:
            connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            connection.execute(sa.text("ANALYZE"))
            # Rows arrive here in one go, not over months: fold the write-ahead log they left
            # into the database, as SQLite's own checkpoints keep doing on a live site.
            connection.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
