"""competitor-tracking: thin page over analytics.cached (see components/page.py)."""

from components import page

page.run("competitor-tracking")
