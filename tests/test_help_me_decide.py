"""Help me decide: every combination of facts gives the recommendation README documents, with
reasons that come from those facts; facts given in an answers file are read strictly."""

from __future__ import annotations

from itertools import product

import pytest

from authgen import advisor
from authgen.errors import AnswersError

S = ("sessions", None, None)
J_HS_REFRESH = ("jwt", "HS256", "on_refresh")
J_HS_EVERY = ("jwt", "HS256", "every_request")
J_ED_REFRESH = ("jwt", "EdDSA", "on_refresh")
J_ED_EVERY = ("jwt", "EdDSA", "every_request")

# (cut_off_at_once, verify_elsewhere, many_servers_no_shared_store, clients) -> recommendation.
# The same table, as rules, is in advisor.py's docstring and in README.md.
TABLE = {
    (False, False, False, "pages"): S,
    (False, False, False, "api"): J_HS_REFRESH,
    (False, False, False, "both"): S,
    (False, False, True, "pages"): J_HS_REFRESH,
    (False, False, True, "api"): J_HS_REFRESH,
    (False, False, True, "both"): J_HS_REFRESH,
    (False, True, False, "pages"): J_ED_REFRESH,
    (False, True, False, "api"): J_ED_REFRESH,
    (False, True, False, "both"): J_ED_REFRESH,
    (False, True, True, "pages"): J_ED_REFRESH,
    (False, True, True, "api"): J_ED_REFRESH,
    (False, True, True, "both"): J_ED_REFRESH,
    (True, False, False, "pages"): S,
    (True, False, False, "api"): J_HS_EVERY,
    (True, False, False, "both"): S,
    (True, False, True, "pages"): J_HS_REFRESH,
    (True, False, True, "api"): J_HS_REFRESH,
    (True, False, True, "both"): J_HS_REFRESH,
    (True, True, False, "pages"): J_ED_EVERY,
    (True, True, False, "api"): J_ED_EVERY,
    (True, True, False, "both"): J_ED_EVERY,
    (True, True, True, "pages"): J_ED_REFRESH,
    (True, True, True, "api"): J_ED_REFRESH,
    (True, True, True, "both"): J_ED_REFRESH,
}

ALL_FACTS = list(product([False, True], [False, True], [False, True], ["pages", "api", "both"]))


def facts_of(row: tuple[bool, bool, bool, str]) -> advisor.Facts:
    return advisor.Facts(*row)


def test_the_table_covers_every_combination() -> None:
    assert sorted(TABLE, key=str) == sorted(ALL_FACTS, key=str)
    assert [fact.key for fact in advisor.FACTS] == [
        "cut_off_at_once",
        "verify_elsewhere",
        "many_servers_no_shared_store",
        "clients",
    ]
    assert [fact.values for fact in advisor.FACTS] == [
        (True, False),
        (True, False),
        (True, False),
        ("pages", "api", "both"),
    ]


@pytest.mark.parametrize("row", ALL_FACTS, ids=lambda row: "-".join(map(str, row)).lower())
def test_each_combination_gives_the_documented_recommendation(
    row: tuple[bool, bool, bool, str],
) -> None:
    recommendation = advisor.recommend(facts_of(row))
    expected = TABLE[row]
    assert (
        recommendation.auth_strategy,
        recommendation.jwt_algorithm,
        recommendation.jwt_revocation,
    ) == expected
    answers = recommendation.answers()
    assert answers["auth_strategy"] == expected[0]
    if expected[0] == "jwt":
        keys = ["auth_strategy", "jwt_algorithm", "jwt_revocation"]
        assert answers == dict(zip(keys, expected, strict=True))
    else:
        assert answers == {"auth_strategy": "sessions"}


@pytest.mark.parametrize("row", ALL_FACTS, ids=lambda row: "-".join(map(str, row)).lower())
def test_reasons_come_from_the_answers(row: tuple[bool, bool, bool, str]) -> None:
    cut_off, elsewhere, many_servers, clients = row
    recommendation = advisor.recommend(facts_of(row))
    text = " ".join(recommendation.reasons)
    assert len(recommendation.reasons) >= 3
    assert ("at once" in text) or not cut_off
    assert ("on their own" in text) == elsewhere
    assert ("share no database" in text) == many_servers
    if recommendation.auth_strategy == "jwt":
        assert f"{recommendation.jwt_revocation}:" in text or "We picked on_refresh" in text
        assert f"{recommendation.jwt_algorithm}:" in text
        assert ("Your callers are API clients" in text) == (clients == "api")
        if clients == "pages":
            assert "more natural fit" in text  # pages pull towards sessions; said so
    else:
        assert "cookie" in text
    # Where facts pull against each other, the reasons say so and say what was picked.
    assert ("pull against each other" in text) == (cut_off and (elsewhere or many_servers))


def test_instant_cut_off_with_other_verifiers_is_explained() -> None:
    recommendation = advisor.recommend(advisor.Facts(True, True, False, "api"))
    [tension] = [reason for reason in recommendation.reasons if "pull against" in reason]
    assert "only learn of it when the access token expires" in tension


def test_instant_cut_off_without_a_shared_store_is_explained() -> None:
    recommendation = advisor.recommend(advisor.Facts(True, False, True, "pages"))
    [tension] = [reason for reason in recommendation.reasons if "pull against" in reason]
    assert "We picked on_refresh" in tension
    assert "every_request" in tension  # and how to get the cut-off after all


FACTS_GIVEN = {
    "cut_off_at_once": True,
    "verify_elsewhere": False,
    "many_servers_no_shared_store": False,
    "clients": "api",
}


def test_apply_puts_the_recommendation_in_place_of_decide() -> None:
    given, decision = advisor.apply({"project_name": "Acme", "decide": FACTS_GIVEN})
    assert given == {
        "project_name": "Acme",
        "auth_strategy": "jwt",
        "jwt_algorithm": "HS256",
        "jwt_revocation": "every_request",
    }
    assert decision is not None
    assert decision.as_json(given) == {
        "facts": FACTS_GIVEN,
        "recommended": {
            "auth_strategy": "jwt",
            "jwt_algorithm": "HS256",
            "jwt_revocation": "every_request",
        },
        "reasons": list(decision.recommendation.reasons),
    }


def test_apply_without_decide_changes_nothing() -> None:
    assert advisor.apply({"auth_strategy": "jwt"}) == ({"auth_strategy": "jwt"}, None)


def test_given_follow_ups_win_and_the_record_says_so() -> None:
    given, decision = advisor.apply({"decide": FACTS_GIVEN, "jwt_revocation": "on_refresh"})
    assert given["jwt_revocation"] == "on_refresh"
    assert decision is not None
    assert decision.record(given)[-1] == (
        "jwt_revocation on_refresh was chosen instead of the recommended every_request."
    )


def test_choosing_the_other_strategy_is_recorded() -> None:
    facts = advisor.read_facts(FACTS_GIVEN)
    decision = advisor.Decision(facts, advisor.recommend(facts))
    assert decision.record({"auth_strategy": "sessions"})[-1] == (
        "These answers recommend jwt; sessions was chosen instead."
    )


def test_decide_and_auth_strategy_together_are_refused() -> None:
    with pytest.raises(AnswersError) as refused:
        advisor.apply({"decide": FACTS_GIVEN, "auth_strategy": "sessions"})
    [problem] = refused.value.problems
    assert problem.key == "decide"
    assert problem.message == (
        'decide: given together with auth_strategy ("sessions"); give one: auth_strategy to '
        "choose, or decide to have the facts choose"
    )


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            {**FACTS_GIVEN, "clients": "robots"},
            [
                (
                    "decide.clients",
                    'decide.clients: given "robots", which is not one of the choices; '
                    "allowed: pages, api, both",
                )
            ],
            id="not-a-choice",
        ),
        pytest.param(
            {**FACTS_GIVEN, "cut_off_at_once": "maybe"},
            [
                (
                    "decide.cut_off_at_once",
                    'decide.cut_off_at_once: given "maybe", which is not one of the choices; '
                    "allowed: true, false",
                )
            ],
            id="not-yes-or-no",
        ),
        pytest.param(
            {key: value for key, value in FACTS_GIVEN.items() if key != "clients"},
            [
                (
                    "decide.clients",
                    "decide.clients: missing; every fact is needed for a recommendation "
                    "(pages, api, both)",
                )
            ],
            id="missing",
        ),
        pytest.param(
            {**FACTS_GIVEN, "budget": "small"},
            [
                (
                    "decide.budget",
                    'decide.budget: unknown fact (given "small"); allowed facts: '
                    "cut_off_at_once, verify_elsewhere, many_servers_no_shared_store, clients",
                )
            ],
            id="unknown",
        ),
        pytest.param(
            "jwt please",
            [
                (
                    "decide",
                    'decide: given "jwt please", which is not a mapping of facts; allowed: a '
                    "mapping with cut_off_at_once, verify_elsewhere, "
                    "many_servers_no_shared_store, clients (in an answers file)",
                )
            ],
            id="not-a-mapping",
        ),
    ],
)
def test_bad_facts_are_refused(facts: object, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(AnswersError) as refused:
        advisor.read_facts(facts)
    assert [(problem.key, problem.message) for problem in refused.value.problems] == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("yes", True), ("no", False), ("On", True), (True, True), (False, False)],
)
def test_yes_no_facts_read_words_like_the_answers(word: object, expected: bool) -> None:
    facts = advisor.read_facts({**FACTS_GIVEN, "verify_elsewhere": word})
    assert facts.verify_elsewhere is expected


@pytest.mark.parametrize("value", [1, 0, None, ["yes"]])
def test_yes_no_facts_refuse_other_values(value: object) -> None:
    with pytest.raises(AnswersError):
        advisor.read_facts({**FACTS_GIVEN, "verify_elsewhere": value})
