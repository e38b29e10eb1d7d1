"""Analytics over stored scores: stance aggregation rules, alerts, coverage, comparisons.

A leaf beside the warehouse: the shell, the analysis and the dashboard all import it, it imports only
``warehouse``.
"""
