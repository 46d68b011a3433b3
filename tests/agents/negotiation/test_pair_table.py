"""The shared (date, quality) table is the one each generator used to build for itself."""

from __future__ import annotations

from hypothesis import given

from agents.negotiation import Utility
from agents.negotiation.generator import candidate_dates, pair_table
from tests.agents.negotiation.helpers import utilities


@given(utilities())
def test_pair_table_scores_every_candidate_as_the_utility_does(utility: Utility) -> None:
    space, w = utility.space, utility.weights
    expected = [
        (day, quality, w.delivery * utility.date_score(day) + w.quality * utility.quality_score(quality))
        for day in candidate_dates(space.earliest, space.latest)
        for quality in space.qualities
    ]
    assert list(pair_table(utility)) == expected
    assert pair_table(utility) == tuple(expected)  # and again, from the cache
