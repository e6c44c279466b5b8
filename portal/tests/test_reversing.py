"""route_filler writes what reverse writes, for the values it takes, and leaves the rest to it."""

import pytest
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import translation

from portal.reversing import route_filler

ROUTES = [
    ("consortia:consortium-detail", [[1], [42], [987654321]]),
    ("consortia:amendment-detail", [[7, 1], [12, 3]]),
    ("reporting:report-detail", [[5, "2026-q4"], [1379, "2027-final"], [3, "q_1"]]),
]


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_filled_route_is_what_reverse_gives(prefix, language):
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        with translation.override(language):
            for name, cases in ROUTES:
                fill = route_filler(name, len(cases[0]))
                for args in cases:
                    assert fill(*args) == reverse(name, args=args)
                    assert fill(*args).startswith(prefix)
    finally:
        set_script_prefix(before)


def test_a_value_the_filler_does_not_take_goes_through_reverse():
    fill = route_filler("reporting:report-detail", 2)
    with pytest.raises(NoReverseMatch):  # what reverse says of a space in a period code
        fill(5, "2026 q4")
    with pytest.raises(NoReverseMatch):
        fill(5)  # too few
    assert fill("12", "2026-q4") == reverse("reporting:report-detail", args=[12, "2026-q4"])
