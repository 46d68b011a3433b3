"""write_results on a hand-made run directory: per negotiation, per order, per run, per strategy pair."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from simulation.metrics.files import NEGOTIATIONS_CSV, ORDERS_CSV, PAIRS_CSV, RUN_JSON, write_results
from tests.simulation.metrics_examples import B, C, negotiation, two_orders, write_run


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_run_metrics_of_two_orders(tmp_path: Path) -> None:
    metrics = write_results(write_run(tmp_path, two_orders()))
    assert (metrics.negotiations, metrics.agreements, metrics.orders, metrics.complete_orders) == (3, 2, 2, 1)
    assert metrics.agreement_rate == pytest.approx(2 / 3)
    assert metrics.total_messages == 7 + 7 + 11
    times = metrics.summaries["time_to_agreement_seconds"]
    assert (times.count, times.mean, times.median) == (2, 0.5, 0.5)
    assert times.p95 == pytest.approx(0.25 + 0.95 * 0.5)
    welfare = metrics.summaries["social_welfare_sum"]
    assert welfare.count == 3 and welfare.mean == pytest.approx((0.8 + 1.1 + 0) / 3)
    assert metrics.summaries["price_position"].mean == pytest.approx((0.5 + 0.75) / 2)
    assert metrics.summaries["supply_network_cost"].count == 1
    assert metrics.summaries["supply_network_cost"].mean == 250


def test_negotiations_csv(tmp_path: Path) -> None:
    write_results(write_run(tmp_path, two_orders()))
    rows = {row["negotiation_id"]: row for row in _rows(tmp_path / NEGOTIATIONS_CSV)}
    assert list(rows) == ["n1", "n2", "n3"]
    assert rows["n1"]["agreed"] == "True"
    assert rows["n1"]["price"] == "120"
    assert float(rows["n1"]["price_position"]) == 0.5
    assert rows["n1"]["delivery_slack_days"] == "3"
    assert math.isclose(float(rows["n1"]["pareto_distance"]), math.sqrt(0.05))
    assert float(rows["n2"]["pareto_distance"]) == 0
    assert rows["n3"]["agreed"] == "False"
    assert rows["n3"]["price"] == rows["n3"]["time_to_agreement_seconds"] == ""
    assert math.isclose(float(rows["n3"]["pareto_distance"]), math.sqrt(0.61))


def test_orders_csv(tmp_path: Path) -> None:
    write_results(write_run(tmp_path, two_orders()))
    o1, o2 = _rows(tmp_path / ORDERS_CSV)
    assert o1["order_id"] == "o1"
    assert (o1["parts"], o1["parts_agreed"], o1["complete"]) == ("2", "2", "True")
    assert o1["supply_network_cost"] == "250"
    assert o1["latest_agreed_delivery"] == "2026-03-12"
    assert o1["delivery_slack_days"] == "-2"
    assert (o2["order_id"], o2["complete"], o2["supply_network_cost"], o2["delivery_slack_days"]) == (
        "o2",
        "False",
        "",
        "",
    )


def test_run_json_and_no_pairs_file_outside_tournaments(tmp_path: Path) -> None:
    write_results(write_run(tmp_path, two_orders()))
    run = json.loads((tmp_path / RUN_JSON).read_text())
    assert run["run_id"] == "run-1" and run["seed"] == 42 and run["mode"] == "fast"
    assert run["agreement_rate"] == pytest.approx(2 / 3)
    assert run["summaries"]["rounds"]["count"] == 3
    assert "negotiation_rows" not in run and "order_rows" not in run
    assert not (tmp_path / PAIRS_CSV).exists()


def test_tournament_pairs_count_repetitions(tmp_path: Path) -> None:
    results = [
        negotiation("a0", order_id="a0", agreed_at=B, repetition=0),
        negotiation("a1", order_id="a1", agreed_at=C, repetition=1),
        negotiation("a2", order_id="a2", repetition=2),
        negotiation("b0", order_id="b0", seller_strategy="linear", agreed_at=B, repetition=0),
    ]
    metrics = write_results(write_run(tmp_path, results, tournament=True))
    assert [(p.buyer_strategy, p.seller_strategy) for p in metrics.pairs] == [
        ("boulware", "conceder"),
        ("boulware", "linear"),
    ]
    rows = _rows(tmp_path / PAIRS_CSV)
    assert [(r["negotiations"], r["repetitions"], r["agreements"]) for r in rows] == [
        ("3", "3", "2"),
        ("1", "1", "1"),
    ]
    first = metrics.pairs[0]
    assert first.agreement_rate == pytest.approx(2 / 3)
    assert first.mean_buyer_utility == pytest.approx((0.5 + 0.4) / 3)
    assert first.mean_seller_utility == pytest.approx((0.6 + 0.4) / 3)
    assert first.mean_social_welfare_sum == pytest.approx((1.1 + 0.8) / 3)


def test_a_run_without_negotiations(tmp_path: Path) -> None:
    metrics = write_results(write_run(tmp_path, []))
    assert metrics.negotiations == 0 and metrics.agreement_rate is None
    assert metrics.summaries["rounds"].count == 0
    assert _rows(tmp_path / NEGOTIATIONS_CSV) == []
