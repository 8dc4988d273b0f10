"""serlib.report.closing: the five papers compared from their results files and claim audits."""
import csv

import pandas as pd
import pytest

from serlib.report import closing
from serlib.report.course_map import PAPER_ORDER
from serlib.results import Provenance, rows_from_summary, write_results


def _write_table(root, paper, table, rows):
    """Rows ``(row, metric, paper_value, ours, speaker_independent, notes)`` as a full-mode results table."""
    out = []
    for name, metric, paper_value, ours, independent, notes in rows:
        prov = Provenance(corpus="emodb-standin", protocol="loso" if independent else "random_90_10",
                          speaker_independent=independent, mode="full", device="cpu", notes=notes,
                          revision="abc1234", date="2026-12-01T00:00:00+00:00", config_hash=f"{name}{metric}")
        out += rows_from_summary({metric: {"mean": ours, "std": 0.01, "n": 3}}, paper=paper, table=table, row=name,
                                 provenance=prov, paper_values={metric: paper_value})
    return write_results(out, paper, table, root=root)


def _write_claims(root, paper, verdicts):
    folder = root / paper
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "claims.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["claim", "where", "paper_evidence", "ours", "verdict", "evidence", "revision"])
        for i, verdict in enumerate(verdicts):
            writer.writerow([f"claim {i}", "Table 1", "printed", f"computed {i}", verdict, "paper", "abc1234"])


def test_audit_verdicts_counts_every_paper_and_marks_missing_audits(tmp_path):
    _write_claims(tmp_path, "speechnet", ["holds", "does not hold", "does not hold", "cannot be tested here"])
    table = closing.audit_verdicts(tmp_path)
    assert list(table["paper"]) == list(PAPER_ORDER)  # every paper listed, in course order
    row = table.set_index("paper").loc["speechnet"]
    assert (row["holds"], row["does not hold"], row["cannot be tested here"], row["claims"]) == (1, 2, 1, 4)
    assert table.set_index("paper").loc["fla_ser", "audit"] == closing.NOT_RUN
    failing = closing.claims_that_fail(tmp_path)
    assert list(failing["claim"]) == ["claim 1", "claim 2"] and set(failing["paper"]) == {"speechnet"}


def test_unknown_verdict_is_refused_with_the_file_named(tmp_path):
    _write_claims(tmp_path, "fla_ser", ["probably"])
    with pytest.raises(ValueError, match=r"fla_ser/claims.csv.*unknown verdicts \['probably'\]"):
        closing.audit_verdicts(tmp_path)


def test_unknown_paper_is_refused(tmp_path):
    with pytest.raises(KeyError, match="not a course paper"):
        closing.results_tables("nope", tmp_path)


def test_gaps_are_ours_minus_paper_in_points_and_collapsed_rows_are_left_out(tmp_path):
    _write_table(tmp_path, "fla_ser", "table3", [
        ("A", "WA", 0.90, 0.60, True, "REDUCED CPU run"),
        ("B", "WA", 0.80, 0.85, True, ""),
        ("C", "WA", 0.70, 0.125, True, "COLLAPSED: one class predicted"),
        ("D", "WA", 0.95, 0.90, False, ""),
        ("E", "params_M", 1.0, 2.0, True, ""),  # not an accuracy: not compared
        ("F", "WA", None, 0.5, True, "no printed number"),  # no paper value: not compared
    ])
    _write_claims(tmp_path, "fla_ser", ["holds"])  # a side file: never read as a results table
    cells = closing.paper_vs_ours_cells(tmp_path)
    assert sorted(cells["row"]) == ["A", "B", "C", "D"]
    gaps = cells.set_index("row")["gap_points"]
    assert gaps["A"] == pytest.approx(-30.0) and gaps["B"] == pytest.approx(5.0)
    assert cells.set_index("row").loc["C", "collapsed"] and cells.set_index("row").loc["A", "reduced"]
    summary = closing.gap_summary(cells).set_index("protocol kind")
    independent = summary.loc["speaker-independent"]
    assert independent["cells"] == 2  # A and B; the collapsed C is counted apart
    assert independent["collapsed rows left out"] == 1
    assert independent["median gap (points)"] == pytest.approx(-12.5)
    assert independent["cells at or above the paper"] == 1
    assert bool(independent["reduced profile"])
    assert summary.loc["speaker-dependent", "largest shortfall (points)"] == pytest.approx(-5.0)


def test_run_provenance_lists_modes_devices_and_skipped_tables(tmp_path):
    _write_table(tmp_path, "wavelet_cnn_lstm", "table4", [("A", "WA", 0.9, 0.5, True, "REDUCED CPU run")])
    pd.DataFrame([{"table": "design_claims", "estimate_s": 99.0, "how": "family rate", "reason": "over budget",
                   "revision": "abc1234", "date": ""}]).to_csv(tmp_path / "wavelet_cnn_lstm" / "skipped.csv",
                                                                index=False)
    table = closing.run_provenance(tmp_path).set_index("paper")
    row = table.loc["wavelet_cnn_lstm"]
    assert (row["results files"], row["modes"], row["devices"], row["revisions"]) == (1, "full", "cpu", "abc1234")
    assert row["reduced profile"] and row["skipped tables"] == "design_claims"
    assert table.loc["speechnet", "modes"] == closing.NOT_RUN


def test_gap_figure_draws_one_row_per_paper_with_results(tmp_path):
    _write_table(tmp_path, "fla_ser", "table3", [("A", "WA", 0.9, 0.6, True, ""), ("C", "WA", 0.7, 0.1, True,
                                                                                   "COLLAPSED")])
    _write_table(tmp_path, "speechnet", "table3", [("A", "accuracy", 0.9, 0.8, False, "")])
    fig = closing.gap_figure(closing.paper_vs_ours_cells(tmp_path), tmp_path / "gap.png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fla_ser", "speechnet"]
    assert (tmp_path / "gap.png").stat().st_size > 0
    assert "percentage points" in ax.get_xlabel()


def test_headline_is_the_highest_printed_number_of_each_protocol_kind(tmp_path):
    _write_table(tmp_path, "cnn_transformer", "table2", [
        ("A", "WA", 0.80, 0.50, False, ""), ("B", "WA", 0.95, 0.40, False, "COLLAPSED"),
        ("C", "WA", 0.90, 0.45, False, ""), ("D", "WA", 0.85, 0.30, True, "")])
    heads = closing.headlines(closing.paper_vs_ours_cells(tmp_path)).set_index("protocol kind")
    assert heads.loc["speaker-dependent", "row"] == "C"  # B is higher but collapsed: never a headline
    assert heads.loc["speaker-dependent", "gap (points)"] == pytest.approx(-45.0)
    assert heads.loc["speaker-independent", "row"] == "D"


def test_paired_verdicts_are_read_from_the_notes(tmp_path):
    rows = []
    for name, note in (("full − cnn_only", "paired bootstrap (10000 resamples, 95 % CI); p = 0.01; verdict: A > B"),
                       ("full − concat", "paired bootstrap; p = 0.6; verdict: inside the noise; REDUCED CPU run"),
                       ("full − x", "hand-made row without a verdict")):
        prov = Provenance(corpus="ravdess-standin", protocol="emobox_folds", speaker_independent=True, mode="full",
                          device="cpu", notes=note, revision="abc1234", date="2026-12-01", config_hash=name)
        rows += rows_from_summary({"ΔWA (points)": {"mean": 1.0, "std": 1.0, "n": 5}}, paper="cnn_transformer",
                                  table="ablation_paired", row=name, provenance=prov)
    write_results(rows, "cnn_transformer", "ablation_paired", root=tmp_path)
    comparisons = closing.paired_verdicts(tmp_path)
    assert list(comparisons["verdict"]) == ["A > B", "inside the noise", "no verdict recorded"]
    counts = closing.paired_verdict_counts(comparisons).iloc[0]
    assert (counts["paired comparisons"], counts["resolved (A > B or B > A)"], counts["inside the noise"],
            counts["no verdict recorded"]) == (3, 1, 1, 1)
    assert [p.name for p in closing.sources(tmp_path)] == ["ablation_paired.csv"]


def test_headline_prefers_overall_accuracy_over_per_class_cells(tmp_path):
    _write_table(tmp_path, "cnn_transformer", "table2", [("calm", "accuracy", 1.0, 0.7, False, ""),
                                                         ("Proposed", "WA", 0.8, 0.34, False, "")])
    heads = closing.headlines(closing.paper_vs_ours_cells(tmp_path))
    assert list(heads["row"]) == ["Proposed"] and list(heads["metric"]) == ["WA"]
