"""Fast runs: every agent in one process, messages in memory, a simulated clock."""
