"""A form renderer that writes Django's plainest widget templates in Python.

Django renders every widget through its template engine: a text box is three templates
(textarea.html including attrs.html), a radio button four. The resource page shows a
rating form of five radios and a comment form on every logged-in visit, and a reply form
under every comment: through the templates that was a third of the page's rendering.
FastRenderer writes the same HTML, byte for byte, for the widget templates below and for
an empty error list; anything else (a posted form's errors included) still goes through
Django's templates. tests/test_form_html.py compares both renderers' output.
"""

from __future__ import annotations

from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

_WIDGETS = "django/forms/widgets/"


def _value(value: object) -> str:
    """{{ value }}: localised, escaped unless already safe."""
    return conditional_escape(localize(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_value(name)}")
        else:  # value|stringformat:'s', escaped
            parts.append(f' {_value(name)}="{conditional_escape(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """input.html (and text.html, hidden.html, … which include it alone)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """input_option.html (radio_option.html and checkbox_option.html include it)."""
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{_value(target)}"' if target else ""
    # input.html ends in a newline, which the include keeps inside the label.
    return f"<label{label_for}>{_input(widget)}\n {_value(widget['label'])}</label>"


def _textarea(widget: dict) -> str:
    value = widget["value"]
    text = _value(value) if value else ""
    return f'<textarea name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


_INPUTS = "checkbox color date datetime email file hidden number password search tel text time url"
_FAST: dict[str, Callable[[dict], str]] = {
    _WIDGETS + "input.html": _input,
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS.split()},
    _WIDGETS + "input_option.html": _input_option,
    _WIDGETS + "radio_option.html": _input_option,
    _WIDGETS + "checkbox_option.html": _input_option,
    _WIDGETS + "textarea.html": _textarea,
}
_ERRORS = "django/forms/errors/list/default.html"


class FastRenderer(DjangoTemplates):
    """Django's default renderer (DjangoTemplates), the widgets above written directly."""

    def render(self, template_name, context, request=None):
        fast = _FAST.get(template_name)
        if fast is not None and "widget" in context:
            return fast(context["widget"]).strip()
        if template_name == _ERRORS and not context.get("errors"):
            return ""  # ul.html: {% if errors %}…{% endif %}
        return super().render(template_name, context, request)


FAST_RENDERER = FastRenderer()
