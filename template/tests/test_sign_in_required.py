"""Routes are for signed-in users unless they opt out: every route of the routers whose route
class is SignInRequired refuses a request without a sign-in, before it looks at anything else."""

import re

from fastapi.routing import APIRoute
from helpers import landing

# Methods whose requests carry a body here.
WITH_BODY = {"POST", "PUT", "PATCH"}


def signed_in_only(app):
    """(method, path) of every route for signed-in users, its path parameters filled in."""
    return [
        (method, re.sub(r"{[^}]+}", "1", route.path))
        for route in app.routes
        if isinstance(route, APIRoute) and type(route).__name__ == "SignInRequired"
        for method in sorted(route.methods)
    ]


def test_every_route_for_signed_in_users_refuses_anyone_not_signed_in(app, client):
    routes = signed_in_only(app)
    headers = {"X-CSRF-Token": client.csrf_token()}

    answers = {
        (method, path): client.request(
            method, path, headers=headers, json={} if method in WITH_BODY else None
        )
        for method, path in routes
    }

    # The JSON API's, the account API's and the pages' routers, at least.
    assert {path for _, path in routes} >= {"/api/me", "/api/account/password", "/account"}
    for (method, path), response in answers.items():
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json() == {"detail": "Not signed in."}, (method, path)
        else:
            assert landing(response).startswith("/login"), (method, path)
