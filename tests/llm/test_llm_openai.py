"""The `openai` provider against a real HTTP server on loopback: streaming, 500, 429, timeouts."""

from __future__ import annotations

import time

import pytest
from langchain_core.messages import HumanMessage

from simulator.config import load_settings
from simulator.content import get_scenario
from simulator.engine import Session
from simulator.evals import load_community_cases, request_for
from simulator.factory import make_voice
from simulator.llm import LLMError, make_chat_model, stream_with_retries
from tests.fakes import ScriptedGrader
from tests.openai_stub import Behaviour, OpenAIStub


def settings(**overrides: object) -> object:
    return load_settings(provider="openai", **overrides)


def test_streaming_tokens_arrive_in_order(stub: OpenAIStub) -> None:
    stub.push(Behaviour(text="Bon, enfin une réponse."))
    tokens: list[str] = []
    model = make_chat_model(load_settings(provider="openai"))
    text = stream_with_retries(
        model, [HumanMessage(content="hi")], timeout_s=10, max_retries=0, on_token=tokens.append
    )
    assert text.strip() == "Bon, enfin une réponse."
    assert len(tokens) >= 3
    request = stub.state.requests[0]
    assert request["stream"] is True and request["model"] == "stub-model"


def test_server_error_is_retried_with_backoff(stub: OpenAIStub) -> None:
    stub.push(Behaviour(status=500), Behaviour(status=429), Behaviour(text="Merci pour le retour."))
    pauses: list[float] = []
    model = make_chat_model(load_settings(provider="openai"))
    text = stream_with_retries(
        model, [HumanMessage(content="hi")], timeout_s=10, max_retries=2, sleep=pauses.append
    )
    assert text.strip() == "Merci pour le retour."
    assert len(stub.state.requests) == 3
    assert pauses == [0.5, 1.0]


def test_retries_are_bounded(stub: OpenAIStub) -> None:
    stub.push(*[Behaviour(status=500)] * 5)
    model = make_chat_model(load_settings(provider="openai"))
    with pytest.raises(LLMError):
        stream_with_retries(
            model, [HumanMessage(content="hi")], timeout_s=10, max_retries=2, sleep=lambda _: None
        )
    assert len(stub.state.requests) == 3


def test_timeout_falls_back_to_the_scripted_line(
    stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_TIMEOUT_S", "1")
    monkeypatch.setenv("CM_SIM_MAX_RETRIES", "0")
    stub.push(Behaviour(text="trop tard", delay_s=3))
    voice = make_voice("openai")
    request = request_for(load_community_cases()[1])
    started = time.monotonic()
    outcome = voice.speak_detailed(request)
    assert time.monotonic() - started < 3
    assert not outcome.accepted and "provider" in outcome.failures
    assert outcome.text == request.fallback


def test_garbage_answer_falls_back(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_SIM_MAX_RETRIES", "0")
    stub.push(Behaviour(garbage=True))
    request = request_for(load_community_cases()[0])
    outcome = make_voice("openai").speak_detailed(request)
    assert outcome.text == request.fallback and not outcome.accepted


def test_a_good_answer_is_shown_and_a_bad_one_replaced(stub: OpenAIStub) -> None:
    case = load_community_cases()[1]  # angry-customer, fr, julie
    request = request_for(case)
    stub.push(Behaviour(text="Bon, c'est un début. Mais il me faut une date pour la réparation."))
    stub.push(Behaviour(text="As an AI language model, I cannot help with that."))
    voice = make_voice("openai")
    first = voice.speak_detailed(request)
    assert first.accepted and first.text.startswith("Bon, c'est un début")
    second = voice.speak_detailed(request)
    assert not second.accepted and second.text == request.fallback


def test_a_whole_session_over_http_keeps_every_reply(stub: OpenAIStub) -> None:
    stub.push(Behaviour(status=500), Behaviour(status=500), Behaviour(status=500))
    scenario = get_scenario("angry-customer")
    voice = make_voice("openai", load_settings(provider="openai", max_retries=0))
    session = Session.start(scenario, "fr", 1, ScriptedGrader([60, 60, 60]), voice)  # type: ignore[arg-type]
    replies = ["Première réponse", "Deuxième réponse", "Troisième réponse"]
    for reply in replies:
        session.submit(reply, delay_s=5)
    assert [t.reply for t in session.state.turns] == replies
    reactions = [e for e in session.state.events if e.kind == "reaction" and e.source != "inject"]
    assert reactions and all(e.text for e in reactions)
