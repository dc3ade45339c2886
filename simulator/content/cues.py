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
        r"\b(garanti|garantie|garantis|plus jamais|jamais plus|100 ?%|rembourse integralement"
        r"|remboursement integral|gratuit (a vie|pendant un an)|je vous promets|je te promets"
        r"|nous promettons|on vous promet|ca ne se reproduira)\b",
    ],
    "personal_data_public": [
        r"\b(your|ur) (phone( number)?|address|account number|customer number|password"
        r"|date of birth|email|card number|iban|contract number)\b",
        r"\b(votre|ton|ta|vos|tes) (numero|adresse|mot de passe|date de naissance|mail|e-mail"
        r"|email|carte|iban|identifiant|reference client|numero client)\b",
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


def detect_features(text: str) -> set[str]:
    """The features a reply shows; pure cue matching, no model."""
    folded = fold(text)
    found = {
        feature
        for feature, patterns in _COMPILED.items()
        if any(p.search(folded) for p in patterns)
    }
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
    "shouting": "calm-tone-under-pressure",
}
