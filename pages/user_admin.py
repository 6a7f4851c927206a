"""Admin: users, roles and passwords (admins only)."""

from __future__ import annotations

import streamlit as st

from components import auth, ui
from components import page
from components.i18n import tr
from data import users

ctx = page.context()  # only through app.py (signed in)
me, k = ctx.user, page.kit(ctx.url_path)
st.title(tr("nav.admin"))
auth.require_page("admin")

rows = users.list_users()
st.dataframe(
    [{tr("login.username"): u["username"], k.t("display_name"): u["name"], k.t("role"): tr(f"role.{u['role']}")}
     for u in rows],
    hide_index=True, width="stretch",
)

c1, c2 = st.columns(2)
with c1.form("add_user", clear_on_submit=True):
    st.subheader(k.t("add_user"))
    username = st.text_input(tr("login.username"), help=k.t("username_rule"))
    name = st.text_input(k.t("display_name"))
    role = st.selectbox(k.t("role"), users.ROLES, format_func=lambda r: tr(f"role.{r}"))
    password = st.text_input(tr("login.password"), type="password", help=k.t("password_rules"))
    if st.form_submit_button(k.t("add")):
        try:
            users.add_user(username.strip(), role=role, password=password, name=name.strip() or None)
            st.success(k.say("added", username=username.strip()))
        except users.UserError as exc:
            st.error(auth.user_error(exc))

renew = False
with c2.form("change_user", clear_on_submit=True):
    st.subheader(k.t("change_user"))
    target = st.selectbox(tr("login.username"), [u["username"] for u in rows])
    new_role = st.selectbox(k.t("role"), ("",) + users.ROLES,
                            format_func=lambda r: k.t("keep_role") if r == "" else tr(f"role.{r}"))
    new_password = st.text_input(k.t("new_password"), type="password", help=k.t("password_rules"))
    remove = st.checkbox(k.t("remove"))
    if st.form_submit_button(k.t("apply")):
        try:
            if remove:
                users.remove_user(target)
            else:
                if new_password:  # checked first: a refused password changes nothing
                    users.validate_password(new_password, target)
                if new_role:
                    users.set_role(target, new_role)  # ends the user's sessions
                if new_password:
                    users.set_password(target, new_password)  # ends the user's sessions
            st.success(k.say("applied", username=target))
            renew = target == me["username"] and not remove and bool(new_role or new_password)
        except users.UserError as exc:
            st.error(auth.user_error(exc))
if renew:  # the change ended all of this admin's sessions: this browser stays signed in, the others do not
    auth.renew_session()
    st.info(k.t("session_renewed"))
