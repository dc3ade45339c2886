"""The bystander crowd: a seeded Hawkes process excited by poor replies and injects."""

from __future__ import annotations

import random
from statistics import fmean

from simulator.community import ScriptedVoice
from simulator.content import Dynamics, get_scenario
from simulator.engine import (
    Excitation,
    Session,
    crowd_turn,
    inject_excitation,
    intensity,
    poisson,
    reply_excitation,
)
from tests.fakes import ScriptedGrader

DYN = Dynamics()


def test_excitation_decays_over_turns() -> None:
    history = [reply_excitation(1, 0.1, 0.0, DYN)]
    values = [intensity(t, 1000, history, DYN) for t in (1, 2, 3, 6)]
    assert values == sorted(values, reverse=True)
    assert values[-1] - intensity(6, 1000, [], DYN) < 0.3


def test_poor_and_late_replies_excite_more() -> None:
    good = reply_excitation(1, 0.9, 0.0, DYN).alpha
    poor = reply_excitation(1, 0.2, 0.0, DYN).alpha
    late = reply_excitation(1, 0.2, 2.0, DYN).alpha
    assert good < poor < late
    assert inject_excitation(1, 2.0, DYN).alpha > inject_excitation(1, 1.0, DYN).alpha == 0


def test_poisson_mean() -> None:
    rng = random.Random(3)
    for lam in (0.5, 4.0, 80.0):
        assert abs(fmean(poisson(rng, lam) for _ in range(4000)) - lam) < 0.1 * lam + 0.1


def test_poor_replies_bring_pile_ons_good_ones_support() -> None:
    poor = [crowd_turn(random.Random(i), 10, 0.1, 70) for i in range(200)]
    good = [crowd_turn(random.Random(i), 10, 0.9, 10) for i in range(200)]
    assert fmean(c.pile_on for c in poor) > 3 * fmean(c.pile_on for c in good)
    assert fmean(c.support for c in good) > 3 * fmean(c.support for c in poor)


def test_history_is_kept_in_the_state() -> None:
    history = [Excitation(turn=1, alpha=5.0)]
    assert intensity(1, 0, history, DYN) > intensity(1, 0, [], DYN)


def test_session_shows_bystanders_and_counts_them() -> None:
    scenario = get_scenario("viral-crisis")
    session = Session.start(scenario, "en", 5, ScriptedGrader([10, 10]), ScriptedVoice())  # type: ignore[arg-type]
    first = session.submit("No comment.", delay_s=400)
    assert first.crowd is not None and first.crowd.actions > 0
    crowd_posts = [e for e in session.state.events if e.author == "crowd"]
    assert 0 < len(crowd_posts) <= 2
    reply = next(e for e in session.state.events if e.kind == "reply")
    assert reply.likes + reply.shares > 0
    again = Session.start(scenario, "en", 5, ScriptedGrader([10]), ScriptedVoice())  # type: ignore[arg-type]
    assert again.submit("No comment.", delay_s=400).crowd == first.crowd
