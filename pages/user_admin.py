"""Admin: users, roles and passwords (admins only)."""

from __future__ import annotations

import streamlit as st

from components import auth
from components.i18n import tr
from components.page import context
from data import users

context()  # only through app.py (signed in)
st.title(tr("nav.admin"))
auth.require_page("admin")

rows = users.list_users()
st.dataframe(
    [{"username": u["username"], "name": u["name"], "role": tr(f"role.{u['role']}")} for u in rows],
    hide_index=True, width="stretch",
)

c1, c2 = st.columns(2)
with c1.form("add_user", clear_on_submit=True):
    st.subheader(tr("admin.add_user"))
    username = st.text_input(tr("login.username"))
    name = st.text_input(tr("admin.display_name"))
    role = st.selectbox(tr("admin.role"), users.ROLES, format_func=lambda r: tr(f"role.{r}"))
    password = st.text_input(tr("login.password"), type="password", help=tr("admin.password_rule"))
    if st.form_submit_button(tr("admin.add")):
        try:
            users.add_user(username.strip(), role=role, password=password, name=name.strip() or None)
            st.success(tr("admin.added", username=username.strip()))
        except users.UserError as exc:
            st.error(str(exc))

with c2.form("change_user", clear_on_submit=True):
    st.subheader(tr("admin.change_user"))
    target = st.selectbox(tr("login.username"), [u["username"] for u in rows])
    new_role = st.selectbox(tr("admin.role"), ("",) + users.ROLES,
                            format_func=lambda r: tr("admin.keep_role") if r == "" else tr(f"role.{r}"))
    new_password = st.text_input(tr("admin.new_password"), type="password", help=tr("admin.password_rule"))
    remove = st.checkbox(tr("admin.remove"))
    if st.form_submit_button(tr("admin.apply")):
        try:
            if remove:
                users.remove_user(target)
            else:
                if new_role:
                    users.set_role(target, new_role)
                if new_password:
                    users.set_password(target, new_password)
            st.success(tr("admin.applied", username=target))
        except users.UserError as exc:
            st.error(str(exc))
