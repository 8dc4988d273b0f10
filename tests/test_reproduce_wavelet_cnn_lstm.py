"""`serlib reproduce wavelet_cnn_lstm --mode quick` end to end on a tiny synthetic corpus, outputs checked."""
import numpy as np
import pytest

from serlib.cli import main
from serlib.experiments.harness import coverage
from serlib.experiments.wavelet_cnn_lstm import (CONFUSION_FIGURES, CURVE_FIGURES, LITERATURE_FIGURES,
                                                 SELECTION_RULES, TABLES, UNAVAILABLE, claim_arms)
from serlib.experiments.wavelet_cnn_lstm_paper import PAPER_TABLE5, TABLE5_TO_UNIFIED, table4_means
from serlib.results import COLUMNS, read_results


@pytest.fixture(scope="module")
def quick_run(tiny_synthetic, tmp_path_factory):
    root, _ = tiny_synthetic
    out = tmp_path_factory.mktemp("reproduce_wavelet")
    code = main(["reproduce", "wavelet_cnn_lstm", "--mode", "quick", "--device", "cpu", "--threads-per-job", "1",
                 "--root", f"synthetic={root}", "--results", str(out / "results"), "--figures", str(out / "figures")])
    assert code == 0
    return out


def _frame(run, table):
    return read_results(run / "results" / "wavelet_cnn_lstm" / f"{table}.quick.csv")


def test_every_table_writes_results_with_provenance(quick_run):
    for table in TABLES:
        path = quick_run / "results" / "wavelet_cnn_lstm" / f"{table}.quick.csv"
        frame = read_results(path)
        assert list(frame.columns) == COLUMNS and len(frame)
        assert (frame["mode"] == "quick").all() and frame["revision"].notna().all()
        assert path.with_suffix(".md").exists()


def test_table4_has_every_protocol_and_selection_rule(quick_run):
    frame = _frame(quick_run, "table4")
    wa = frame[(frame["metric"] == "WA") & frame["ours"].notna()]
    assert set(wa["protocol"]) == {"random_kfold", "holdout_mf_pairs_x3", "speaker_kfold"}
    assert set(wa["epoch_policy"]) == set(SELECTION_RULES)
    for protocol, independent in (("random_kfold", False), ("holdout_mf_pairs_x3", True)):
        part = wa[wa["protocol"] == protocol]
        assert (part["speaker_independent"] == independent).all()
        assert (part["n"] == 3).all(), "three folds x one seed in quick mode"
    assert ((wa["ours"] >= 0) & (wa["ours"] <= 1)).all()
    # the paper's value sits only beside the paper's rule, and only for the corpora it reports
    assert wa["paper_value"].isna().all()  # the synthetic corpus is not in the paper
    iemocap = frame[frame["row"].str.startswith("IEMOCAP")]
    assert len(iemocap) == 1 and iemocap["ours"].isna().all()
    assert iemocap["paper_value"].iloc[0] == pytest.approx(table4_means()["IEMOCAP SI"] / 100)
    assert iemocap["notes"].str.contains("unavailable").all()


def test_the_paper_rule_never_reports_less_than_the_others_on_the_same_runs(quick_run):
    frame = _frame(quick_run, "table4")
    wa = frame[(frame["metric"] == "WA") & frame["ours"].notna()]
    for protocol, part in wa.groupby("protocol"):
        by_rule = dict(zip(part["epoch_policy"], part["ours"].astype(float)))
        assert by_rule["best_on_test"] >= by_rule["best_on_validation"] - 1e-12, protocol
        assert by_rule["best_on_test"] >= by_rule["last"] - 1e-12, protocol
    selection = _frame(quick_run, "table4_selection")
    assert selection["row"].str.startswith("best_on_test − ").all()
    assert (selection["ours"].astype(float) >= -1e-9).all(), "best on test is the maximum over the epochs"


def test_table5_lists_the_real_classes_with_the_paper_values_where_printed(quick_run):
    frame = _frame(quick_run, "table5")
    assert set(frame["metric"]) == {"accuracy", "precision", "recall", "F1"}
    labels = {row.split(" | ")[1] for row in frame["row"]}
    assert "neutral" in labels  # synthetic has RAVDESS's eight classes, neutral included (not in Table 5)
    assert frame["paper_value"].isna().all()  # no printed values for the synthetic corpus
    assert ((frame["ours"] >= 0) & (frame["ours"] <= 1)).all()
    assert set(TABLE5_TO_UNIFIED) == set(PAPER_TABLE5)


def test_literature_tables_quote_the_paper_and_add_ours(quick_run):
    table6 = _frame(quick_run, "table6")
    printed = table6[table6["ours"].isna()]
    assert len(printed) == 26 and printed["notes"].str.contains("not re-run").all()
    for figure, column in LITERATURE_FIGURES.items():
        frame = _frame(quick_run, figure)
        assert frame["row"].str.startswith(column).all()


def test_figure_tables_and_pngs(quick_run):
    for figure in CURVE_FIGURES:
        frame = _frame(quick_run, figure)
        # tiny corpora can leave a speaker-dependent fold without validation items: then no val_* curve
        assert {"train_loss", "test_loss", "test_WA"} <= set(frame["metric"])
        assert set(frame["metric"]) <= {"train_loss", "val_loss", "val_WA", "test_loss", "test_WA"}
        assert sorted({r for r in frame["row"]}) == ["epoch 1", "epoch 2"]
    for figure in CONFUSION_FIGURES:
        frame = _frame(quick_run, figure)
        counts = frame.groupby("epoch_policy")["ours"].sum()
        assert counts.nunique() == 1, "both rules count the same test utterances"
    names = {p.name for p in (quick_run / "figures" / "wavelet_cnn_lstm").glob("*.png")}
    expected = {"table4_selection_rules.quick.png", "input_claims.quick.png", "table2_claims.quick.png",
                "table3_claims.quick.png"}
    expected |= {f"{f}_curves.quick.png" for f in CURVE_FIGURES} | {f"{f}_confusion.quick.png" for f in CONFUSION_FIGURES}
    expected |= {f"{f}_literature.quick.png" for f in LITERATURE_FIGURES}
    assert expected <= names


def test_every_design_claim_is_a_paired_row(quick_run):
    from serlib.experiments.harness import TableContext

    ctx = TableContext("wavelet_cnn_lstm", "x", "quick", "cpu", {}, quick_run, quick_run)
    for group, arms in claim_arms(ctx).items():
        frame = _frame(quick_run, f"{group}_claims")
        deltas = frame[frame["metric"].str.startswith("Δ")]
        assert {row.split(" − ")[0] for row in deltas["row"]} == {label for label, _ in arms}
        assert set(deltas["epoch_policy"]) == {"best_on_validation", "best_on_test"}
    labels = {label for label, _ in claim_arms(ctx)["table2"]}
    assert {"lr 0.1", "lr 0.0001", "sgd", "adamax", "rmsprop", "batch 8", "batch 32", "batch 64"} == labels
    inputs = {label for label, _ in claim_arms(ctx)["input"]}
    assert inputs == {"log-Mel image", "STFT image", "1-D 8-s waveform"}


def test_architecture_rows_give_the_pipes_receptive_fields(quick_run):
    frame = _frame(quick_run, "fig3")
    table3 = frame[frame["row"].str.startswith("Table 3 reading") & (frame["metric"] == "time_receptive_field")]
    assert table3["ours"].astype(int).tolist() == [3, 5, 9, 17, 33]
    text = frame[frame["row"].str.startswith("text reading") & (frame["metric"] == "time_receptive_field")]
    assert len(text) == 3


def test_coverage_lists_every_element():
    status = coverage("wavelet_cnn_lstm")
    assert {k for k, v in status.items() if v[0] == "unavailable"} == set(UNAVAILABLE)
    assert status["table4"][0] == "reproduced" and "table4_selection" in status["table4"][1]


def test_a_second_run_skips_finished_tables(quick_run, tiny_synthetic, capsys):
    root, _ = tiny_synthetic
    main(["reproduce", "wavelet_cnn_lstm", "table1", "--mode", "quick", "--device", "cpu", "--root",
          f"synthetic={root}", "--results", str(quick_run / "results"), "--figures", str(quick_run / "figures")])
    assert "skipped" in capsys.readouterr().out


def test_table1_marks_the_big_six(quick_run):
    frame = _frame(quick_run, "table1")
    emodb = frame[frame["corpus"] == "EmoDB"]
    present = {row.split(" | ")[1].split(" (")[0] for row, v in zip(emodb["row"], emodb["ours"]) if int(v)}
    assert present == {"angry", "boredom", "disgust", "fearful", "happy", "neutral", "sad"}
    assert np.isin(frame["ours"].astype(int), [0, 1]).all()


def test_the_claim_audit_reads_our_results(quick_run):
    from serlib.experiments.audit import VERDICTS
    from serlib.experiments.wavelet_cnn_lstm_paper import DESIGN_CLAIMS, audit_all, audit_with_results

    measured = audit_with_results(quick_run / "results", mode="quick")
    claims = {v.claim for v in measured}
    assert any(c.startswith("the reported accuracies") for c in claims)
    assert {"average pooling outperforms maximum pooling", "Adam beats SGD, AdaMax and RMSprop"} <= claims
    for v in measured:
        assert v.verdict in VERDICTS and v.evidence.startswith("results/wavelet_cnn_lstm/")
        assert v.as_dict()["evidence"] == v.evidence
    # quick mode: one pair per arm and untrained (collapsed) models: no claim can be confirmed
    design = {v.verdict for v in measured if v.claim in {c for c, *_ in DESIGN_CLAIMS}}
    assert design and "holds" not in design
    everything = audit_all(quick_run / "results", mode="quick")
    pooling = [v for v in everything if v.claim.startswith("average pooling")]
    assert len(pooling) == 1 and getattr(pooling[0], "evidence", ""), "the measured claim replaces the printed row"


def test_claims_figure_with_arms_of_different_seeds(quick_run, tmp_path):
    from serlib.experiments.harness import TableContext
    from serlib.report.wavelet_cnn_lstm_figures import figure_claims

    frame = _frame(quick_run, "input_claims")
    frame.loc[frame["row"].str.startswith("log-Mel"), "seeds"] = "0 1 2"  # an arm with more seeds than another
    ctx = TableContext("wavelet_cnn_lstm", "input_claims", "quick", "cpu", {}, tmp_path, tmp_path)
    paths = figure_claims(frame, ctx)
    assert len(paths) == 1 and paths[0].exists()
