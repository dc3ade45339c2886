"""Bystanders: the crowd that likes, shares, piles on or backs the brand, as a Hawkes process.

Each reply leaves an excitation that decays over turns: a poor or late reply excites
the crowd more, an inject that amplifies the thread adds its own. The activity of turn t is

    lambda_t = mu + sum over past events k of  alpha_k * exp(-beta * (t - k))

with mu = crowd_base * log10(10 + reach) and alpha_k = crowd_excitation * (1 - g_k) *
(1 + late_k) for a reply (g_k its score in 0..1, late_k minutes over the limit), or
crowd_excitation * (reach multiplier - 1) for an inject. The number of bystander actions is
Poisson(lambda_t), drawn from the session's seeded generator. Each action is a pile-on
(with probability (1 - g) * (0.5 + escalation / 100), capped at 0.9), a show of support
(probability g * 0.6), or a like or share of the thread. At most two bystander posts per
turn are shown in the feed; the rest are counted.
"""

from __future__ import annotations

import math
import random

from simulator.content import Dynamics, Strict

MAX_POSTS_PER_TURN = 2


class Excitation(Strict):
    turn: int
    alpha: float


class CrowdTurn(Strict):
    # Pile-ons and shows of support in the order they happened (the feed shows the first few).
    order: list[str] = []
    intensity: float
    actions: int
    pile_on: int
    support: int
    likes: int
    shares: int


def intensity(turn: int, reach: float, history: list[Excitation], dyn: Dynamics) -> float:
    mu = dyn.crowd_base * math.log10(10 + max(0.0, reach))
    return mu + sum(
        e.alpha * math.exp(-dyn.crowd_decay * (turn - e.turn)) for e in history if e.turn <= turn
    )


def reply_excitation(turn: int, g: float, late_min: float, dyn: Dynamics) -> Excitation:
    return Excitation(turn=turn, alpha=dyn.crowd_excitation * (1 - g) * (1 + late_min))


def inject_excitation(turn: int, reach_multiplier: float, dyn: Dynamics) -> Excitation:
    return Excitation(turn=turn, alpha=dyn.crowd_excitation * max(0.0, reach_multiplier - 1))


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small rates, a rounded normal approximation for large ones."""
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    threshold, count, product = math.exp(-lam), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def crowd_turn(rng: random.Random, lam: float, g: float, escalation: float) -> CrowdTurn:
    actions = poisson(rng, lam)
    p_pile = min(0.9, (1 - g) * (0.5 + escalation / 100))
    p_support = g * 0.6
    pile = support = likes = shares = 0
    order: list[str] = []
    for _ in range(actions):
        roll = rng.random()
        if roll < p_pile:
            pile += 1
            order.append("pile_on")
        elif roll < p_pile + p_support:
            support += 1
            order.append("support")
        elif rng.random() < 0.75:
            likes += 1
        else:
            shares += 1
    return CrowdTurn(
        order=order[:10],  # enough for the feed; the counts keep the rest
        intensity=round(lam, 2),
        actions=actions,
        pile_on=pile,
        support=support,
        likes=likes,
        shares=shares,
    )
