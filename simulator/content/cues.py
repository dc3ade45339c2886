"""Reply features and the textual cues that reveal them, in French and English.

Patterns are matched on a folded form of the reply (lower case, accents removed, straight
apostrophes), so authors write them without accents. Both languages' cues apply to every
reply: trainees mix languages, and a missed cue costs more than a cross-language match.
"""

from __future__ import annotations

import re

from simulator.content.text import fold

FEATURE_CUES: dict[str, list[str]] = {
    "apology": [
        r"\b(sorry|apologi[sz]e|apologies|our apologies|we regret)\b",
        r"\b(desole|desolee|desoles|excuse[sz]?[- ]nous|nos excuses|toutes nos excuses"
        r"|pardon|navre|navree|navres|nous regrettons|je regrette)\b",
    ],
    "empathy": [
        r"\b(i understand|we understand|understandabl[ye]|i can imagine|we can imagine"
        r"|must be (so )?(frustrating|annoying|hard|stressful|difficult)|that's frustrating"
        r"|how frustrating|you're right to|completely fair|i hear you|we hear you)\b",
        r"\b(je comprends|nous comprenons|on comprend|je comprend|c'est (tres |vraiment )?"
        r"(frustrant|penible|genant|inacceptable|normal)|j'imagine|on imagine|nous imaginons"
        r"|vous avez raison|tu as raison|legitime)\b",
    ],
    "next_step": [
        r"\b(i('m| am) (checking|looking into|escalating|opening)|we('re| are) (checking"
        r"|investigating|sending|escalating|looking into)|we will|we'll|i will|i'll"
        r"|a technician|within \d+|by (today|tonight|tomorrow|\d)|today|this (morning|afternoon"
        r"|evening)|next update|update you|keep you posted|ticket|case number)\b",
        r"\b(je (verifie|regarde|m'en occupe|transmets|reviens|lance|relance|fais le point)"
        r"|nous (allons|verifions|enquetons|revenons|envoyons|transmettons)|on (va|verifie"
        r"|revient|regarde|s'en occupe)|je vais|un technicien|d'ici|aujourd'hui|ce (soir|matin"
        r"|midi)|demain|prochain point|point d'etape|je vous tiens|nous vous tiendrons"
        r"|on vous tient|on te tient|je te tiens|dans l'heure|sous \d+)\b",
    ],
    "private_channel": [
        r"\b(dm|direct message|private message|message (us|me) privately|inbox|in private"
        r"|privately)\b",
        r"\b(mp|message prive|messages prives|en prive|par message|boite de reception"
        r"|messagerie)\b",
    ],
    "transparency": [
        r"\b(we don't (yet )?know|we do not (yet )?know|not yet (known|clear)|investigating"
        r"|we('re| are) checking the facts|as soon as we know|what we know|the facts|honestly"
        r"|to be transparent|a (real )?human|a real person|i'm a person|not a bot|no bot|no robot"
        r"|automatic (reply|message)|auto-reply)\b",
        r"\b(nous ne savons pas encore|on ne sait pas encore|nous n'avons pas encore|enquete"
        r"|les faits|des que nous en saurons|des qu'on en sait|ce que nous savons|en toute"
        r"transparence|en toute transparence|honnetement|pas un (robot|bot)|une vraie personne"
        r"|un humain|une humaine|des humains|pas de (robot|bot)|message automatique"
        r"|reponse automatique)\b",
    ],
    # Case-sensitive: a signature is a capitalised first name or a team name at the end.
    "signature": [
        r"(^|\s)[-\u2014\u2013~^]\s?[A-Z][a-z]+\s*$",
        r"(?i:\b(the [\w']+ team|l'equipe [\w']+|l'equipe))\s*[.!]?\s*$",
        r"(?i:\b(i'm|i am|je suis|moi c'est|c'est moi|ici))\s+[A-Z][a-z]+\b",
    ],
    "blame": [
        r"\b(your fault|you should have|you didn't|you did not|you must have|user error"
        r"|read the (terms|manual|faq)|as clearly stated|you failed to|must be (with )?your"
        r"|(problem|issue|fault)s? (is|are|must be|lies) (with|on) your|on your (side|end)"
        r"|your (own )?(equipment|wiring|router|setup|installation)|customers' own"
        r"|customer(s)?'? (own )?equipment|have you (tried|checked|restarted|plugged)"
        r"|did you (try|check|restart|plug)|instead of (ranting|complaining|shouting))\b",
        r"\b(votre faute|ta faute|vous auriez du|tu aurais du|vous n'avez pas|tu n'as pas"
        r"|vous avez mal|lisez (les cgv|la faq|le manuel)|comme indique clairement"
        r"|(vient|viennent|provient) de (votre|ton|ta|chez vous)|de votre cote|mal branche"
        r"|equipements? (clients?|defectueux)|votre (equipement|materiel|installation|box)"
        r" (est|doit|semble)|avez-vous (bien )?(verifie|redemarre|branche|essaye)"
        r"|as-tu (bien )?(verifie|redemarre|branche)|au lieu de (raler|crier|vous plaindre))\b",
    ],
    "leak": [
        # Case numbers, phone numbers, home details, off-the-record talk, a CM's whereabouts.
        r"\b[A-Z]{2,4}-?\d{5,}\b",
        r"(?<!\d)(\+33 ?|0)[1-9]([ .]?\d\d){4}(?!\d)",
        r"(?i:\b(off the record|between us|between you and me|en off|entre nous|i live (in|on"
        r"|near|at|right)|j'habite|my (personal|private) (insta|instagram|account|number|phone)"
        r"|mon (insta|compte|numero) perso|i finish at|je finis a|she lives|il habite|elle habite"
        r"|lives (right )?(by|near|on|in)|our supplier|notre fournisseur)\b)",
    ],
    "sarcasm": [
        r"\b(lol|lmao|mdr|ptdr|obviously|clearly you|good luck with that|nice try|bravo a vous"
        r"|bien sur que non|comme par hasard|quelle surprise|sans blague|jokes aside"
        r"|at least you|sounds lovely|plus serieusement|blague a part|au moins vous|au moins tu"
        r"|pour le moins surprenant|if you're such|si t'es si|si vous etes si)\b",
        r"(\U0001f602|\U0001f923|\U0001f644|\U0001f612|\U0001f60f|\U0001f643|\U0001f921)",
    ],
    "over_promise": [
        r"\b(guarantee|guaranteed|never (happen )?again|100 ?%|immediately fixed|right now fixed"
        r"|full refund|free for (a year|life)|i promise|we promise|this will never)\b",
        r"\b(garanti|garantie|garantis|garantissons|garantit|vous garantis|plus jamais|jamais plus"
        r"|100 ?%|rembourse integralement"
        r"|remboursement integral|gratuit (a vie|pendant un an)|je vous promets|je te promets"
        r"|nous promettons|on vous promet|ca ne se reproduira)\b",
        # A time for what nobody controls yet ("all connections will be restored by 8pm").
        r"\b(will|'ll) (all |every \w+ )?(be )?(fully |completely |all |definitely )?(back|restored"
        r"|fixed|resolved|repaired|working( again)?|up and running|sorted)\b.{0,40}\b(by|before|at"
        r"|tonight|today|tomorrow|this (evening|afternoon|morning)|within)\b",
        r"\b(sera|seront|sera entierement|seront toutes|sera bien|seront bien) (toutes )?"
        r"(retablie?s?|reparee?s?|reglee?s?|resolue?s?|de retour|revenue?s?|fonctionnel(le)?s?"
        r"|remis en service)\b.{0,40}\b(ce soir|demain|aujourd'hui|avant|d'ici|a \d"
        r"|au plus tard|dans l'heure)",
        # Certainty nobody can give yet.
        r"\b(rest assured|be assured|we can confirm that every|i can confirm that every|no risk"
        r"|zero risk|completely safe|perfectly safe|entirely safe|under control|it's guaranteed"
        r"|without fail)\b",
        r"\b(soyez (assure|assuree|assures|certain)s?|nous nous y engageons|je m'y engage"
        r"|(strictement |absolument )?aucun risque|sans (aucun )?risque|sous controle|c'est garanti"
        r"|sans faute|vous pouvez compter sur nous)\b",
    ],
    "personal_data_public": [
        r"\b(your|ur) (phone( number)?|address|account number|customer number|password"
        r"|date of birth|email|card number|iban|contract number)\b",
        r"\b(votre|ton|ta|vos|tes) (numero|adresse|mot de passe|date de naissance|mail|e-mail"
        r"|email|carte|iban|identifiant|reference client|numero client)\b",
        # Asked for here, in the thread: "indiquez-nous en réponse l'adresse mail de...".
        r"\b(adresse|numero|mail|e-mail|nom complet|telephone|identifiant|date de naissance)"
        r"( mail| de telephone| de commande| d'adherent| client)? (de|du) (votre|ton|vos|tes)\b",
        r"\b(your|ur) (full name|mobile|membership number|member number|order number|booking"
        r" reference|account email|home address|postcode|zip code)\b",
    ],
    # Guessing aloud before the facts are in: half-confirming what is not established.
    "speculation": [
        r"\b(it'?s (quite |very |entirely |perfectly )?possible (that)?|it may well be|(we )?can'?t"
        r" rule (it|that|this) out|cannot (be )?rule[d]? out|we don'?t rule out|not far from the"
        r" truth|most likely|more (reactions|cases|complaints) than (we )?expected)\b",
        r"\b(il est (tout a fait |bien |tres |fort )?possible que|il se peut (bien )?que|ce n'est"
        r" pas exclu|on ne (l'|le )?(exclut|exclue) pas|on ne peut pas (l')?exclure|pas si"
        r" (eloignee?|loin) de la realite|vraisemblablement|plus de (reactions|cas|plaintes)"
        r" que prevu)\b",
    ],
    "denial": [
        r"\b(fake|not true|that's false|impossible|never happened|this is a lie|we deny"
        r"|nothing to do with us|not our fault|not our problem|no outage|no (known |reported )?"
        r"(incident|fault|problem|issue)s? (in|on|with|reported)|(everything|all) (is )?working"
        r"( normally| fine)?|nothing wrong on our|isolated case|staged|looks staged)\b",
        r"\b(c'est faux|faux|fake|impossible|mensonge|n'a jamais|nous dementons|rien a voir"
        r"|pas notre faute|pas notre probleme|montage|aucune panne|aucun (incident|probleme"
        r"|dysfonctionnement)|tout fonctionne|cas isole|mise en scene)\b",
    ],
}

_COMPILED = {
    feature: [re.compile(p, 0 if feature == "signature" else re.IGNORECASE) for p in patterns]
    for feature, patterns in FEATURE_CUES.items()
}


def _shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper / len(letters) > 0.6 or text.count("!") >= 4


# A fault said in the negative is no fault: "we can't guarantee a time" promises nothing,
# "it's not your fault" blames no one, "don't post your number here" asks for no data.
NEGATABLE = frozenset({"over_promise", "blame", "personal_data_public"})
_NEGATION = re.compile(
    r"\b(ne|n'|pas|jamais|aucune?|sans|plutot que|not|no|never|cannot|can't|cant|won't|wont"
    r"|don't|dont|didn't|doesn't|isn't|aren't|unable|impossible|without|rather than|nor)\b"
    r"|n'\w+",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?;:\n]|\b(but|mais|however|cependant|pourtant)\b", re.IGNORECASE)
NEGATION_WINDOW = 40


def negated(folded: str, start: int) -> bool:
    """Whether a negation governs the words at `start`: one stands in the same clause,
    within a few words before them."""
    before = folded[max(0, start - NEGATION_WINDOW) : start]
    clause = _CLAUSE_END.split(before)[-1] if _CLAUSE_END.search(before) else before
    return bool(_NEGATION.search(clause))


def is_negated(text: str) -> bool:
    """Whether a sentence says something in the negative (for comparing meanings)."""
    return bool(_NEGATION.search(fold(text)))


def _shows(feature: str, folded: str) -> bool:
    for pattern in _COMPILED[feature]:
        for match in pattern.finditer(folded):
            # A phrase negative in form ("plus jamais", "never again") is the promise itself.
            negative_form = bool(_NEGATION.search(match.group(0)))
            if feature not in NEGATABLE or negative_form or not negated(folded, match.start()):
                return True
    return False


# Words that open a closing line but are no name ("Bonne journée", "Merci Julie").
_NOT_NAMES = frozenset(
    """merci bonne bon belle bravo courage bienvenue bonjour bonsoir salut coucou hello hi hey
    thanks thank have see best good welcome cheers take dear a au aux la le les l on nous vous
    je we you our the this that et and ps cordialement regards sincerely amicalement
    hate vivement encore""".split()
)
_CLOSINGS = re.compile(
    r"^(cordialement|bien a vous|bien a toi|amicalement|a bientot|best|best regards|regards"
    r"|kind regards|cheers|thanks|merci)[,!.]?\s+",
    re.IGNORECASE,
)
_NAME = r"[A-Z][a-z\u00e0-\u00ff]+(?:[-'][A-Z]?[a-z\u00e0-\u00ff]+)?"
_SIGN_OFF = re.compile(
    rf"^[-\u2014\u2013~]?\s*({_NAME})(\s+{_NAME})?"
    r"(\s*,\s*[\w' \u00e0-\u00ff-]{2,40}|\s+(de|du|from|at|pour|for)\s+[\w' \u00e0-\u00ff-]{2,40})?"
    r"\s*\.?$"
)


def signs_off(text: str) -> bool:
    """A real sign-off on the last line or after the last sentence: "Sam", "— Camille,
    service communication", "Léa de l'atelier", "Cordialement, Julie"."""
    folded = fold(text).rstrip()
    lines = [ln.strip() for ln in folded.splitlines() if ln.strip()]
    if not lines:
        return False
    tail = lines[-1]
    # On one line, the sign-off is what follows the last sentence ("... à 14h. Sam").
    parts = re.split(r"(?<=[.!?\u2026])\s+|\s+(?=[-\u2014\u2013~]\s*[A-Z])", tail)
    tail = _CLOSINGS.sub("", parts[-1].strip())
    if not 0 < len(tail.split()) <= 6:
        return False
    match = _SIGN_OFF.match(tail)
    if match is None:
        return False
    return match.group(1).lower() not in _NOT_NAMES


def detect_features(text: str) -> set[str]:
    """The features a reply shows; pure cue matching, no model."""
    folded = fold(text)
    found = {feature for feature in _COMPILED if _shows(feature, folded)}
    if signs_off(text):
        found.add("signature")
    if "personal_data_public" in found and "private_channel" in found:
        # Asking for details *through a private channel* is the good practice, not the fault.
        found.discard("personal_data_public")
    if _shouting(text):
        found.add("shouting")
    if len(re.findall(r"\w+", text)) < 8:
        found.add("too_short")
    return found


# The practice each feature shows or breaks: lets a reply's cues point at the cards that
# judge it (used as a third ranking in hybrid retrieval).
FEATURE_PRACTICES: dict[str, str] = {
    "leak": "gdpr-personal-data",
    "apology": "sincere-apology",
    "empathy": "empathy-acknowledge-impact",
    "next_step": "concrete-next-step",
    "private_channel": "move-to-private",
    "transparency": "be-transparent",
    "signature": "signature-first-name",
    "blame": "no-blame-customer",
    "sarcasm": "calm-tone-under-pressure",
    "over_promise": "no-over-promise",
    "personal_data_public": "never-ask-personal-data-public",
    "denial": "facts-before-conclusions",
    "speculation": "facts-before-conclusions",
    "shouting": "calm-tone-under-pressure",
}
