"""The knowledge base: card validation, the real Chroma index (incremental, locked), search."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.bench import scaled_content
from simulator.cli import app
from simulator.content import practice_ids
from simulator.errors import ContentError
from simulator.evals import load_retrieval_cases, score
from simulator.knowledge import (
    BM25,
    ChromaKnowledgeBase,
    Embedder,
    load_card,
    load_content,
    rrf,
    tokens,
)
from simulator.paths import REPO_ROOT
from tests.net import free_port

KB = REPO_ROOT / "knowledge_base"
CARD = (KB / "cards" / "always-answer.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def card_problems(tmp_path: Path, text: str, name: str = "always-answer") -> list[str]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_card(path, practice_ids())
    return [str(p).split(": ", 1)[1] if ": " in str(p) else str(p) for p in info.value.problems]


def line_of(fragment: str) -> int:
    return next(i for i, line in enumerate(CARD.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda t: t.replace("theme: answering", "theme: vibes"), "theme"),
        (lambda t: t.replace("  en: Always answer\n", ""), "title.en: required field is missing"),
        (
            lambda t: t.replace("id: always-answer\n", "id: always-answer\nid: again\n"),
            "duplicate key",
        ),
        (lambda t: t + "colour: red\n", "colour: unknown field"),
        (lambda t: t.replace("situations: [", "situations: [party, "), "tags.situations[0]"),
        (lambda t: t.replace("source:", "source: !!python/object:os.system\nsrc:"), "not allowed"),
    ],
)
def test_malformed_card(tmp_path: Path, mutate: object, expected: str) -> None:
    problems = card_problems(tmp_path, mutate(CARD))  # type: ignore[operator]
    assert any(expected in p for p in problems), problems


def test_card_problem_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "always-answer.yaml"
    path.write_text(CARD.replace("theme: answering", "theme: vibes"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_card(path)
    assert str(info.value.problems[0]).startswith(f"{path}:{line_of('theme:')}: theme: ")


def test_card_id_must_match_file_and_registry(tmp_path: Path) -> None:
    assert any("file name" in p for p in card_problems(tmp_path, CARD, name="other"))
    text = CARD.replace("id: always-answer", "id: be-rude")
    assert any("practice-ids" in p for p in card_problems(tmp_path, text, name="be-rude"))


def test_shipped_knowledge_base_is_complete() -> None:
    content = load_content(KB, practice_ids())
    known = practice_ids() or set()
    assert len(content.cards) >= 40
    assert {c.id for c in content.cards} == known
    for lang in ("fr", "en"):
        assert len([a for a in content.articles if a.lang == lang]) >= 8
    for card in content.cards:
        assert len(card.do) >= 2 and len(card.dont) >= 2


def test_article_front_matter_errors(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "articles" / "fr").mkdir(parents=True)
    (root / "cards").mkdir()
    bad = root / "articles" / "fr" / "x.md"
    bad.write_text("---\ntitle: Un titre\ntheme: nope\ncards: [always-answer]\n---\n" + "mot " * 60)
    with pytest.raises(ContentError) as info:
        load_content(root, {"always-answer"})
    assert str(info.value.problems[0]).startswith(f"{bad}:3: theme: ")


def test_tokens_fold_accents_and_stem() -> None:
    assert tokens("Les Réponses rapides aux clients") == ["reponses", "rapides", "clients"]
    assert tokens("Les Réponses rapides aux clients", "fr") == ["repons", "rapid", "client"]
    assert tokens("journalists replying", "en") == ["journalist", "repli"]


def test_bm25_prefers_the_matching_document() -> None:
    corpus = [tokens("journalist press office comment"), tokens("apology empathy customer")]
    assert BM25(corpus).top(tokens("a journalist asks for comment"), 2)[0][0] == 0


def _reference_bm25(corpus: list[list[str]], query: list[str], n: int) -> list[int]:
    """The textbook formula, term by term, document by document (slow and obvious)."""
    k1, b = 1.5, 0.75
    avg = sum(map(len, corpus)) / len(corpus)
    scores: dict[int, float] = {}
    for term in set(query):
        df = sum(term in doc for doc in corpus)
        if not df:
            continue
        idf = math.log(1 + (len(corpus) - df + 0.5) / (df + 0.5))
        for i, doc in enumerate(corpus):
            tf = doc.count(term)
            if tf:
                norm = tf + k1 * (1 - b + b * len(doc) / avg)
                scores[i] = scores.get(i, 0.0) + idf * tf * (k1 + 1) / norm
    return [i for i, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:n]]


def test_bm25_matches_the_formula_and_breaks_ties_by_position() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(30)]
    for _ in range(150):
        corpus = [[rng.choice(vocab) for _ in range(rng.randint(1, 10))] for _ in range(25)]
        query = [rng.choice(vocab) for _ in range(rng.randint(1, 4))]
        n = rng.randint(1, 8)
        assert [i for i, _ in BM25(corpus).top(query, n)] == _reference_bm25(corpus, query, n)
    # Identical documents tie: the earlier one ranks first, in every process.
    assert [i for i, _ in BM25([["a"], ["b"], ["a"], ["a"]]).top(["a"], 2)] == [0, 2]
    assert BM25([["a"]]).top(["zzz"], 3) == []


def test_rrf_rewards_agreement() -> None:
    fused = rrf([(1.0, ["a", "b", "c"]), (1.0, ["b", "a", "d"])])
    assert [doc for doc, _ in fused][:2] in (["a", "b"], ["b", "a"])
    assert dict(fused)["d"] < dict(fused)["a"]


def test_recall_and_mrr() -> None:
    assert score(["x", "a", "b"], ["a", "b"]) == (1.0, 0.5)
    assert score(["x", "y"], ["a"]) == (0.0, 0.0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ChromaKnowledgeBase:
    kb = ChromaKnowledgeBase(
        content=load_content(KB, practice_ids()), path=tmp_path_factory.mktemp("chroma")
    )
    kb.build()
    return kb


@pytest.mark.slow
def test_build_then_no_change_refresh(built: ChromaKnowledgeBase) -> None:
    report = built.build()
    assert report.added == report.updated == report.removed == 0
    assert report.unchanged == built.collection("fr").count() + built.collection("en").count()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "lang", "card"),
    [
        ("a journalist asks us for a comment on the video", "en", "journalist-to-press-office"),
        (
            "un journaliste nous demande un commentaire sur la vidéo",
            "fr",
            "journalist-to-press-office",
        ),
        ("is this account a bot or a human?", "en", "honest-about-automation"),
        ("send us your phone number and address here", "en", "never-ask-personal-data-public"),
    ],
)
def test_search_finds_the_practice(
    built: ChromaKnowledgeBase, query: str, lang: str, card: str
) -> None:
    assert card in built.card_ids(query, lang, k=5)  # type: ignore[arg-type]


@pytest.mark.slow
def test_search_filters_and_cites(built: ChromaKnowledgeBase) -> None:
    hits = built.search("answer the customer", "en", k=10, kinds=("card",), scenario="viral-crisis")
    content = built.content
    assert hits and all("viral-crisis" in content.card(h.card_ids[0]).tags.scenarios for h in hits)
    articles = built.search("crise", "fr", k=3, kinds=("article",))
    assert articles and all(h.kind == "article" and h.card_ids for h in articles)


@pytest.mark.slow
def test_incremental_refresh_and_removal(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    kb_path = tmp_path / "chroma"
    first = ChromaKnowledgeBase(content=load_content(root, None), path=kb_path)
    assert first.build().added > 0
    card = root / "cards" / "answer-fast.yaml"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("principle:\n  fr: ", "principle:\n  fr: (modifié) ", 1))
    (root / "cards" / "know-competitors.yaml").unlink()
    again = ChromaKnowledgeBase(content=load_content(root, None), path=kb_path)
    report = again.build()
    # answer-fast changed in French only; know-competitors is gone in both languages.
    gone = first.content.card("know-competitors")
    assert report.updated == 1 and report.added == 0
    assert report.removed == 2 * (1 + len(gone.do) + len(gone.dont) + len(gone.questions))
    assert "know-competitors" not in again.card_ids("what do our competitors do", "en", k=10)


def test_search_sees_an_index_built_after_it_found_none(tmp_path: Path) -> None:
    content = scaled_content(load_content(KB, None), 100)  # a few cards: a quick build
    kb = ChromaKnowledgeBase(content=content, path=tmp_path / "chroma")
    with pytest.raises(RuntimeError, match="cm-sim index"):
        kb.search("a journalist asks for comment", "en")
    kb.build()  # an empty index is not remembered as empty
    assert kb.card_ids("a journalist asks for comment", "en")


@pytest.mark.slow
def test_two_writers_do_not_corrupt_the_index(tmp_path: Path) -> None:
    env = {**os.environ, "CM_SIM_DATA_DIR": str(tmp_path)}
    exe = str(Path(sys.executable).parent / "cm-sim")
    procs = [
        subprocess.Popen([exe, "index", "--json"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reports = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(r["added"] for r in reports)[0] == 0  # the second writer found it done
    check = subprocess.run([exe, "index", "--json"], env=env, capture_output=True, text=True)
    assert json.loads(check.stdout)["added"] == 0


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_chroma_server_mode(chroma_server: str, tmp_path: Path) -> None:
    kb = ChromaKnowledgeBase(
        content=load_content(KB, practice_ids()), path=tmp_path / "local", url=chroma_server
    )
    report = kb.build()
    assert report.added > 80
    assert "journalist-to-press-office" in kb.card_ids("a journalist asks for a comment", "en")
    assert not (tmp_path / "local" / "chroma.sqlite3").exists()
    # The server's collections record their encoder too: another one gets its own.
    assert kb.collection("en").metadata["encoder"] == kb.embedder.primary
    other = ChromaKnowledgeBase(
        content=kb.content,
        path=tmp_path / "local",
        url=chroma_server,
        embedder=Embedder("packaged:all-MiniLM-L6-v2"),
    )
    assert other.build().added == report.added
    assert other.collection("en").metadata["dim"] == 384


@pytest.mark.slow
def test_eval_retrieval_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_SIM_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["eval", "retrieval", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for mode in ("hybrid", "rrf", "dense", "bm25"):
        for lang in ("fr", "en"):
            assert 0 <= data[mode][lang]["recall@5"] <= 1 and 0 <= data[mode][lang]["mrr"] <= 1
    # Cross-lingual queries and the blind hold-out set are reported as their own rows.
    for row in ("cross_lingual", "holdout"):
        assert data[row]["hybrid"]["fr"]["queries"] > 0 and data[row]["hybrid"]["en"]["queries"] > 0
    assert data["card_ranker"] is True
    assert len(load_retrieval_cases()) >= 60
