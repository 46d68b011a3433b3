"""Metrics of a simulation run, computed from its run directory (``simulation/results.py``).

One concept per module: ``utility_space`` (outcome points), ``pareto`` (frontier and distance to it),
``nash`` (Nash bargaining point), ``welfare`` (social welfare, the sum of utilities), ``price``
(agreed price against the reservation prices), ``delivery`` (delivery slack), ``stats`` (mean, median,
p95), ``negotiation`` (one negotiation), ``orders`` (supply network of one order), ``pairs`` (strategy
pairs of tournaments), ``run`` (a run as a whole), ``tables`` (CSV) and ``files`` (``write_results``).
"""
