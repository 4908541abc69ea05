"""A small, fast run of the estimate benchmark: it runs, and the simulation beats naive."""

from __future__ import annotations

from bench.estimates import PREDICTORS, SCENARIOS, run_benchmark, score, table, targets


def test_a_small_benchmark_run_prints_the_table_and_the_simulation_beats_naive():
    bench = run_benchmark(calibration_days=1, test_days=1, runs=40, jobs=1)
    assert set(bench.results) == {s.name for s in SCENARIOS}
    pooled = [row for rows in bench.results.values() for row in rows]
    assert len(pooled) > 300
    assert score(pooled, "simulation").mae < score(pooled, "naive").mae
    printed = table(bench.results)
    for name in [*(s.name for s in SCENARIOS), *PREDICTORS]:
        assert name in printed
    assert len(targets(bench.results)) == 12
    assert 0 < bench.calibration.low < bench.calibration.central < bench.calibration.high < 1
