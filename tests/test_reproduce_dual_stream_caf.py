"""`serlib reproduce dual_stream_caf --mode quick` end to end on a tiny synthetic corpus, outputs checked."""
import json

import numpy as np
import pytest

from serlib.cli import main
from serlib.experiments import dual_stream_caf as ds
from serlib.experiments import dual_stream_caf_paper as paper
from serlib.experiments.harness import coverage
from serlib.results import COLUMNS, read_results


@pytest.fixture(scope="module")
def quick_run(tiny_synthetic, tmp_path_factory):
    root, _ = tiny_synthetic
    out = tmp_path_factory.mktemp("reproduce_ds")
    code = main(["reproduce", "dual_stream_caf", "--mode", "quick", "--root", f"synthetic={root}",
                 "--results", str(out / "results"), "--figures", str(out / "figures"), "--threads-per-job", "1"])
    assert code == 0
    return out


def _read(run, table):
    return read_results(run / "results" / "dual_stream_caf" / f"{table}.quick.csv")


def test_every_table_writes_a_results_file_with_provenance(quick_run):
    # the RAVDESS blocks have no corpus in quick mode (synthetic stands for EmoDB's blocks): no file, said so
    for table, spec in ds.TABLES.items():
        path = quick_run / "results" / "dual_stream_caf" / f"{table}.quick.csv"
        if table.startswith("table5_") and table != "table5_unavailable":
            assert not path.exists()
            continue
        frame = read_results(path)
        assert list(frame.columns) == COLUMNS
        assert (frame["mode"] == "quick").all() and frame["revision"].notna().all()


def test_table1_blocks_have_every_row_under_both_protocols(quick_run):
    prof = ds.profile("quick")
    for suffix, block in zip(("frozen", "frozen_textrcnn", "finetuned", "finetuned_textrcnn"), ds.BLOCKS):
        frame = _read(quick_run, f"table1_{suffix}")
        expected = {label for label, *_ in ds.block_models(prof, *block)}
        assert set(frame["row"]) == expected
        assert set(frame["protocol"]) == {"speaker_kfold", "random_80_20"}
        assert set(frame["metric"]) == {"WA", "UA", "macro_F1"}
        assert ((frame["ours"] >= 0) & (frame["ours"] <= 1)).all()
        authors = frame[frame["protocol"] == "random_80_20"]
        assert (authors["epoch_policy"] == "best_on_test").all() and not authors["speaker_independent"].any()
        course = frame[frame["protocol"] == "speaker_kfold"]
        assert (course["epoch_policy"] == "best_on_validation").all() and course["speaker_independent"].all()
        # every row names its encoder B; the cross-attention rows say they are ours
        assert frame["notes"].str.contains("encoder B:").all()
        xattn = frame[frame["row"].str.endswith("cross-attention (ours)")]
        assert len(xattn) and xattn["notes"].str.contains("OUR variant").all()


def test_unavailable_rows_carry_the_paper_values_and_the_command(quick_run):
    frame = _read(quick_run, "table1_unavailable")
    assert frame["ours"].isna().all() and frame["notes"].str.contains("HUBERT_BASE").all()
    caf = frame[(frame["row"] == "HuBERT + DPCNN | CAF") & (frame["metric"] == "WA")]
    assert caf["paper_value"].iloc[0] == pytest.approx(0.9720)
    table3 = _read(quick_run, "table3")
    assert table3["ours"].isna().all() and table3["notes"].str.contains("licensed").all()
    assert len(table3) == 20 * 3


def test_paired_comparisons_cover_every_block_and_fusion(quick_run):
    frame = _read(quick_run, "table1_paired")
    assert frame["metric"].str.startswith("Δ").all()
    others = {"SUM", "CON", "FiLM", "cross-attention (ours)"}
    caf_rows = frame[frame["row"].str.contains(r"\| CAF − ", regex=True)]
    assert len(caf_rows) == len(frame)
    # 4 blocks x 2 protocols x 4 other fusions x 3 metrics
    assert len(frame) == 4 * 2 * len(others) * 3
    assert {r.rsplit(" | ", 1)[1] for r in frame["row"]} == others


def test_finetuning_table_pairs_each_fine_tuned_row_with_its_frozen_twin_on_the_same_runs(quick_run):
    frame = _read(quick_run, "table1_finetuning")
    prof = ds.profile("quick", "cpu")
    tuned, frozen = ds._encoder_b_label(prof, False), ds._encoder_b_label(prof, True)
    twins = frame[frame["row"].str.contains(f" − {frozen}", regex=False)]
    # per protocol: encoder B alone and 5 fusions for each of the 2 image encoders (alone only with DPCNN), WA + UA
    assert len(twins) == 2 * (1 + 2 * 5) * 2
    assert all(row.split(" − ")[0].replace(tuned, frozen) == row.split(" − ")[1] for row in twins["row"])
    trained = frame[frame["row"].str.endswith("(full training)")]
    assert {r.split(" − ")[1] for r in trained["row"]} == {"DPCNN (full training)", "TextRCNN (full training)"}
    assert (frame["n"] >= 1).all() and frame["metric"].str.startswith("Δ").all()


def test_protocol_table_puts_last_epoch_beside_best_on_test(quick_run):
    frame = _read(quick_run, "table1_protocols")
    authors = frame[frame["protocol"] == "random_80_20"]
    levels = authors[~authors["row"].str.contains(" − ")]
    best = levels[levels["row"].str.endswith("best epoch on test (as the authors report)")]
    last = levels[levels["row"].str.endswith("| last epoch")]
    assert len(best) == len(last) > 0
    assert (last["epoch_policy"] == "last").all()
    # the best epoch on test can never be below the last epoch of the same runs (WA: the selection metric)
    merged = best[best["metric"] == "WA"].assign(key=lambda f: f["row"].str.rsplit(" | ", n=1).str[0]).merge(
        last[last["metric"] == "WA"].assign(key=lambda f: f["row"].str.rsplit(" | ", n=1).str[0]), on="key")
    assert (merged["ours_x"] >= merged["ours_y"] - 1e-12).all()
    gaps = authors[authors["row"].str.contains(" − ")]
    assert len(gaps) and (gaps[gaps["metric"].str.contains("WA")]["ours"] >= -1e-9).all()


def test_literature_tables_quote_the_paper_and_add_ours(quick_run):
    table2 = _read(quick_run, "table2")
    quoted = table2[table2["ours"].isna()]
    assert {"[46]", "(HuBERT + DPCNN) + CAF"} <= set(quoted["row"])
    ours = table2[table2["ours"].notna()]
    assert len(ours) and ours["row"].str.endswith("(ours)").all()
    table4 = _read(quick_run, "table4")
    assert table4["ours"].isna().all()


def test_figures_are_rendered(quick_run):
    names = {p.name for p in (quick_run / "figures" / "dual_stream_caf").glob("*.png")}
    assert {"table1_frozen_fusions.quick.png", "table1_protocols_protocols.quick.png"} <= names


def test_provenance_file(quick_run):
    info = json.loads((quick_run / "results" / "dual_stream_caf" / "provenance.quick.json").read_text())
    assert info["jobs"] > 0 and info["wall_s"] > 0


def test_every_table_and_figure_of_the_paper_is_accounted_for():
    status = coverage("dual_stream_caf")
    assert {k for k, v in status.items() if v[0] == "reproduced"} == {f"table{i}" for i in range(1, 7)}
    assert status["fig2"][0] == "unavailable" and "affine" in status["fig2"][1]


def test_profiles_use_adamw_and_three_seeds_on_the_authors_protocol():
    for mode, device in (("full", "cpu"), ("full", "cuda")):
        prof = ds.profile(mode, device)
        assert len(prof["authors_seeds"]) >= 3 and set(prof["corpora"]) == {"emodb", "ravdess"}
    assert ds.profile("full", "cuda")["lr"] == 1e-4
    assert "reduced CPU profile" in ds.profile("full", "cpu")["note"]


def test_the_cpu_profile_runs_fine_tuning_on_a_declared_part_of_the_course_protocol_and_says_so():
    """Full-cpu: the fine-tuned DPCNN pair on the first 5 EmoDB LOSO folds; every other fine-tuned course cell is a
    row without a value that names the reason and the command (nothing is skipped silently)."""
    from serlib.experiments.harness import TableContext

    ctx = TableContext("dual_stream_caf", "table1_finetuned", "full", "cpu", {}, None, None, False)
    dpcnn, textrcnn = ("finetuned", "dpcnn"), ("finetuned", "textrcnn")
    assert ds._block_kinds(ctx, dpcnn, "emodb") == ("course", "authors")
    assert ds._block_kinds(ctx, dpcnn, "ravdess") == ds._block_kinds(ctx, textrcnn, "emodb") == ("authors",)
    assert ds._skipped_kinds(ctx, textrcnn, "emodb") == ("course",)
    assert ds._block_kinds(ctx, ("frozen", "textrcnn"), "ravdess") == ("course", "authors")
    course = [s for s in ds.block_specs(ctx, "emodb", dpcnn) if s.protocol == "loso"]
    assert len(course) == 6 and {s.max_folds for s in course} == {5} and {s.seeds for s in course} == {(0,)}
    frozen = [s for s in ds.block_specs(ctx, "emodb", ("frozen", "dpcnn")) if s.protocol == "loso"]
    assert {s.max_folds for s in frozen} == {None}
    from serlib.experiments.harness import table_config_hash

    for spec in ds.TABLES.values():  # the profile is part of every table's configuration hash (JSON)
        assert len(table_config_hash(spec, "full", {}, "cpu", (), ())) == 12
    rows = ds._not_run_rows(ctx, "ravdess", "course", dpcnn, "table5")
    assert len(rows) == 3 * len(ds.block_models(ds.profile("full", "cpu"), *dpcnn))
    assert all(r["ours"] is None and r["protocol"] == "emobox_folds" for r in rows)
    assert all("serlib reproduce dual_stream_caf table5_finetuned --mode full --device cuda" in r["notes"]
               for r in rows)


def test_every_printed_row_has_an_our_counterpart_or_an_unavailable_row():
    prof = ds.profile("full", "cpu")
    ours = {key for block in ds.BLOCKS for *_, key in ds.block_models(prof, *block) if key is not None}
    printed = set(paper.PAPER_ABLATION["emodb"])
    hubert = {k for k in printed if "HuBERT" in (k if isinstance(k, str) else k[0])}
    assert hubert | {"DPCNN (full training)", "TextRCNN (full training)"} <= ours | {"HuBERT (fine-tuning)"}
    assert ours <= printed


def test_random_80_20_is_the_public_codes_split(tiny_synthetic):
    from serlib.data.splits import make_splits

    _, records = tiny_synthetic
    a, = make_splits(records, "random_80_20", seed=3)
    b, = make_splits(records, "random_80_20", seed=3)
    assert np.array_equal(a.test, b.test) and len(a.val) == 0 and not a.speaker_independent
    assert len(a.train) == int(0.8 * len(records)) and len(a.test) == len(records) - len(a.train)
    assert set(a.train).isdisjoint(a.test)


def test_epoch_selection_on_test_is_explicit_and_hash_neutral_by_default():
    from serlib.experiments.common import RunSpec

    plain = RunSpec(corpus="synthetic", protocol="random_80_20")
    assert "epoch_selection" not in plain.as_dict()  # old configuration hashes stay what they were
    peeking = RunSpec(corpus="synthetic", protocol="random_80_20", epoch_selection="test")
    assert peeking.as_dict()["epoch_selection"] == "test" and peeking.config_hash() != plain.config_hash()
    with pytest.raises(ValueError, match="epoch_selection"):
        RunSpec(corpus="synthetic", protocol="loso", epoch_selection="best")


def test_epoch_selection_on_test_refuses_a_protocol_with_validation(tiny_synthetic):
    from serlib.experiments.common import RunSpec, run_spec

    root, _ = tiny_synthetic
    spec = RunSpec(corpus="synthetic", protocol="speaker_kfold", model="small_cnn", model_config={"width": 4},
                   train={"epochs": 1, "batch_size": 8}, root=str(root), max_folds=1, subset_per_speaker=4,
                   epoch_selection="test", device="cpu")
    with pytest.raises(Exception, match="without a validation subset"):
        run_spec(spec)


def test_waveform_mask_marks_the_clip_and_not_the_padding(tiny_synthetic):
    from serlib.features.frontends import compute_front_end

    _, records = tiny_synthetic
    paths = [r.path for r in records[:3]]
    waves, = (compute_front_end("waveform_3s", paths),)
    masks = compute_front_end("waveform_3s_mask", paths)
    assert masks.dtype == bool and masks.shape == waves.shape
    for wave, mask in zip(waves, masks):
        n = int(mask.sum())
        assert mask[:n].all() and not mask[n:].any() and 0 < n <= len(mask)
        assert np.abs(wave[n:]).max(initial=0.0) == 0.0


def test_claims_from_our_results_read_the_paired_and_protocol_tables(quick_run, tmp_path):
    import shutil

    from serlib.experiments.audit import VERDICTS

    (tmp_path / "dual_stream_caf").mkdir()
    for table in ("table1_paired", "table1_protocols"):
        shutil.copy(quick_run / "results" / "dual_stream_caf" / f"{table}.quick.csv",
                    tmp_path / "dual_stream_caf" / f"{table}.csv")
    verdicts = ds.claims_from_results(tmp_path)
    caf = [v for v in verdicts if "CAF outperforms" in v["claim"]]
    assert {v["claim"].split("protocol ")[1].rstrip(")") for v in caf} == {"speaker_kfold", "random_80_20"}
    sources = ("table1_paired.csv", "table1_protocols.csv")
    assert all(v["verdict"] in VERDICTS and v["evidence"].endswith(sources) for v in verdicts)
    gap = [v for v in verdicts if "test-set selection" in v["claim"]]
    assert len(gap) == 1 and "best-on-test minus last epoch" in gap[0]["computed"]
    # the paper's own arithmetic audit comes first, unchanged
    assert len(ds.audit_all(tmp_path)) == len(paper.audit_claims()) + len(verdicts)
