"""reverse(), remembered by each worker: for the URLs every page prints many times.

Reversing a URL took about 45 microseconds; a logged-in resource page reverses two dozen
(the header, its forms, the card's pager, the breadcrumb). The result depends only on the
arguments (their types too: 1 and True differ), the URL configuration and the script
prefix, which are in the key; any change of settings (as in tests) empties it.
NoReverseMatch is never remembered.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=4096)
def _reverse(view_name, args: tuple, kwargs: tuple, current_app, urlconf, prefix) -> str:
    return reverse(
        view_name,
        args=[value for _, value in args],
        kwargs={name: value for name, _, value in kwargs},
        current_app=current_app,
    )


def cached_reverse(view_name, args=(), kwargs=None, current_app=None) -> str:
    """reverse(), remembered for the same arguments (their types too: 1 and True differ)."""
    key_args = tuple((type(value), value) for value in args)
    kwargs = kwargs or {}
    key_kwargs = tuple(sorted((name, type(value), value) for name, value in kwargs.items()))
    try:
        return _reverse(
            view_name, key_args, key_kwargs, current_app, get_urlconf(), get_script_prefix()
        )
    except TypeError:  # an argument that can't be a key (unhashable): not remembered
        return reverse(view_name, args=list(args), kwargs=kwargs, current_app=current_app)


def forget_reversed(**kwargs) -> None:
    _reverse.cache_clear()


# A setting changed (ROOT_URLCONF in a test): forget everything.
setting_changed.connect(forget_reversed, dispatch_uid="recall-cached-reverse")
