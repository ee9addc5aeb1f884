"""Refresh tokens: random, stored as hashes, rotated on every use, with reuse detection that
forgives two tabs or a retry within REFRESH_REUSE_INTERVAL (ASVS 7.2.3, 7.3.1, 7.3.2, 10.4.5)."""

import hashlib
import logging
import re
import threading
from datetime import timedelta

import forge
import pytest


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_count(db, user):
    return db.scalar("SELECT count(*) FROM sign_ins WHERE user_id = :id", id=user.id)


def test_v7_2_3_refresh_tokens_have_at_least_256_random_bits(client, user):
    first = [client.api_tokens(user.email, user.password)["refresh_token"] for _ in range(2)]
    rotated = client.refresh_with(first[0]).json()["refresh_token"]

    for token in [*first, rotated]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token), token
    assert len({*first, rotated}) == 3


def test_v7_2_3_only_hashes_of_refresh_tokens_are_stored(client, user, db):
    first = client.api_tokens(user.email, user.password)
    second = client.refresh_with(first["refresh_token"]).json()

    row = db.rows("SELECT * FROM sign_ins")[0]

    assert row.token_hash == token_hash(second["refresh_token"])
    assert row.previous_token_hash == token_hash(first["refresh_token"])
    stored = " ".join(
        str(value)
        for table in ("users", "sign_ins", "login_throttles")
        for row in db.rows(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        for value in row
    )
    for tokens in (first, second):
        assert tokens["refresh_token"] not in stored
        assert tokens["access_token"] not in stored


def test_v10_4_5_refresh_rotates_the_pair(frozen_clock, client, user):
    first = client.api_tokens(user.email, user.password)

    response = client.refresh_with(first["refresh_token"])

    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert client.me_with(second["access_token"]).json()["id"] == user.id
    old_sid = forge.unverified(first["access_token"])[1]["sid"]
    assert forge.unverified(second["access_token"])[1]["sid"] == old_sid
    assert client.refresh_with(second["refresh_token"]).status_code == 200


def test_v10_4_5_reuse_within_the_interval_gets_the_same_sign_in(frozen_clock, client, user, db):
    first = client.api_tokens(user.email, user.password)
    second = client.refresh_with(first["refresh_token"]).json()

    frozen_clock.advance(seconds=client.settings.refresh_reuse_interval - 1)
    retried = client.refresh_with(first["refresh_token"])

    assert retried.status_code == 200
    assert retried.json()["refresh_token"] == second["refresh_token"]
    assert client.me_with(retried.json()["access_token"]).status_code == 200
    assert sign_in_count(db, user) == 1
    third = client.refresh_with(second["refresh_token"])
    assert third.status_code == 200
    assert client.refresh_with(third.json()["refresh_token"]).status_code == 200


def test_v10_4_5_reuse_after_the_interval_revokes_the_whole_sign_in(frozen_clock, client, user, db):
    first = client.api_tokens(user.email, user.password)
    second = client.refresh_with(first["refresh_token"]).json()
    other_device = client.api_tokens(user.email, user.password)

    frozen_clock.advance(seconds=client.settings.refresh_reuse_interval + 1)
    reused = client.refresh_with(first["refresh_token"])

    assert reused.status_code == 401
    assert client.refresh_with(second["refresh_token"]).status_code == 401
    assert client.refresh_with(first["refresh_token"]).status_code == 401
    assert sign_in_count(db, user) == 1
    assert client.refresh_with(other_device["refresh_token"]).status_code == 200


def test_v10_4_5_reuse_interval_is_a_setting(frozen_clock, make_app, new_browser, user):
    browser = new_browser(make_app(refresh_reuse_interval=60))
    first = browser.api_tokens(user.email, user.password)
    browser.refresh_with(first["refresh_token"])

    frozen_clock.advance(seconds=45)

    assert browser.refresh_with(first["refresh_token"]).status_code == 200


def test_v10_4_5_reuse_interval_defaults_to_ten_seconds(settings):
    assert type(settings).model_fields["refresh_reuse_interval"].default == 10


def test_v16_3_1_reuse_is_logged_without_the_token(frozen_clock, client, user, caplog):
    caplog.set_level(logging.INFO)
    first = client.api_tokens(user.email, user.password)
    client.refresh_with(first["refresh_token"])
    frozen_clock.advance(seconds=client.settings.refresh_reuse_interval + 1)

    client.refresh_with(first["refresh_token"])

    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("refresh.reuse ") for message in messages)
    assert not any(first["refresh_token"] in message for message in messages)


def test_v10_4_5_only_the_token_spent_last_counts_as_reuse(frozen_clock, client, user, db):
    first = client.api_tokens(user.email, user.password)
    second = client.refresh_with(first["refresh_token"]).json()
    third = client.refresh_with(second["refresh_token"]).json()

    frozen_clock.advance(minutes=5)
    older = client.refresh_with(first["refresh_token"])

    assert older.status_code == 401
    assert sign_in_count(db, user) == 1
    assert client.refresh_with(third["refresh_token"]).status_code == 200


def test_v10_4_5_concurrent_refreshes_leave_one_chain(client, user, new_browser, db):
    first = client.api_tokens(user.email, user.password)
    tabs = [new_browser() for _ in range(4)]
    answers = [None] * len(tabs)
    start = threading.Barrier(len(tabs))

    def refresh(number):
        start.wait()
        answers[number] = tabs[number].refresh_with(first["refresh_token"])

    threads = [threading.Thread(target=refresh, args=(number,)) for number in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [200] * len(tabs)
    successors = {answer.json()["refresh_token"] for answer in answers}
    assert len(successors) == 1
    (successor,) = successors
    rows = db.rows("SELECT token_hash FROM sign_ins WHERE user_id = :id", id=user.id)
    assert [row.token_hash for row in rows] == [token_hash(successor)]
    assert client.refresh_with(successor).status_code == 200


def test_v7_3_1_refresh_idle_timeout_enforced(frozen_clock, client, user, settings):
    idle = settings.refresh_idle_timeout
    token = client.api_tokens(user.email, user.password)["refresh_token"]

    frozen_clock.advance(idle - timedelta(minutes=1))
    kept_alive = client.refresh_with(token)
    token = kept_alive.json()["refresh_token"]
    frozen_clock.advance(idle + timedelta(seconds=1))
    idle_too_long = client.refresh_with(token)

    assert kept_alive.status_code == 200
    assert idle_too_long.status_code == 401


def test_v7_3_2_sign_in_lifetime_enforced(frozen_clock, make_app, new_browser, user):
    app = make_app(refresh_idle_timeout=timedelta(hours=1), sign_in_lifetime=timedelta(hours=2))
    browser = new_browser(app)
    started = frozen_clock.now
    tokens = browser.api_tokens(user.email, user.password)

    answers = []
    for _ in range(4):
        frozen_clock.advance(minutes=29)
        response = browser.refresh_with(tokens["refresh_token"])
        answers.append(response.status_code)
        tokens = response.json() if response.status_code == 200 else tokens
    frozen_clock.advance(minutes=5)
    answers.append(browser.refresh_with(tokens["refresh_token"]).status_code)

    assert answers == [200, 200, 200, 200, 401]
    # The last access token, issued 4 minutes before the end, ends with the sign-in.
    ends = int((started + timedelta(hours=2)).timestamp())
    assert forge.unverified(tokens["access_token"])[1]["exp"] == ends


def test_v7_4_2_a_disabled_account_cannot_refresh(client, user, db):
    tokens = client.api_tokens(user.email, user.password)

    db.execute("UPDATE users SET is_active = :off WHERE id = :id", off=False, id=user.id)

    assert client.refresh_with(tokens["refresh_token"]).status_code == 401


def test_expired_sign_ins_are_pruned(frozen_clock, user, client, settings, db):
    client.api_tokens(user.email, user.password)
    frozen_clock.advance(settings.sign_in_lifetime + timedelta(seconds=1))

    client.api_tokens(user.email, user.password)

    assert sign_in_count(db, user) == 1


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": "x" * 500}, []])
def test_malformed_refresh_requests_are_refused(client, body):
    response = client.post("/api/auth/refresh", json=body)

    assert response.status_code in {401, 422}
    assert "detail" in response.json()
