"""Form fields that say what is wrong with them, for the page templates.

A page passes `errors`: the message for each field in error, by the field's name (the first of
them gets the focus). In a template, `field_invalid(name)` is the field's extra class,
`field_state(name, hint)` its input's ARIA attributes and `field_error(name)` the message shown
under it. Plain functions rather than Jinja macros: a form page calls them a dozen times, and a
macro call costs many times more than a function call.
"""

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup


def _errors(context: Context) -> dict[str, str]:
    errors: dict[str, str] | None = context.get("errors")
    return errors or {}


@pass_context
def field_invalid(context: Context, name: str) -> str:
    return " invalid" if _errors(context).get(name) else ""


@pass_context
def field_state(context: Context, name: str, hint: str | None = None) -> Markup:
    errors = _errors(context)
    if not errors.get(name):  # as most fields are, every time a form is first shown
        return Markup(' aria-describedby="%s"') % hint if hint else Markup()
    described_by = f"{hint} {name}-error" if hint else f"{name}-error"
    attributes = Markup(' aria-describedby="%s" aria-invalid="true"') % described_by
    if name == next(iter(errors)):
        attributes += Markup(" autofocus")
    return attributes


@pass_context
def field_error(context: Context, name: str, more: str = "") -> Markup:
    """The field's message, if it has one; `more` (markup) follows it in the same paragraph."""
    message = _errors(context).get(name)
    if not message:
        return Markup()
    return Markup(
        '\n<p class="field-error" id="%s-error" role="alert">'
        '<span class="field-error-mark" aria-hidden="true">!</span>\n'
        '  <span class="visually-hidden">Error: </span>%s%s</p>'
    ) % (name, message, more)
