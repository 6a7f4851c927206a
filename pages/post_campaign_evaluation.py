"""post-campaign-evaluation: thin page over analytics.cached (see components/page.py)."""

from components import page

page.run("post-campaign-evaluation")
