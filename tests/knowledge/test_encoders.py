"""The encoders: the packaged multilingual one places French next to English, loads once,
batches; an index never mixes encoders; the card ranker is fitted, saved and used only with
the encoder it was fitted for; `cm-sim search --batch`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.bench import scaled_content
from simulator.cli import app
from simulator.content import practice_ids
from simulator.knowledge import (
    CARD_FEATURES,
    CardRanker,
    ChromaKnowledgeBase,
    Embedder,
    chroma_embedding_function,
    encoder,
    fit_ranker,
    load_content,
)
from simulator.paths import REPO_ROOT

KB = REPO_ROOT / "knowledge_base"
USE = "packaged:use-multilingual-v3"
MINILM = "packaged:all-MiniLM-L6-v2"
runner = CliRunner()


def test_the_multilingual_encoder_puts_a_translation_next_to_its_original() -> None:
    coder = encoder(USE)
    rows = coder.matrix(
        [
            "Nous sommes désolés pour cette panne, un technicien passe demain matin.",
            "We are sorry about this outage; a technician is coming tomorrow morning.",
            "The museum opens a new exhibition about the sea next week.",
        ]
    )
    assert rows.shape == (3, coder.dim) and np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-4)
    assert rows[0] @ rows[1] > 0.5 > rows[0] @ rows[2] + 0.2
    assert encoder(USE) is coder  # loaded once per process


def test_batches_give_the_same_vectors_as_single_calls() -> None:
    coder = encoder(USE)
    texts = [f"Réponse numéro {n} au client mécontent." for n in range(150)]
    together = coder.matrix(texts)
    assert np.allclose(together[140], coder.matrix([texts[140]])[0], atol=1e-5)


def test_embedder_names_the_fused_encoders_and_the_grader_reads_the_first() -> None:
    fused = Embedder(f"{USE}+{MINILM}")
    assert fused.names == [USE, MINILM] and fused.primary == USE and fused.multilingual
    assert not Embedder(MINILM).multilingual


def test_a_chroma_embedding_function_over_our_encoder(tmp_path: Path) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=str(tmp_path))
    function = chroma_embedding_function(USE)
    collection = client.create_collection("probe", embedding_function=function)
    collection.add(ids=["a", "b"], documents=["Le journaliste veut un commentaire", "Bon appétit"])
    found = collection.query(query_texts=["A reporter asks for a statement"], n_results=1)
    assert found["ids"][0] == ["a"]


@pytest.fixture(scope="module")
def small() -> object:
    return scaled_content(load_content(KB, practice_ids()), 100)


def test_each_encoder_has_its_own_recorded_collection(small: object, tmp_path: Path) -> None:
    use_kb = ChromaKnowledgeBase(content=small, path=tmp_path, embedder=Embedder(USE))  # type: ignore[arg-type]
    assert use_kb.build().added > 0
    collection = use_kb.collection("fr")
    assert collection.metadata["encoder"] == USE and collection.metadata["dim"] == 512
    # Another encoder on the same path builds its own collections (the progress callback
    # sees the work) instead of querying 512-dimension vectors with 384-dimension ones.
    seen: list[tuple[int, int]] = []
    mini_kb = ChromaKnowledgeBase(content=small, path=tmp_path, embedder=Embedder(MINILM))  # type: ignore[arg-type]
    report = mini_kb.build(lambda done, total: seen.append((done, total)))
    assert report.added == use_kb.build().unchanged and seen[-1][0] == seen[-1][1] > 0
    assert mini_kb.collection("fr").metadata["dim"] == 384
    assert mini_kb.card_ids("a journalist asks for a comment", "en")


def test_a_collection_recorded_with_another_encoder_is_rebuilt(
    small: object, tmp_path: Path
) -> None:
    kb = ChromaKnowledgeBase(content=small, path=tmp_path, embedder=Embedder(USE))  # type: ignore[arg-type]
    kb.build()
    name = kb.collection_name("en", USE)
    # Someone stored other vectors under our name: the metadata says so.
    kb.client.delete_collection(name)
    kb.client.create_collection(name, metadata={"encoder": "other", "dim": 3})
    fresh = ChromaKnowledgeBase(content=small, path=tmp_path, embedder=Embedder(USE))  # type: ignore[arg-type]
    assert fresh.build().added > 0
    assert fresh.collection("en").metadata["encoder"] == USE


def test_an_article_in_one_language_is_found_from_the_other(tmp_path: Path) -> None:
    content = load_content(KB, practice_ids())
    kb = ChromaKnowledgeBase(content=content, path=tmp_path, embedder=Embedder(USE))
    kb.build()
    hits = kb.search(
        "Comment ralentir les messages sur notre serveur Discord pendant un raid ?",
        "fr",
        k=5,
        mode="dense",
        kinds=("article",),
    )
    assert any(h.doc_id.startswith("article:moderation-tools-on-platforms:en") for h in hits)


def test_the_card_ranker_learns_and_travels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    features, targets = [], []
    for _ in range(40):
        x = rng.normal(size=(20, len(CARD_FEATURES)))
        y = np.zeros(20)
        y[rng.integers(20)] = 1
        x[y == 1, 0] += 3  # the first signal tells the relevant card
        features.append(x)
        targets.append(y)
    ranker = fit_ranker(features, targets, USE)
    assert int(np.argmax(ranker.coef)) == 0
    ranker.save(tmp_path / "r.json")
    again = CardRanker.load(tmp_path / "r.json")
    assert np.allclose(again.scores(features[0]), ranker.scores(features[0]))


def test_a_ranker_fitted_for_another_encoder_is_not_used(small: object, tmp_path: Path) -> None:
    kb = ChromaKnowledgeBase(content=small, path=tmp_path, embedder=Embedder(USE))  # type: ignore[arg-type]
    kb.build()
    foreign = CardRanker(
        encoder=MINILM,
        features=list(CARD_FEATURES),
        mean=[0.0] * len(CARD_FEATURES),
        scale=[1.0] * len(CARD_FEATURES),
        coef=[-1.0] * len(CARD_FEATURES),
        queries=1,
    )
    kb.ranker = foreign
    assert kb.usable(kb.ranker) is None
    query = "a journalist asks for a comment"
    assert kb.card_ids(query, "en") == kb.card_ids(query, "en", mode="rrf")


def test_search_batch_prints_one_json_line_per_query(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("un journaliste demande un commentaire\n\nune cliente en colère\n")
    result = runner.invoke(app, ["search", "--batch", str(queries), "--lang", "fr", "--k", "3"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == [
        "un journaliste demande un commentaire",
        "une cliente en colère",
    ]
    assert all(len(line["hits"]) == 3 for line in lines)
    missing = runner.invoke(app, ["search", "--batch", str(tmp_path / "none.txt")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    both = runner.invoke(app, ["search", "x", "--batch", str(queries)])
    assert both.exit_code == 2
