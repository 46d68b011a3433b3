"""PNG plots of a simulation run (matplotlib, Agg canvas, no pyplot state).

``canvas`` (figure and PNG writing), ``concession`` (one negotiation's offers over time), ``outcomes``
(outcome space, Pareto frontier, Nash point, agreement), ``pairs`` (agreement rate and utility by
strategy pair), ``latency`` (histogram of time to agreement).
"""
