"""Researchers' simulations: scenarios, the runner (fast and distributed), metrics, tournaments, plots."""
