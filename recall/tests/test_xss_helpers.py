"""The auditor must catch what it is there to catch, or the hostile-input tests prove nothing."""

from recall.tests.xss import audit_page, hostile_inputs


def test_the_auditor_catches_script_handlers_and_dangerous_urls():
    page = (
        '<script src="/static/recall/js/cards.js"></script>'
        "<script>alert(1)</script>"
        '<img src="x" onerror="alert(1)">'
        '<a href=" JavaScript:alert(1)">x</a>'
        '<iframe src="data:text/html,x"></iframe>'
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
    )

    assert audit_page(page) == [
        "script element {}",
        "inline script content",
        "event handler onerror on <img>",
        "javascript: URL in href on <a>",
        "<iframe> element",
        "data: URL in src on <iframe>",
        "meta refresh",
    ]


def test_our_own_script_files_pass():
    assert audit_page('<script src="/static/recall/vendor/htmx.min.js" defer></script>') == []


def test_the_hostile_inputs_are_many_and_fixed():
    first, second = hostile_inputs(), hostile_inputs()

    assert len(first) == 151 + 139 + 1000
    assert first == second
