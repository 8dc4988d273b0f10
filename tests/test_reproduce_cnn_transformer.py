"""`serlib reproduce cnn_transformer --mode quick` end to end on a tiny synthetic corpus, outputs checked."""
import numpy as np
import pytest

from serlib.cli import main
from serlib.experiments import cnn_transformer as ct
from serlib.experiments.harness import coverage
from serlib.results import COLUMNS, read_results


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from serlib.data import load_corpus
    from serlib.data.synthetic import SyntheticConfig, generate_corpus

    # two repetitions per (speaker, statement, emotion, intensity): the repetition protocols need pairs
    root = generate_corpus(tmp_path_factory.mktemp("synthetic_reps"), SyntheticConfig.tiny(n_speakers=5,
                                                                                           repetitions=2))
    return root, load_corpus("synthetic", root)


@pytest.fixture(scope="module")
def quick_run(corpus, tmp_path_factory):
    root, _ = corpus
    out = tmp_path_factory.mktemp("reproduce_ct")
    code = main(["reproduce", "cnn_transformer", "--mode", "quick", "--root", f"synthetic={root}",
                 "--results", str(out / "results"), "--figures", str(out / "figures")])
    assert code == 0
    return out


def _frame(quick_run, table):
    return read_results(quick_run / "results" / "cnn_transformer" / f"{table}.quick.csv")


def test_every_table_writes_results_with_provenance_and_markdown(quick_run):
    for table in ct.TABLES:
        path = quick_run / "results" / "cnn_transformer" / f"{table}.quick.csv"
        frame = read_results(path)
        assert list(frame.columns) == COLUMNS and len(frame) > 0, table
        assert (frame["mode"] == "quick").all() and frame["revision"].notna().all()
        assert path.with_suffix(".md").exists()


def test_figures_are_drawn(quick_run):
    names = {p.name for p in (quick_run / "figures" / "cnn_transformer").glob("*.quick.png")}
    assert {"ablation.quick.png", "table2_per_class.quick.png", "fig4_literature.quick.png",
            "fig5_confusion.quick.png", "fig6_by_intensity.quick.png", "fig7_by_gender.quick.png",
            "protocols.quick.png", "table1_grid.quick.png"} <= names


def test_ablation_has_four_variants_and_the_augmented_pipeline(quick_run):
    frame = _frame(quick_run, "ablation")
    wa = frame[frame["metric"] == "WA"]
    assert set(wa["row"]) == set(ct.VARIANT_LABELS.values()) | {ct.AUGMENTED_LABEL}
    assert ((wa["ours"] >= 0) & (wa["ours"] <= 1)).all()
    assert (wa["protocol"] == ct.PAPER_PROTOCOL).all() and not wa["speaker_independent"].any()
    assert wa["notes"].str.contains("SPEAKER-DEPENDENT").all()
    assert (wa["n"] == len(ct.profile("quick")["seeds"])).all()


def test_ablation_pairs_carry_intervals(quick_run):
    frame = _frame(quick_run, "ablation_paired")
    assert len(frame) == 2 * len(ct.ABLATION_PAIRS)
    assert set(frame["metric"]) == {"ΔWA (points)", "ΔUA (points)"}
    assert (frame["ci_low"] <= frame["ours"] + 1e-9).all() and (frame["ours"] <= frame["ci_high"] + 1e-9).all()
    assert frame["row"].str.contains("AWGN").any()


def test_table2_counts_add_up_to_the_test_split(quick_run, corpus):
    from serlib.data.splits import make_splits

    _, records = corpus
    frame = _frame(quick_run, "table2")
    totals = frame[frame["metric"] == "total"].set_index("row")["ours"]
    correct = frame[frame["metric"] == "correct"].set_index("row")["ours"]
    accuracy = frame[frame["metric"] == "accuracy"].set_index("row")["ours"]
    assert (correct <= totals).all() and ((accuracy >= 0) & (accuracy <= 1)).all()
    expected = np.mean([len(make_splits(records, ct.PAPER_PROTOCOL, seed=s)[0].test) for s in ct.profile("quick")["seeds"]])
    assert totals.sum() == pytest.approx(expected)
    assert frame["paper_value"].isna().all()  # the paper's numbers sit beside RAVDESS rows only


def test_confusion_and_breakdowns_agree(quick_run):
    confusion = _frame(quick_run, "fig5")
    runs = len(ct.profile("quick")["seeds"])
    per_class = _frame(quick_run, "table2")
    total = per_class[per_class["metric"] == "total"]["ours"].sum() * runs
    assert confusion["ours"].sum() == pytest.approx(total)
    for table, groups in (("fig6", {"normal", "strong"}), ("fig7", {"female", "male"})):
        frame = _frame(quick_run, table)
        assert set(frame[frame["metric"] == "total"]["row"]) == groups
        gap = frame[frame["metric"] == "Δaccuracy (points)"]
        assert len(gap) == 1 and gap["ci_low"].iloc[0] <= gap["ours"].iloc[0] <= gap["ci_high"].iloc[0]
        counts = frame[frame["metric"] == "total"]["ours"].sum() * runs
        assert counts == pytest.approx(total)


def test_fig4_quotes_the_literature_and_adds_ours(quick_run):
    frame = _frame(quick_run, "fig4")
    quoted = frame[frame["ours"].isna()]
    assert len(quoted) == len(ct.PAPER_FIG4) and quoted["notes"].str.contains("not re-run").all()
    assert frame["ours"].notna().sum() == 1


def test_repetition_leak_is_measured(quick_run):
    frame = _frame(quick_run, "repetition_leak")
    leak = frame[frame["metric"] == "test_share_partner_in_train"].set_index("row")["ours"]
    assert leak[f"together: {ct.REPETITION_PROTOCOLS['together']}"] == 0.0
    assert leak[f"apart: {ct.REPETITION_PROTOCOLS['apart']}"] == 1.0
    paired = frame[frame["metric"].str.startswith("Δ")]
    assert set(paired["row"]) == {"repetitions apart − repetitions together"}


def test_protocols_side_by_side_label_speaker_dependence(quick_run):
    frame = _frame(quick_run, "protocols")
    wa = frame[frame["metric"] == "WA"].set_index("protocol")
    assert set(wa.index) == {ct.PAPER_PROTOCOL, *ct.REPETITION_PROTOCOLS.values(), ct.COURSE_PROTOCOL["synthetic"]}
    assert bool(wa.loc[ct.COURSE_PROTOCOL["synthetic"], "speaker_independent"])
    assert not wa.drop(ct.COURSE_PROTOCOL["synthetic"])["speaker_independent"].any()


def test_grid_reports_every_point_and_chooses_one_on_validation(quick_run):
    frame = _frame(quick_run, "table1")
    points = list(ct._grid_points(type("C", (), {"mode": "quick", "device": "cpu"})()))
    chosen = frame[frame["metric"] == "chosen"]
    assert len(chosen) == len(points) and chosen["ours"].sum() == 1.0
    val = frame[frame["metric"] == "val_loss"].set_index("row")["ours"]
    assert val.idxmin() == chosen.set_index("row")["ours"].idxmax()
    assert val.idxmin().endswith("(chosen on validation)")


def test_curves_and_complexity(quick_run):
    curves = _frame(quick_run, "table1_curves")
    assert {"train_loss", "val_loss", "best_epoch", "epochs_run"} <= set(curves["metric"])
    complexity = _frame(quick_run, "complexity")
    params = complexity[complexity["metric"] == "params_M"]
    assert len(params) == len(ct.VARIANT_LABELS) and (params["ours"] > 0).all()
    fig1 = _frame(quick_run, "fig1")
    assert fig1["ours"].sum() > 0


def test_coverage_lists_every_element():
    status = coverage("cnn_transformer")
    assert status["table2"][0] == "reproduced" and status["fig5"][0] == "reproduced"
    assert status["fig2"][0] == "unavailable" and status["fig3"][0] == "stand-in"


def test_best_validation_loss_and_bad_history():
    assert ct.best_validation_loss({"history": [{"val_loss": 2.0}, {"val_loss": 1.5}, {"val_loss": 1.7}]}) == 1.5
    with pytest.raises(ValueError, match="no validation loss"):
        ct.best_validation_loss({"history": [{"train_loss": 1.0}], "fold": "f", "seed": 0})


def test_profiles_are_labelled_and_the_cpu_input_is_reduced():
    from serlib.features.frontends import get_front_end

    cpu = ct.profile("full", "cpu")
    assert cpu["name"] == "full-cpu" and "REDUCED" in cpu["note"]
    assert get_front_end(ct.CPU_FRONT_END).item_shape == (1, cpu["model"]["n_mels"], cpu["model"]["n_frames"])
    assert get_front_end(ct.CPU_FRONT_END).item_shape == (1, 32, 60)
    assert len(cpu["seeds"]) >= 5
    gpu = ct.profile("full", "cuda")
    assert gpu["train"]["epochs"] == 1000 and gpu["train"]["patience"] == 50 and gpu["augment_all"]
    assert get_front_end(gpu["front_end"]).item_shape == (1, 128, 565)


def test_audit_against_our_runs(quick_run):
    from serlib.experiments.audit import VERDICTS
    from serlib.experiments.cnn_transformer_paper import MeasuredVerdict, audit_against_results

    verdicts = audit_against_results(quick_run / "results", mode="quick")
    claims = {v.claim for v in verdicts}
    assert "cross-attention improved feature fusion, higher accuracy than simpler architectures" in claims
    assert {"robustness across different emotional intensities", "robustness across different gender groups"} <= claims
    assert any("repetitions" in v.claim for v in verdicts)
    for v in verdicts:
        assert isinstance(v, MeasuredVerdict) and v.verdict in VERDICTS
        assert v.evidence.startswith("our runs: results/cnn_transformer/") and ".quick.csv" in v.evidence
    assert audit_against_results(quick_run / "nothing here") == []


def test_lesson_chain_and_cross_attention_over_time(corpus):
    import torch

    from serlib.audio import load_audio
    from serlib.experiments.cnn_transformer_lesson import cross_attention_over_time, preprocessing_chain
    from serlib.models.cnn_transformer import TINY_CONFIG, CNNTransformer

    _, records = corpus
    signal, sr = load_audio(records[0].path)
    chain = preprocessing_chain(signal, sr, snr_db=20.0)
    assert chain["logmel"].shape == (128, 565) and chain["cropped"].shape == (48000,)
    noise = chain["noisy"] - chain["cropped"]
    assert 10 * np.log10(np.mean(chain["cropped"] ** 2) / np.mean(noise ** 2)) == pytest.approx(20.0, abs=0.01)
    torch.manual_seed(0)
    model = CNNTransformer(8, n_mels=32, n_frames=60, **TINY_CONFIG)
    alpha = cross_attention_over_time(model, np.random.default_rng(0).normal(size=(3, 1, 32, 60)))
    assert alpha.shape == (3, 15) and np.allclose(alpha.sum(1), 1.0, atol=1e-5)
    with pytest.raises(KeyError, match="only variant 'full'"):
        cross_attention_over_time(CNNTransformer(8, n_mels=32, n_frames=60, variant="concat", **TINY_CONFIG),
                                  np.zeros((1, 1, 32, 60)))
