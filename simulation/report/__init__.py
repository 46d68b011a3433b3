"""``lso report``: a run's metrics, its plots and a short Markdown summary.

``selection`` (which negotiation to draw, its trace), ``markdown`` (report.md), ``build`` (all of it).
"""
