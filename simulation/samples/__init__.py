"""Sample worlds that scenarios name (``builtin: bike``) and that benchmarks and tests order from."""
