"""Demo data for ``lso run``: a demo customer, a demo manufacturer with its agent policy, and a catalogue."""

from gateway.demo.seed import DemoLogins, seed_demo, seed_demo_database

__all__ = ["DemoLogins", "seed_demo", "seed_demo_database"]
