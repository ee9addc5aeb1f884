"""The "help me decide" advisor: four facts about a project -> sessions or JWTs, with reasons.

Pure: no terminal, no files. The interview asks the facts; an answers file may give them under
`decide` instead of an `auth_strategy`. The rules, first match wins:

    strategy        jwt       if verify_elsewhere
                    jwt       elif many_servers_no_shared_store
                    jwt       elif clients == "api"
                    sessions  otherwise (pages or both, one shared database, nobody else checks)
    jwt_revocation  every_request  if cut_off_at_once and not many_servers_no_shared_store
                    on_refresh     otherwise
    jwt_algorithm   EdDSA     if verify_elsewhere
                    HS256     otherwise

Where facts pull against each other the reasons say so, and say what was picked:
- cut off at once, and other services verify on their own: jwt with every_request. This app cuts
  off at once; the other services only learn of it when the access token expires.
- cut off at once, and many servers without a shared store: jwt with on_refresh. An instant
  cut-off needs every request to read a shared record, which those servers will not have; a
  cut-off ends the refresh token at once and access within the access token's lifetime.
- browser pages, but JWTs for another reason: the pages keep their tokens in HttpOnly cookies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import DECIDE, FALSE_WORDS, TRUE_WORDS
from .errors import AnswersError, Problem, shown

# The answers a recommendation gives; `decide` stands in for auth_strategy.
STRATEGY = "auth_strategy"
ALGORITHM = "jwt_algorithm"
REVOCATION = "jwt_revocation"
ACCESS_LIFETIME = "15 minutes"  # the generated project's default access-token lifetime


@dataclass(frozen=True)
class Option:
    value: object
    label: str
    description: str


@dataclass(frozen=True)
class Fact:
    """One question about the project, asked in plain words."""

    key: str
    question: str
    help: str
    options: tuple[Option, ...]

    @property
    def values(self) -> tuple[object, ...]:
        return tuple(option.value for option in self.options)


def _yes_no(yes: str, no: str) -> tuple[Option, ...]:
    return (Option(True, "Yes", yes), Option(False, "No", no))


FACTS = (
    Fact(
        "cut_off_at_once",
        "Must you be able to cut off a user or a device at once?",
        "For example a stolen phone, an employee who left, an account you ban: 'at once' means "
        "their very next request fails, not a few minutes later.",
        _yes_no(
            "Ending a sign-in must work on the very next request.",
            f"Access ending within {ACCESS_LIFETIME} of a sign-out is acceptable.",
        ),
    ),
    Fact(
        "verify_elsewhere",
        "Will other services or mobile apps need to verify who is signed in on their own?",
        "For example a second backend that your mobile app calls, which must know who the user "
        "is without calling this app or reading its database.",
        _yes_no(
            "Other services must check identity themselves, without asking this app.",
            "Only this app checks who is signed in.",
        ),
    ),
    Fact(
        "many_servers_no_shared_store",
        "Will you run many servers without a shared database or cache?",
        "Answer yes if the servers that handle requests cannot all reach one database or cache "
        "on every request (for example servers in several regions). One server, or several "
        "next to one database, is a no.",
        _yes_no(
            "The servers cannot look a sign-in up in one shared place on every request.",
            "Every server can reach the same database.",
        ),
    ),
    Fact(
        "clients",
        "Who calls the app?",
        "Browser pages are the HTML pages this app renders itself. API clients are programs that "
        "call its JSON API: a single-page app, a mobile app, a script or another service.",
        (
            Option("pages", "Browser pages", "People use the HTML pages this app serves."),
            Option(
                "api",
                "API clients",
                "Single-page apps, mobile apps or other programs call the JSON API.",
            ),
            Option("both", "Both", "Browser pages, and API clients too."),
        ),
    ),
)


@dataclass(frozen=True)
class Facts:
    cut_off_at_once: bool
    verify_elsewhere: bool
    many_servers_no_shared_store: bool
    clients: str

    def as_json(self) -> dict[str, object]:
        return {fact.key: getattr(self, fact.key) for fact in FACTS}


@dataclass(frozen=True)
class Recommendation:
    auth_strategy: str
    jwt_algorithm: str | None
    jwt_revocation: str | None
    reasons: tuple[str, ...]

    def answers(self) -> dict[str, object]:
        """The answers it gives: the strategy, and for jwt the two follow-ups."""
        values: dict[str, object] = {STRATEGY: self.auth_strategy}
        if self.jwt_algorithm and self.jwt_revocation:
            values[ALGORITHM] = self.jwt_algorithm
            values[REVOCATION] = self.jwt_revocation
        return values

    def summary(self) -> str:
        """e.g. "jwt (jwt_algorithm EdDSA, jwt_revocation every_request)"."""
        if self.auth_strategy != "jwt":
            return self.auth_strategy
        return f"jwt ({ALGORITHM} {self.jwt_algorithm}, {REVOCATION} {self.jwt_revocation})"


def recommend(facts: Facts) -> Recommendation:
    """The rule table of this module's docstring, with the reasons that came from `facts`."""
    if facts.verify_elsewhere or facts.many_servers_no_shared_store or facts.clients == "api":
        return _jwt(facts)
    return _sessions(facts)


def _sessions(facts: Facts) -> Recommendation:
    reasons = [
        "Only this app checks who is signed in, and all its servers reach one database: it can "
        "keep a record of every sign-in and look it up on each request (one quick indexed read).",
        "Browser pages send the session cookie by themselves: no token to store or renew in "
        "the page's code.",
    ]
    if facts.clients == "both":
        reasons.append(
            "Your API clients talk only to this app, so they can keep the same cookie (and send "
            "the CSRF token with each change) just like the pages."
        )
    if facts.cut_off_at_once:
        reasons.append(
            "You must be able to cut off a user or a device at once: deleting a session's "
            "record ends it on its very next request."
        )
    else:
        reasons.append(
            "You do not need an instant cut-off, but sessions give you one anyway, at no extra "
            "cost: signing out, 'sign out everywhere' and a revoked device take effect at once."
        )
    return Recommendation("sessions", None, None, tuple(reasons))


def _jwt(facts: Facts) -> Recommendation:
    reasons = []
    if facts.verify_elsewhere:
        reasons.append(
            "Other services or apps must verify who is signed in on their own: a signed token "
            "lets them check it without calling this app or reading its database."
        )
    if facts.many_servers_no_shared_store:
        reasons.append(
            "Your servers share no database or cache: any of them can check a signed token "
            "with the key alone, without a shared record to look up."
        )
    if facts.clients == "api":
        reasons.append(
            "Your callers are API clients: they send a token in the Authorization header, with "
            "no cookie and no CSRF token to manage."
        )
    elif facts.clients == "pages":
        reasons.append(
            "Your callers are browser pages, where sessions are the more natural fit; the pages "
            "still work the same way, because this project keeps their tokens in HttpOnly "
            "cookies that page scripts cannot read."
        )
    else:
        reasons.append(
            "Browser pages get their tokens in HttpOnly cookies and API clients use the "
            "Authorization header: one sign-in system for both."
        )
    revocation = _revocation(facts, reasons)
    if facts.verify_elsewhere:
        algorithm = "EdDSA"
        reasons.append(
            "EdDSA: the other services get the public key, which checks tokens but cannot make "
            "them; only this app holds the private key that signs."
        )
    else:
        algorithm = "HS256"
        reasons.append(
            "HS256: only this app checks tokens, so one shared secret is the simplest key to "
            "keep (switch to EdDSA if other services ever need to check them)."
        )
    return Recommendation("jwt", algorithm, revocation, tuple(reasons))


def _revocation(facts: Facts, reasons: list[str]) -> str:
    if not facts.cut_off_at_once:
        reasons.append(
            "on_refresh: nothing must be cut off at once, so no request reads the database; a "
            "signed-out device keeps access until its access token expires (at most "
            f"{ACCESS_LIFETIME}), and its refresh token dies at once."
        )
        return "on_refresh"
    if facts.many_servers_no_shared_store:
        reasons.append(
            "These two pull against each other: cutting off at once means every request checks "
            "a shared record, and your servers will not have one. We picked on_refresh: a "
            "cut-off kills the refresh token at once and access ends within "
            f"{ACCESS_LIFETIME}. If that is too long, give the servers a shared database and "
            "choose jwt_revocation every_request (or sessions)."
        )
        return "on_refresh"
    reasons.append(
        "every_request: you must be able to cut off a user or a device at once, so each request "
        "checks that its sign-in is still alive (one indexed read per request, as with sessions)."
    )
    if facts.verify_elsewhere:
        reasons.append(
            "These two pull against each other: this app cuts a sign-in off at once, but the "
            "other services check tokens on their own and only learn of it when the access "
            f"token expires (at most {ACCESS_LIFETIME}). If they must cut off at once too, "
            "they have to ask this app on each request."
        )
    return "every_request"


@dataclass(frozen=True)
class Decision:
    """The facts given, what they recommend, and the answers finally used."""

    facts: Facts
    recommendation: Recommendation

    def record(self, chosen: Mapping[str, object]) -> list[str]:
        """The reasons for the docs: the recommendation's, and a line for each answer that
        differs from it in `chosen` (the final answers)."""
        lines = list(self.recommendation.reasons)
        recommended = self.recommendation
        if chosen.get(STRATEGY) != recommended.auth_strategy:
            lines.append(
                f"These answers recommend {recommended.auth_strategy}; "
                f"{chosen.get(STRATEGY)} was chosen instead."
            )
            return lines
        for key, value in recommended.answers().items():
            if key in chosen and chosen[key] != value:
                lines.append(f"{key} {chosen[key]} was chosen instead of the recommended {value}.")
        return lines

    def as_json(self, chosen: Mapping[str, object]) -> dict[str, object]:
        return {
            "facts": self.facts.as_json(),
            "recommended": self.recommendation.answers(),
            "reasons": self.record(chosen),
        }


def read_facts(given: object) -> Facts:
    """The facts of an answers file's `decide` mapping, or AnswersError naming every problem."""
    keys = ", ".join(fact.key for fact in FACTS)
    if not isinstance(given, Mapping):
        message = (
            f"{DECIDE}: given {shown(given)}, which is not a mapping of facts; "
            f"allowed: a mapping with {keys} (in an answers file)"
        )
        raise AnswersError.refusing([Problem(DECIDE, given, f"a mapping with {keys}", message)])
    facts = {fact.key: fact for fact in FACTS}
    problems = [
        Problem(
            f"{DECIDE}.{key}",
            value,
            keys,
            f"{DECIDE}.{key}: unknown fact (given {shown(value)}); allowed facts: {keys}",
        )
        for key, value in given.items()
        if key not in facts
    ]
    values: dict[str, object] = {}
    for fact in FACTS:
        allowed = ", ".join(shown(value).strip('"') for value in fact.values)
        name = f"{DECIDE}.{fact.key}"
        if fact.key not in given:
            message = f"{name}: missing; every fact is needed for a recommendation ({allowed})"
            problems.append(Problem(name, None, allowed, message))
            continue
        value = _read(fact, given[fact.key])
        if value not in fact.values:
            reason = f"given {shown(given[fact.key])}, which is not one of the choices"
            problems.append(
                Problem(name, given[fact.key], allowed, f"{name}: {reason}; allowed: {allowed}")
            )
            continue
        values[fact.key] = value
    if problems:
        raise AnswersError.refusing(problems)
    return Facts(
        cut_off_at_once=values["cut_off_at_once"] is True,
        verify_elsewhere=values["verify_elsewhere"] is True,
        many_servers_no_shared_store=values["many_servers_no_shared_store"] is True,
        clients=str(values["clients"]),
    )


def _read(fact: Fact, value: object) -> object:
    """A yes/no fact takes true/false, or the words the answers take ("yes", "off"); the
    others take one of their values as text. Anything else is None, which no fact allows."""
    if fact.values != (True, False):
        return value if isinstance(value, str) else None
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    return None


def apply(given: Mapping[str, object]) -> tuple[dict[str, object], Decision | None]:
    """Answers with `decide` replaced by the recommendation's answers.

    `decide` stands in for `auth_strategy`: giving both is refused. For jwt, the recommended
    jwt_algorithm and jwt_revocation are used unless given (what is given wins, and the
    decision record says so).
    """
    if DECIDE not in given:
        return dict(given), None
    if STRATEGY in given:
        message = (
            f"{DECIDE}: given together with {STRATEGY} ({shown(given[STRATEGY])}); give one: "
            f"{STRATEGY} to choose, or {DECIDE} to have the facts choose"
        )
        problem = Problem(DECIDE, given[DECIDE], f"{DECIDE} or {STRATEGY}, not both", message)
        raise AnswersError.refusing([problem])
    facts = read_facts(given[DECIDE])
    recommendation = recommend(facts)
    answers = {key: value for key, value in given.items() if key != DECIDE}
    for key, value in recommendation.answers().items():
        answers.setdefault(key, value)
    return answers, Decision(facts, recommendation)
