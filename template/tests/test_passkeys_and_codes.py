"""A passkey is both factors: an account with an authenticator app signs in with a passkey
alone."""

from authenticator import turn_on
from passkey_device import SoftAuthenticator
from test_passkeys import add_passkey, passkey_sign_in, sign_in_answer


def test_a_passkey_is_both_factors(frozen_clock, signed_in, new_browser):
    device = SoftAuthenticator()
    assert add_passkey(signed_in, device).status_code == 201
    turn_on(signed_in, frozen_clock)
    laptop = new_browser()

    response = passkey_sign_in(laptop, sign_in_answer(laptop, device))

    assert response.status_code == 200
    assert "mfa_required" not in response.json()
