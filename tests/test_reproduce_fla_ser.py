"""`serlib reproduce fla_ser --mode quick` end to end on a tiny synthetic corpus, outputs checked."""
import pytest

from serlib.cli import main
from serlib.experiments.fla_ser import COMPARISON_MODELS, FLA_SER_ABLATION, TABLES
from serlib.results import COLUMNS, read_results


@pytest.fixture(scope="module")
def quick_run(tiny_synthetic, tmp_path_factory):
    root, _ = tiny_synthetic
    out = tmp_path_factory.mktemp("reproduce")
    code = main(["reproduce", "fla_ser", "--mode", "quick", "--root", f"synthetic={root}",
                 "--results", str(out / "results"), "--figures", str(out / "figures")])
    assert code == 0
    return out


def test_every_table_writes_a_results_file_with_provenance(quick_run):
    for table in TABLES:
        path = quick_run / "results" / "fla_ser" / f"{table}.quick.csv"
        frame = read_results(path)
        assert list(frame.columns) == COLUMNS
        assert (frame["mode"] == "quick").all() and frame["revision"].notna().all()
        assert path.with_suffix(".md").exists()


def test_table3_has_every_ablation_row_under_both_protocols(quick_run):
    frame = read_results(quick_run / "results" / "fla_ser" / "table3.quick.csv")
    wa = frame[frame["metric"] == "WA"]
    assert set(wa["row"]) == set(FLA_SER_ABLATION)
    assert set(wa["protocol"]) == {"si_80_10_10", "speaker_kfold"}
    assert wa["speaker_independent"].all()
    assert ((wa["ours"] >= 0) & (wa["ours"] <= 1)).all()


def test_table6_has_accuracy_and_complexity_for_four_models(quick_run):
    frame = read_results(quick_run / "results" / "fla_ser" / "table6.quick.csv")
    assert set(frame["row"]) == set(COMPARISON_MODELS.values())
    for metric in ("WA", "params_M", "GFLOPs", "ms_per_sample"):
        assert metric in set(frame["metric"])
    fla = frame[(frame["row"] == "FLA-SER") & (frame["metric"] == "params_M")].iloc[0]
    assert fla["paper_value"] == pytest.approx(7.2) and fla["ours"] > 0


def test_snr_rows_and_unavailable_corpora(quick_run):
    frame = read_results(quick_run / "results" / "fla_ser" / "table5_snr.quick.csv")
    measured = frame[frame["ours"].notna()]
    assert {"clean", "white noise 10 dB", "white noise 0 dB", "babble noise 10 dB", "babble noise 0 dB"} <= set(measured["row"])
    unavailable = frame[frame["ours"].isna()]
    assert unavailable["notes"].str.contains("unavailable").all() and len(unavailable) == 9
    table4 = read_results(quick_run / "results" / "fla_ser" / "table4.quick.csv")
    assert table4["ours"].isna().all() and table4["notes"].str.contains("unavailable").all()


def test_figures_are_rendered(quick_run):
    names = {p.name for p in (quick_run / "figures" / "fla_ser").glob("*.png")}
    assert {"table3_ablation.quick.png", "fig7_precision_per_epoch.quick.png", "fig9_per_speaker.quick.png",
            "fig10_time_vs_samples.quick.png"} <= names


def test_a_second_run_skips_finished_tables(quick_run, tiny_synthetic, capsys):
    root, _ = tiny_synthetic
    main(["reproduce", "fla_ser", "table4", "--mode", "quick", "--root", f"synthetic={root}",
          "--results", str(quick_run / "results"), "--figures", str(quick_run / "figures")])
    assert "skipped" in capsys.readouterr().out
