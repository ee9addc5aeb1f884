"""Plain helpers for the tests: reading pages, cookies and redirects the way a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    # The test client's HTTP library (httpx, or httpx2 where Starlette prefers it).
    import httpx

_PHRASE = "violet tractors hum over quiet meadows while copper kettles sing "


def passphrase(length: int, first_word: str = "amber") -> str:
    """A password of exactly `length` characters that is in no common-password list."""
    text = (f"{first_word} {_PHRASE}" * (length // len(_PHRASE) + 2))[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


@dataclass
class Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)

    def input(self, name: str) -> dict[str, str]:
        matches = [attrs for attrs in self.inputs if attrs.get("name") == name]
        assert len(matches) == 1, f"expected one input named {name!r} in {self.action}"
        return matches[0]

    def value(self, name: str) -> str:
        return self.input(name).get("value", "")


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.labels: set[str] = set()
        self.alerts: list[str] = []
        self._alert_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag not in VOID_ELEMENTS:
            if self._alert_depth:
                self._alert_depth += 1
            elif attributes.get("role") == "alert":
                self._alert_depth = 1
                self.alerts.append("")
        if tag == "form":
            method = attributes.get("method", "get").lower()
            self.forms.append(Form(action=attributes.get("action", ""), method=method))
        elif tag in {"input", "textarea", "select"} and self.forms:
            self.forms[-1].inputs.append({"tag": tag, **attributes})
        elif tag == "label" and "for" in attributes:
            self.labels.add(attributes["for"])

    def handle_endtag(self, tag: str) -> None:
        if self._alert_depth and tag not in VOID_ELEMENTS:
            self._alert_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._alert_depth:
            self.alerts[-1] += data


@dataclass
class Page:
    forms: list[Form]
    elements: list[tuple[str, dict[str, str]]]
    labels: set[str]
    alerts: list[str]

    @property
    def alert(self) -> str:
        """The text of the page's one error message (an element with role="alert")."""
        texts = [" ".join(text.split()) for text in self.alerts if text.strip()]
        assert len(texts) == 1, f"expected one error message, got {texts}"
        return texts[0]

    def form(self, action: str) -> Form:
        """The form posting to `action` (a fragment after it, which only scrolls, is ignored)."""
        matches = [form for form in self.forms if form.action.partition("#")[0] == action]
        assert len(matches) == 1, f"expected one form posting to {action!r}"
        return matches[0]

    def urls(self) -> list[str]:
        """Every URL the page links to, loads or submits to."""
        return [
            value.partition("#")[0] if name in {"action", "formaction"} else value
            for _, attrs in self.elements
            for name, value in attrs.items()
            if name in {"href", "src", "action", "formaction"}
        ]


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return Page(
        forms=parser.forms, elements=parser.elements, labels=parser.labels, alerts=parser.alerts
    )


@dataclass
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str]

    @property
    def cleared(self) -> bool:
        return self.attributes.get("max-age") == "0" or (
            "expires" in self.attributes and "1970" in self.attributes["expires"]
        )


def set_cookies(response: httpx.Response) -> list[SetCookie]:
    """Every Set-Cookie header of a response, with lower-cased attribute names."""
    cookies = []
    for header in response.headers.get_list("set-cookie"):
        pair, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = pair.partition("=")
        parsed = {}
        for attribute in attributes:
            key, _, attribute_value = attribute.partition("=")
            parsed[key.strip().lower()] = attribute_value.strip()
        cookies.append(SetCookie(name=name, value=value.strip('"'), attributes=parsed))
    return cookies


def set_cookie(response: httpx.Response, name: str) -> SetCookie:
    matches = [cookie for cookie in set_cookies(response) if cookie.name == name]
    assert len(matches) == 1, f"expected one Set-Cookie for {name!r}, got {len(matches)}"
    return matches[0]


def landing(response: httpx.Response) -> str:
    """Where a redirect sends the browser: a path on this site, or the full foreign URL."""
    assert response.status_code in {301, 302, 303, 307, 308}, response.status_code
    location = response.headers["location"]
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        if parts.scheme == "https" and parts.netloc == "testserver":
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return location
    return location
