"""The scenario library: scenarios trainers write in the app, kept in the database so that
every replica sees them.

Each save is a new version, never changed afterwards: a draft until its author publishes it
(to none, one or several of their cohorts; a published version stays published). Students
only ever get published versions; a session records the version it started on and replays on
it after later edits. Scenario files (the shipped folder and the extra folders) stay files:
they can be copied as a starting point (`scenario_yaml`) but never saved over.

The store opened last registers `StoredScenarios` as content's scenario source, so
`get_scenario` finds published stored scenarios without the content room importing the store.
"""

from __future__ import annotations

import random
import re
import time
import weakref
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from simulator.content import (
    LANGS,
    Frozen,
    Scenario,
    UnknownScenario,
    load_scenario_text,
    practice_ids,
    scenario_path,
)
from simulator.errors import Forbidden, InputError, StoreError
from simulator.paths import shipped_scenarios_dir
from simulator.protocols import Store
from simulator.store.accounts import Employer
from simulator.store.cohorts import Cohort, trainer_cohort
from simulator.store.schema import AssignmentRow, EmployerRow, ScenarioVersionRow, utcnow
from simulator.store.sessions import aware

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

STATUSES = ("draft", "published")
SAVE_ATTEMPTS = 12
_ID = re.compile(r"""^id\s*:\s*["']?([a-z0-9][a-z0-9_-]{0,63})["']?\s*(?:#.*)?$""", re.MULTILINE)

SCENARIO_TEMPLATE = """\
# A new scenario: give it its own id (lowercase letters, digits, '-'), then rewrite the texts.
# Every text is {fr: ..., en: ...}. To write in one language only, declare it, e.g.
# `languages: [fr]`: the scenario is then offered in that language only.
id: my-scenario
languages: [fr, en]
title: {fr: "Colis en retard", en: "Late parcel"}
brief:
  fr: >-
    Vous animez le compte d'une boutique en ligne. Une cliente attend son colis depuis
    une semaine et s'énerve en public.
  en: >-
    You run an online shop's account. A customer has waited a week for her parcel and is
    getting angry in public.
difficulty: beginner
skills: [empathy, customer-care]
channel: x
brand:
  name: Maison Lune
  handle: "@maisonlune"
  sector: {fr: "Décoration en ligne", en: "Online home decor"}
  editorial_line: {fr: "Chaleureuse et simple", en: "Warm and plain"}
  community_type: {fr: "Clientes fidèles et curieux", en: "Loyal customers and browsers"}
  organisation_type: {fr: "Petite entreprise", en: "Small business"}
reply_time_limit_s: 180
personas:
  - id: lea
    name: Léa Martin
    handle: "@lea_m"
    role: customer
    profile:
      fr: "Cliente fidèle, a commandé un cadeau d'anniversaire"
      en: "Loyal customer, ordered a birthday present"
    temperament: {fr: "Directe, se calme si on l'écoute", en: "Blunt, calms down when heard"}
    followers: 850
    initial_mood: angry
lead_persona: lea
opening:
  - persona: lea
    text:
      fr: >-
        @maisonlune une semaine que j'attends mon colis, l'anniversaire c'est samedi.
        Personne ne répond au mail. Sérieux ?
      en: >-
        @maisonlune a week waiting for my parcel, the birthday is on Saturday. Nobody
        answers my email. Seriously?
    likes: 4
# Lines for every mood of each persona who speaks: the fallback when the model fails, and
# its examples of the persona's voice.
reactions:
  lea:
    furious:
      - fr: "Donc toujours rien. Je ne commanderai plus jamais chez vous."
        en: "So still nothing. I'll never order from you again."
    angry:
      - fr: "Des excuses, c'est bien, mais il arrive quand, ce colis ?"
        en: "Sorry is nice, but when does the parcel arrive?"
      - fr: "J'attends une vraie réponse, pas un message tout fait."
        en: "I'm waiting for a real answer, not a canned message."
    wary:
      - {fr: "D'accord, j'attends votre message alors.", en: "Okay, I'll wait for your message."}
    calm:
      - {fr: "Merci, c'est plus clair. Tenez-moi au courant.", en: "Thanks, that's clearer."}
    won_over:
      - {fr: "Merci pour le suivi, ça fait plaisir !", en: "Thanks for following up!"}
metrics:
  sentiment: {initial: -30}
  reach: {initial: 900}
  escalation: {initial: 25}
end:
  max_turns: 3
  resolved:
    - {metric: sentiment, at_least: 20}
    - {metric: mood, persona: lea, at_least: calm}
  out_of_control:
    - {metric: escalation, at_least: 90}
# Criteria weights add up to 1.0; practices are knowledge-base card ids.
rubric:
  - id: acknowledge
    title: {fr: "Reconnaître la gêne", en: "Acknowledge the trouble"}
    description:
      fr: "Nommer ce que le retard lui coûte et s'excuser sans condition."
      en: "Name what the delay costs her and apologise without conditions."
    weight: 0.5
    practices: [empathy-acknowledge-impact, sincere-apology]
    rewards: [apology, empathy]
    penalises: [blame, sarcasm]
  - id: next-step
    title: {fr: "Dire la suite", en: "Say what comes next"}
    description:
      fr: "Une action précise, qui la fait et quand, le dossier en message privé."
      en: "A precise action, who does it and when, the case in a private message."
    weight: 0.5
    practices: [concrete-next-step, move-to-private, never-ask-personal-data-public]
    rewards: [next_step, private_channel]
    penalises: [personal_data_public, over_promise]
model_answers:
  - turn: 1
    text:
      fr: >-
        Léa, une semaine d'attente avec un anniversaire samedi : on comprend votre agacement
        et on est désolés. On retrouve votre colis auprès du transporteur et on vous écrit
        en message privé d'ici 17 h. – Camille
      en: >-
        Léa, a week's wait with a birthday on Saturday: we understand your frustration and
        we're sorry. We're tracking your parcel with the carrier and will message you
        privately by 5pm. – Camille
    why:
      fr: "Elle nomme la gêne, s'excuse, donne une action et une heure, passe en privé."
      en: "It names the trouble, apologises, gives an action and a time, moves to private."
  - turn: 2
    text:
      fr: >-
        Léa, votre colis est au dépôt : livraison vendredi avant 13 h, le numéro de suivi
        est dans votre messagerie. – Camille
      en: >-
        Léa, your parcel is at the depot: delivery on Friday before 1pm, the tracking number
        is in your inbox. – Camille
    why: {fr: "Elle revient comme promis, avec un fait précis.", en: "It comes back as promised."}
# What a strong reply does (expectations) and must not do (pitfalls) when `when` holds.
situations:
  - id: every-turn
    calls_for:
      fr: "Garder le dossier en privé, sans demander ses données en public."
      en: "Keep the case private, without asking for her details in public."
    pitfalls:
      - id: data-in-public
        criterion: next-step
        practices: [never-ask-personal-data-public]
        severity: harmful
        cues: [personal_data_public]
        text:
          fr: "Demander en public son adresse ou son numéro de commande"
          en: "Asking in public for her address or order number"
        examples:
          - {fr: "Donnez-nous votre numéro de commande ici", en: "Give us your order number here"}
          - {fr: "Quelle est votre adresse exacte ?", en: "What is your exact address?"}
  - id: first-answer
    when: {turns: [1]}
    calls_for:
      fr: "Reconnaître le retard et ce qu'il lui coûte, puis dire la suite."
      en: "Acknowledge the delay and what it costs her, then say what comes next."
    expectations:
      - id: name-the-impact
        criterion: acknowledge
        practices: [empathy-acknowledge-impact]
        cues: [empathy]
        text:
          fr: "Nommer la gêne : une semaine d'attente, un cadeau pour samedi"
          en: "Name the trouble: a week's wait, a present for Saturday"
        examples:
          - fr: "Une semaine d'attente pour un cadeau, on comprend votre agacement"
            en: "A week's wait for a present, we understand your frustration"
          - fr: "Avec l'anniversaire samedi, c'est vraiment pénible"
            en: "With the birthday on Saturday, that's really stressful"
      - id: give-a-time
        criterion: next-step
        practices: [concrete-next-step]
        cues: [next_step]
        text:
          fr: "Dire ce qui est fait et quand elle aura des nouvelles"
          en: "Say what is being done and when she will hear back"
        examples:
          - fr: "On contacte le transporteur et on vous écrit d'ici 17 h"
            en: "We're contacting the carrier and will write to you by 5pm"
          - fr: "Je vous envoie un message privé avec le suivi avant ce soir"
            en: "I'll send you a private message with the tracking before tonight"
"""


class ScenarioLibraryError(InputError):
    """A save or a publication refused as asked; the message names the field."""


class NotYourScenario(Forbidden):
    """A trainer reaching a scenario another trainer wrote."""


class UnknownScenarioVersion(UnknownScenario):
    """No such stored scenario, or no such version of it (or none published yet)."""

    def __init__(self, scenario_id: str, version: int | None, message: str) -> None:
        super().__init__(scenario_id, [], version, message)


class ScenarioVersion(Frozen):
    scenario_id: str
    version: int
    author_id: int
    author: str  # the author's e-mail
    status: str  # one of STATUSES
    languages: list[str]
    title: dict[str, str]
    created_at: datetime
    yaml: str

    @property
    def published(self) -> bool:
        return self.status == "published"


def _version(row: ScenarioVersionRow, author: str) -> ScenarioVersion:
    return ScenarioVersion(
        scenario_id=row.scenario_id,
        version=row.version,
        author_id=row.author_id,
        author=author,
        status=row.status,
        languages=list(row.languages),
        title={str(k): str(v) for k, v in row.title.items()},
        created_at=aware(row.created_at),
        yaml=row.yaml,
    )


def _with_author() -> Any:
    return select(ScenarioVersionRow, EmployerRow.email).join(
        EmployerRow, EmployerRow.id == ScenarioVersionRow.author_id
    )


def _require_trainer(trainer: Employer) -> None:
    if trainer.role != "trainer":
        raise ScenarioLibraryError(f"trainer: {trainer.email} is not a trainer account")


def _file_problem(scenario_id: str) -> str | None:
    """Why a stored scenario may not take this id: a scenario file already has it."""
    path = scenario_path(scenario_id)
    if path is None:
        return None
    if path.parent.resolve() == shipped_scenarios_dir().resolve():
        return f"id: {scenario_id} is a shipped scenario; give your copy its own id"
    return f"id: {scenario_id} is a scenario file ({path}); give your copy its own id"


def _owner(orm: OrmSession, scenario_id: str) -> int | None:
    """The trainer who wrote the first version: the only one who may save or publish it."""
    return orm.scalar(
        select(ScenarioVersionRow.author_id)
        .where(ScenarioVersionRow.scenario_id == scenario_id)
        .order_by(ScenarioVersionRow.version)
        .limit(1)
    )


def _latest(
    orm: OrmSession, scenario_id: str, published: bool = False
) -> ScenarioVersionRow | None:
    query = select(ScenarioVersionRow).where(ScenarioVersionRow.scenario_id == scenario_id)
    if published:
        query = query.where(ScenarioVersionRow.status == "published")
    return orm.scalar(query.order_by(ScenarioVersionRow.version.desc()).limit(1))


def _exact(orm: OrmSession, scenario_id: str, version: int) -> ScenarioVersionRow | None:
    return orm.scalar(
        select(ScenarioVersionRow).where(
            ScenarioVersionRow.scenario_id == scenario_id, ScenarioVersionRow.version == version
        )
    )


def check_scenario_text(yaml_text: str, name: str | None = None) -> Scenario:
    """A scenario as typed, checked like a file (same limits, same located problems, named
    `name`, by default after its id: `my-scenario.yaml`) and cleared to enter the library:
    ContentError or ScenarioLibraryError otherwise."""
    if name is None:
        found = _ID.search(yaml_text)
        name = f"{found.group(1) if found else 'scenario'}.yaml"
    scenario = load_scenario_text(yaml_text, name, practice_ids=practice_ids())
    problem = _file_problem(scenario.id)
    if problem is not None:
        raise ScenarioLibraryError(problem)
    return scenario


def save_scenario(
    store: Store, trainer: Employer, yaml_text: str, *, name: str | None = None
) -> ScenarioVersion:
    """Save the text as the next version (a draft) of the scenario whose id it holds.

    Refused, with nothing stored: a text with any problem (ContentError, each problem
    `NAME:LINE: field: message`), the id of a scenario file, a scenario another trainer wrote
    (NotYourScenario), a staff account that is not a trainer's. The same text as the latest
    version saves nothing and returns that version (a double click, a rerun)."""
    _require_trainer(trainer)
    scenario = check_scenario_text(yaml_text, name)
    title = {lang: scenario.title.get(lang) for lang in LANGS}
    for attempt in range(SAVE_ATTEMPTS):
        if attempt:
            # Another save took the version number first: count again, a moment later.
            time.sleep(random.uniform(0, 0.01 * attempt))
        with store.session() as orm:
            owner = _owner(orm, scenario.id)
            if owner is not None and owner != trainer.id:
                raise NotYourScenario(
                    f"id: {scenario.id} is another trainer's scenario; give yours its own id"
                )
            last = _latest(orm, scenario.id)
            if last is not None and last.yaml == yaml_text:
                return _version(last, trainer.email)
            row = ScenarioVersionRow(
                scenario_id=scenario.id,
                version=(last.version if last is not None else 0) + 1,
                author_id=trainer.id,
                yaml=yaml_text,
                status="draft",
                languages=list(scenario.languages),
                title=title,
                created_at=utcnow(),
            )
            orm.add(row)
            try:
                orm.commit()
            except IntegrityError:
                orm.rollback()
                continue
            return _version(row, trainer.email)
    raise StoreError(f"{scenario.id}: too many saves at once; try again")


def publish_targets(
    store: Store, trainer: Employer, scenario: Scenario, cohort_ids: list[str]
) -> list[Cohort]:
    """The trainer's cohorts a scenario may be assigned to, checked before anything changes:
    UnknownCohort, NotYourCohort, or ScenarioLibraryError for a cohort whose language the
    scenario is not written in."""
    cohorts = [trainer_cohort(store, cohort_id, trainer) for cohort_id in dict.fromkeys(cohort_ids)]
    for cohort in cohorts:
        if cohort.lang not in scenario.languages:
            raise ScenarioLibraryError(
                f"cohorts: {cohort.name} ({cohort.id}) plays in {cohort.lang}; {scenario.id} "
                f"is written in {', '.join(scenario.languages)} only"
            )
    return cohorts


def publish_scenario(
    store: Store, trainer: Employer, scenario_id: str, version: int, cohort_ids: list[str]
) -> ScenarioVersion:
    """Publish a version of the trainer's own scenario and assign it to the cohorts given
    (none: published, assigned nowhere; a cohort that has it already keeps its assignment).
    Students then get this version, or a later published one; drafts stay the author's."""
    _require_trainer(trainer)
    with store.session() as orm:
        owner = _owner(orm, scenario_id)
        row = _exact(orm, scenario_id, version) if owner is not None else None
    if owner is not None and owner != trainer.id:
        raise NotYourScenario(f"{scenario_id} is another trainer's scenario")
    if row is None:
        raise UnknownScenarioVersion(
            scenario_id, version, f"no version {version} of a stored scenario {scenario_id!r}"
        )
    cohorts = publish_targets(store, trainer, _parsed(scenario_id, version, row.yaml), cohort_ids)
    with store.session() as orm:
        stored = _exact(orm, scenario_id, version)
        assert stored is not None  # versions are never deleted
        stored.status = "published"
        for cohort in cohorts:
            if scenario_id in cohort.scenarios:
                continue
            position = orm.scalar(
                select(func.max(AssignmentRow.position)).where(AssignmentRow.cohort_id == cohort.id)
            )
            orm.add(
                AssignmentRow(
                    cohort_id=cohort.id,
                    position=(position if position is not None else -1) + 1,
                    scenario_id=scenario_id,
                    due_at=None,
                )
            )
        try:
            orm.commit()
        except IntegrityError:
            # The same assignment added at the same moment elsewhere: theirs stands.
            orm.rollback()
            stored = _exact(orm, scenario_id, version)
            assert stored is not None
            stored.status = "published"
            orm.commit()
        email = orm.scalar(select(EmployerRow.email).where(EmployerRow.id == stored.author_id))
        return _version(stored, email or "")


def library(store: Store, trainer: Employer | None = None) -> list[ScenarioVersion]:
    """The latest version of each stored scenario (of that trainer's, when given), by id."""
    latest = (
        select(ScenarioVersionRow.scenario_id, func.max(ScenarioVersionRow.version).label("last"))
        .group_by(ScenarioVersionRow.scenario_id)
        .subquery()
    )
    query = _with_author().join(
        latest,
        and_(
            ScenarioVersionRow.scenario_id == latest.c.scenario_id,
            ScenarioVersionRow.version == latest.c.last,
        ),
    )
    if trainer is not None:
        query = query.where(ScenarioVersionRow.author_id == trainer.id)
    with store.session() as orm:
        rows = orm.execute(query.order_by(ScenarioVersionRow.scenario_id)).all()
        return [_version(row, email) for row, email in rows]


def scenario_versions(store: Store, scenario_id: str) -> list[ScenarioVersion]:
    """Every version of a stored scenario, oldest first (empty for an unknown id)."""
    query = _with_author().where(ScenarioVersionRow.scenario_id == scenario_id)
    with store.session() as orm:
        rows = orm.execute(query.order_by(ScenarioVersionRow.version)).all()
        return [_version(row, email) for row, email in rows]


@lru_cache(maxsize=64)
def _parsed(scenario_id: str, version: int, yaml_text: str) -> Scenario:
    """A stored version parsed once: versions never change. Practice ids were checked when
    it was saved; a card retired since does not stop a session from replaying."""
    return load_scenario_text(yaml_text, f"{scenario_id}.yaml", scenario_id=scenario_id)


def stored_scenario(store: Store, scenario_id: str, version: int | None = None) -> Scenario:
    """A stored scenario: its latest published version, or exactly `version` (a draft too:
    only by explicit version)."""
    with store.session() as orm:
        row = (
            _latest(orm, scenario_id, published=True)
            if version is None
            else _exact(orm, scenario_id, version)
        )
    if row is None:
        message = (
            f"no published version of a stored scenario {scenario_id!r}"
            if version is None
            else f"no version {version} of a stored scenario {scenario_id!r}"
        )
        raise UnknownScenarioVersion(scenario_id, version, message)
    return _parsed(row.scenario_id, row.version, row.yaml)


def published_version(store: Store, scenario_id: str) -> int | None:
    """The version students get of a stored scenario; None when none is published (or
    the id is a scenario file's)."""
    if scenario_path(scenario_id) is not None:
        return None
    with store.session() as orm:
        version: int | None = orm.scalar(
            select(func.max(ScenarioVersionRow.version)).where(
                ScenarioVersionRow.scenario_id == scenario_id,
                ScenarioVersionRow.status == "published",
            )
        )
    return version


def scenario_yaml(scenario_id: str, store: Store | None = None, version: int | None = None) -> str:
    """The YAML text of any scenario, to copy as a starting point or to export: a file's
    text, else a stored version's (the latest saved when `version` is None)."""
    if version is None:
        path = scenario_path(scenario_id)
        if path is not None:
            return path.read_text(encoding="utf-8")
    row = None
    if store is not None:
        with store.session() as orm:
            row = (
                _latest(orm, scenario_id) if version is None else _exact(orm, scenario_id, version)
            )
    if row is None:
        which = f"version {version} of " if version is not None else ""
        raise UnknownScenarioVersion(
            scenario_id, version, f"no {which}scenario {scenario_id!r}, in files or stored"
        )
    return row.yaml


class StoredScenarios:
    """The library as content's scenario source: published versions by id, any version when
    asked by number. It holds its store weakly, so a store nobody uses any more is neither
    kept open nor asked."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)

    def load(self, scenario_id: str, version: int | None = None) -> Scenario | None:
        store = self._store()
        if store is None:
            return None
        try:
            return stored_scenario(store, scenario_id, version)
        except UnknownScenarioVersion:
            return None
