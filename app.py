import streamlit as st  # placeholder replaced by the app shell
