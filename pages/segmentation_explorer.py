"""segmentation-explorer: thin page over analytics.cached (see components/page.py)."""

from components import page

page.run("segmentation-explorer")
