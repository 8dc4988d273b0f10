"""dual_stream_caf paper facts: printed tables, inventory, paper-vs-code differences, claim audit."""
import pytest

from serlib.experiments import dual_stream_caf_paper as paper
from serlib.models import build_model


def test_every_ablation_table_has_4_single_and_16_dual_rows_with_three_metrics():
    for corpus, table in paper.PAPER_ABLATION.items():
        assert len(table) == 20
        assert all(set(row) == set(paper.METRICS) and all(0 < v < 1 for v in row.values()) for row in table.values())
        assert [r["row"] for r in paper.paper_rows(corpus)][:4] == list(paper.SINGLE_ROWS)
    with pytest.raises(KeyError, match="unknown corpus"):
        paper.paper_rows("savee")


def test_row_configs_name_registered_models_and_the_literature_tables_hold_our_row():
    for key, (model, config) in paper.ROW_CONFIGS.items():
        assert model in ("dual_stream_caf", "dual_stream_caf_single")
        if model == "dual_stream_caf":
            assert config["encoder_a"] in ("dpcnn", "textrcnn") and config["fusion"] in ("con", "sum", "film", "caf")
    # A printed configuration builds once its encoder B is swapped for an offline one.
    _, config = paper.ROW_CONFIGS[("HuBERT + DPCNN", "CAF")]
    from serlib.models.dual_stream_caf import TINY_CONFIG

    assert build_model("dual_stream_caf", 7, **{**config, "encoder_b": "tiny_random_hubert"}, **TINY_CONFIG)
    for corpus, rows in paper.PAPER_LITERATURE.items():
        ours = [r for r in rows if r[0] == paper.OWN_LITERATURE_ROW[corpus]]
        assert len(ours) == 1
        key = ("HuBERT + DPCNN", "CAF") if corpus != "iemocap" else ("HuBERT + TextRCNN", "CAF")
        assert ours[0][1] == pytest.approx(100 * paper.PAPER_ABLATION[corpus][key]["WA"])


def test_inventory_covers_every_table_and_figure_and_says_how_to_fill_the_hub_rows():
    elements = [item.element for item in paper.INVENTORY]
    assert elements == ["Figure 1", "Figure 2"] + [f"Table {i}" for i in range(1, 7)]
    table3 = next(item for item in paper.INVENTORY if item.element == "Table 3")
    assert table3.status == "unavailable here" and "load_corpus('iemocap'" in table3.how
    table1 = next(item for item in paper.INVENTORY if item.element == "Table 1")
    assert "HUBERT_BASE.get_model()" in table1.how and "not HuBERT" in table1.how


def test_code_differences_name_a_file_and_both_sides():
    rows = paper.code_differences_table()
    assert len(rows) >= 10 and all(r["file"] and r["paper"] and r["code"] and r["consequence"] for r in rows)
    topics = " ".join(r["topic"] for r in rows)
    assert "CAF" in topics and "protocol" in topics and "checkpoints" in topics
    assert all(r["commit"] == paper.CODE_COMMIT for r in rows)


def test_granularity_helpers():
    assert paper.is_count_fraction(104 / 107, 107) and paper.is_count_fraction(0.9720, 107)
    assert not paper.is_count_fraction(0.9259, 107)
    assert paper.heldout_test_size(535) == 107 and paper.heldout_test_size(5531) == 1107
    assert paper.heldout_test_size(1440, rule="ceil_test") == 288 == paper.heldout_test_size(1440)
    assert paper._binomial_tail(0, 5, 0.3) == pytest.approx(1.0)
    assert paper._binomial_tail(5, 5, 0.5) == pytest.approx(1 / 32)
    with pytest.raises(ValueError, match="rule"):
        paper.heldout_test_size(10, rule="round")


def test_printed_accuracies_fit_a_20_percent_holdout_not_leave_one_speaker_out():
    for corpus, holdout, matches in (("emodb", 107, 19), ("iemocap", 1107, 19), ("ravdess", 288, 16)):
        audit = paper.audit_test_set_sizes(corpus)
        fit = next(c for c in audit["candidates"].values() if c["N"] == holdout)
        assert fit["matches"] == matches and fit["p_at_least_by_chance"] < 1e-15
    iemocap = paper.audit_test_set_sizes("iemocap")["candidates"]
    assert next(c for c in iemocap.values() if c["N"] == 5531)["matches"] == 2  # pooled LOSO is excluded


def test_claim_audit_verdicts():
    verdicts = {v.claim: v for v in paper.audit_claims()}
    assert all(v.verdict in paper.VERDICTS for v in verdicts.values())

    def verdict(fragment):
        return next(v for claim, v in verdicts.items() if fragment in claim).verdict

    for corpus in ("EmoDB", "IEMOCAP", "RAVDESS"):
        assert verdict(f"{corpus} results come from leave-one-speaker-out") == "does not hold"
        assert verdict(f"{corpus}: CAF outperforms the other three fusions") == "holds"
    assert verdict("CAF is a cross-attention fusion module") == "does not hold"
    assert verdict("headline numbers for EmoDB") == "does not hold"  # F1S 0.8804 is HuBERT's single stream
    assert verdict("headline numbers for IEMOCAP") == "holds"
    assert verdict("'10 out of the 16") == "does not hold"  # 11 of 16 on every metric
    assert verdict("IEMOCAP: HuBERT + TextRCNN with CAF gives") == "does not hold"  # EmoDB's numbers pasted
    assert verdict("gains over Wav2Vec2") == "holds"
    assert verdict("2452 files") == "does not hold"
    assert verdict("reproduce with the paper's encoders") == "cannot be tested here"
    assert len(paper.verdict_table()) == len(verdicts)
