"""Staff sign-in, shared by the employer and trainer pages: a password form, or OIDC through
st.login where `[auth]` is configured. A signed-in account is kept in the session state."""

from __future__ import annotations

import streamlit as st

from app_pages.common import current_lang, store
from simulator.content import t
from simulator.store import Employer, staff_by_email, verify_staff


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file: no OIDC
        return False


def _signed_in(role: str) -> Employer | None:
    known = st.session_state.get(role)
    if known:
        return Employer.model_validate(known)
    if sso_configured() and st.user.is_logged_in and st.user.get("email"):
        found = staff_by_email(store(), str(st.user.get("email")), role)
        if found is None:
            st.error(t_role(role, "sso_unknown"))
        return found
    return None


def t_role(role: str, key: str) -> str:
    """The text of `key` for this role's page (employer.* or trainer.*)."""
    return t(current_lang(), f"{role}.{key}")


def staff_member(role: str) -> Employer:
    """The signed-in account of `role`; otherwise the sign-in form, and the page stops."""
    lang = current_lang()
    found = _signed_in(role)
    if found is None:
        with st.form(f"sign-in-{role}"):
            email = st.text_input(t(lang, "employer.email"))
            password = st.text_input(t(lang, "employer.password"), type="password")
            go = st.form_submit_button(t(lang, "employer.sign_in"), type="primary")
        if go:
            verified = verify_staff(store(), email, password, role)
            if verified is None:
                st.error(t(lang, "employer.bad_login"))
            else:
                st.session_state[role] = verified.model_dump()
                st.rerun()
        if sso_configured():
            st.button(t(lang, "employer.sso"), on_click=st.login)
        st.caption(t_role(role, "how_to_account"))
        st.stop()
    st.caption(t(lang, "employer.signed_in", email=found.email))
    if st.button(t(lang, "employer.sign_out"), key=f"sign-out-{role}"):
        st.session_state.pop(role, None)
        if sso_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()
    return found
