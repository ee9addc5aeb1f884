"""A phone's authenticator app, for the tests: it turns the app on for an account through the
JSON API, and shows the code of any moment (the tests freeze the app's clock)."""

from dataclasses import dataclass
from datetime import timedelta

import pyotp

STEP = timedelta(seconds=30)


@dataclass
class AuthenticatorApp:
    secret: str
    recovery_codes: list[str]

    def code(self, clock):
        """The six digits the app shows at the frozen clock's time."""
        return pyotp.TOTP(self.secret).at(clock.now)


def turn_on(browser, clock):
    """Set the app up and confirm it, as the signed-in `browser` (a fresh sign-in); the clock
    then moves on a step, so that the next code is a new one."""
    response = browser.post_json("/api/account/totp")
    assert response.status_code == 200, response.text
    secret = response.json()["secret"]
    confirmed = browser.post_json(
        "/api/account/totp/confirm", {"code": pyotp.TOTP(secret).at(clock.now)}
    )
    assert confirmed.status_code == 200, confirmed.text
    clock.advance(STEP)
    return AuthenticatorApp(secret, confirmed.json()["recovery_codes"])
