"""Knowledge base: search and browse the practice cards and articles in the session's language."""

from __future__ import annotations

import streamlit as st

from app_pages.common import current_lang, knowledge_base, safe_text
from simulator.content import Lang, t
from simulator.knowledge import Card

lang = current_lang()
st.title(t(lang, "app.kb_title"))
kb = knowledge_base()
if kb is None:
    st.stop()


def show_card(card: Card, lang: Lang) -> None:
    with st.expander(f"{card.title.get(lang)} · `{card.id}`"):
        st.markdown(f"**{t(lang, 'app.kb_principle')}**")
        safe_text(card.principle.get(lang))
        st.markdown(f"**{t(lang, 'app.kb_why')}**")
        safe_text(card.why.get(lang))
        st.markdown(f"**{t(lang, 'app.kb_when')}**")
        safe_text(card.when.get(lang))
        left, right = st.columns(2)
        with left:
            st.markdown(f"**✅ {t(lang, 'app.kb_do')}**")
            for example in card.do:
                safe_text(example.get(lang))
        with right:
            st.markdown(f"**❌ {t(lang, 'app.kb_dont')}**")
            for example in card.dont:
                safe_text(example.get(lang))


query = st.text_input(t(lang, "app.kb_search"))
if query.strip():
    hits = kb.search(query, lang, k=8)
    if not hits:
        st.info(t(lang, "app.kb_no_results"))
    for hit in hits:
        if hit.kind == "card":
            show_card(kb.content.card(hit.card_ids[0]), lang)
        else:
            with st.container(border=True):
                st.markdown(f"**{hit.title}**")
                safe_text(hit.passage)
                st.caption(t(lang, "app.kb_article_cards", ids=", ".join(hit.card_ids)))
else:
    cards_tab, articles_tab = st.tabs([t(lang, "app.kb_cards"), t(lang, "app.kb_articles")])
    with cards_tab:
        for card in sorted(kb.content.cards, key=lambda c: (c.theme, c.title.get(lang))):
            show_card(card, lang)
    with articles_tab:
        for article in [a for a in kb.content.articles if a.lang == lang]:
            with st.expander(article.meta.title):
                st.markdown(article.body)
                st.caption(t(lang, "app.kb_article_cards", ids=", ".join(article.meta.cards)))
