"""Units of the wavelet_cnn_lstm reproduction: selection rules, per-class metrics, its protocol, front ends,
the trainer's measurement-only watch set, the added optimisers, the model's input pooling, spec hashes."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings as hsettings, strategies as st
from sklearn.metrics import precision_recall_fscore_support

from serlib.data import Record
from serlib.data.splits import make_splits
from serlib.experiments.common import RunSpec
from serlib.experiments.wavelet_cnn_lstm import (per_class_metrics, rule_run, selected_epoch, table6_blocks,
                                                 TABLE6_BLOCKS)
from serlib.experiments.wavelet_cnn_lstm_paper import PAPER_HEADLINES, PAPER_TABLE6_ROWS
from serlib.models import build_model
from serlib.train import TrainConfig, Trainer


def _run(val_wa, test_wa, best_epoch):
    y_true = [0, 1, 1, 0]
    history = []
    for e, (v, t) in enumerate(zip(val_wa, test_wa), start=1):
        correct = int(round(t * len(y_true)))
        pred = [y if i < correct else 1 - y for i, y in enumerate(y_true)]
        history.append({"epoch": e, "val_WA": v, "watch_WA": t, "watch_pred": pred})
    return {"fold": "f", "seed": 0, "history": history, "best_epoch": best_epoch, "reported_epoch": best_epoch,
            "y_true": y_true}


def test_selection_rules_pick_their_epochs():
    run = _run([0.2, 0.6, 0.4], [0.5, 0.25, 0.75], best_epoch=2)
    assert selected_epoch(run, "best_on_validation") == 2
    assert selected_epoch(run, "last") == 3
    assert selected_epoch(run, "best_on_test") == 3
    tie = _run([0.2, 0.2], [0.75, 0.75], best_epoch=1)
    assert selected_epoch(tie, "best_on_test") == 1, "ties go to the earliest epoch"
    assert rule_run(run, "best_on_test", 2)["WA"] == pytest.approx(0.75)
    assert rule_run(run, "best_on_validation", 2)["WA"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="unknown selection rule"):
        selected_epoch(run, "best_on_luck")
    del run["history"][0]["watch_WA"]
    with pytest.raises(KeyError, match="score_test_each_epoch"):
        selected_epoch(run, "best_on_test")


@hsettings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=4, max_size=40), st.integers(0, 10_000))
def test_per_class_metrics_match_scikit_learn(y_true, seed):
    y_pred = np.random.default_rng(seed).integers(0, 4, len(y_true))
    ours = per_class_metrics(y_true, y_pred, 4)
    precision, recall, f1, _ = precision_recall_fscore_support(y_true, y_pred, labels=range(4), zero_division=0)
    for c in range(4):
        assert ours[c]["precision"] == pytest.approx(precision[c])
        assert ours[c]["recall"] == pytest.approx(recall[c])
        assert ours[c]["F1"] == pytest.approx(f1[c])
        one_vs_rest = np.mean((np.asarray(y_true) == c) == (y_pred == c))
        assert ours[c]["accuracy"] == pytest.approx(one_vs_rest)


def test_table6_blocks_end_with_the_headlines():
    blocks = table6_blocks()
    assert list(blocks) == list(TABLE6_BLOCKS)
    assert sum(len(b) for b in blocks.values()) == len(PAPER_TABLE6_ROWS)
    for column, rows in blocks.items():
        assert rows[-1] == ("Proposed Work", PAPER_HEADLINES[column])


def _corpus(n_female, n_male, per=4):
    records = []
    for s in range(n_female + n_male):
        gender = "female" if s < n_female else "male"
        for u in range(per):
            records.append(Record(f"/x/{s:02d}_{u}.wav", "toy", f"{s:02d}", gender, ["a", "b"][u % 2], "a", {}))
    return records


@hsettings(max_examples=20, deadline=None)
@given(st.integers(3, 7), st.integers(3, 7), st.integers(0, 1000))
def test_mf_pairs_are_disjoint_female_male_pairs(n_female, n_male, seed):
    records = _corpus(n_female, n_male)
    gender = {r.speaker: r.gender for r in records}
    splits = make_splits(records, "holdout_mf_pairs_x3", seed=seed)
    assert len(splits) == 3
    tested = [s.test_speakers for s in splits]
    assert len({spk for pair in tested for spk in pair}) == 6, "three disjoint pairs"
    for split, pair in zip(splits, tested):
        assert sorted(gender[s] for s in pair) == ["female", "male"]
        val = {records[i].speaker for i in split.val}
        assert val and not val & set(pair)
    assert [s.test_speakers for s in make_splits(records, "holdout_mf_pairs_x3", seed=seed)] == tested


def test_mf_pairs_need_three_of_each_gender():
    with pytest.raises(ValueError, match="at least 3 speakers of each gender"):
        make_splits(_corpus(2, 5), "holdout_mf_pairs_x3")


def test_paper_sd_protocol_is_three_disjoint_20_percent_test_sets():
    records = _corpus(4, 4, per=10)
    splits = make_splits(records, "random_kfold", seed=0)[:3]
    tests = [set(s.test.tolist()) for s in splits]
    assert all(len(t) == len(records) // 5 for t in tests)
    assert not (tests[0] & tests[1]) and not (tests[1] & tests[2]) and not (tests[0] & tests[2])


def test_the_new_spec_field_keeps_old_hashes():
    spec = RunSpec(corpus="synthetic", protocol="loso")
    assert "score_test_each_epoch" not in spec.as_dict()
    flagged = RunSpec(corpus="synthetic", protocol="loso", score_test_each_epoch=True)
    assert flagged.as_dict()["score_test_each_epoch"] is True
    assert flagged.config_hash() != spec.config_hash()
    assert RunSpec.from_dict(flagged.as_dict()) == flagged
    with pytest.raises(ValueError, match="inner_folds"):
        RunSpec(corpus="synthetic", protocol="loso", inner_folds=2, score_test_each_epoch=True)


def _data(seed=0, n=24):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    return x, y


def _fit(watch=None, optimizer="adam"):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    config = TrainConfig(epochs=3, batch_size=8, lr=1e-2, device="cpu", progress=False, optimizer=optimizer,
                         patience=None, monitor="val_loss")

    def metrics(t, p):
        return {"WA": float(np.mean(np.asarray(t) == np.asarray(p)))}

    return Trainer(config, metric_fn=metrics).fit(model, _data(0), _data(1), watch=watch)


def test_the_watch_set_is_scored_every_epoch_and_changes_nothing():
    plain, watched = _fit(), _fit(watch=_data(2))
    for a, b in zip(plain.history, watched.history):
        assert a["train_loss"] == b["train_loss"] and a["val_pred"] == b["val_pred"]
        assert "watch_WA" in b and len(b["watch_pred"]) == 24 and "watch_WA" not in a
    for p, q in zip(plain.model.parameters(), watched.model.parameters()):
        torch.testing.assert_close(p, q)
    x, y = _data(2)
    last = watched.history[-1]
    if watched.reported_epoch == last["epoch"]:
        pred = watched.model(torch.as_tensor(x)).argmax(1).numpy()
        assert last["watch_pred"] == pred.tolist()
    assert last["watch_WA"] == pytest.approx(np.mean(np.asarray(last["watch_pred"]) == y))


@pytest.mark.parametrize("optimizer, cls", [("adamax", torch.optim.Adamax), ("rmsprop", torch.optim.RMSprop)])
def test_adamax_and_rmsprop_are_built(optimizer, cls):
    trainer = Trainer(TrainConfig(optimizer=optimizer, lr=0.01, device="cpu", progress=False))
    built = trainer._optimizer(torch.nn.Linear(2, 2))
    assert isinstance(built, cls) and built.param_groups[0]["lr"] == 0.01
    assert np.isfinite(_fit(optimizer=optimizer).history[-1]["train_loss"])
    with pytest.raises(ValueError, match="optimizer must be one of"):
        TrainConfig(optimizer="lbfgs")


def test_input_pooling_quarters_the_image_and_keeps_the_output():
    full = build_model("wavelet_cnn_lstm", 5, filters=4, lstm_hidden=6, fc_dim=8, image_height=32)
    pooled = build_model("wavelet_cnn_lstm", 5, filters=4, lstm_hidden=6, fc_dim=8, image_height=32, input_pool=2)
    x = torch.rand(2, 3, 32, 40)
    assert full(x).shape == pooled(x).shape == (2, 5)
    half = build_model("wavelet_cnn_lstm", 5, filters=4, lstm_hidden=6, fc_dim=8, image_height=16)
    half.load_state_dict(pooled.state_dict())
    assert pooled.lstm.input_size == half.lstm.input_size
    with torch.no_grad():
        torch.testing.assert_close(pooled.eval()(x), half.eval()(torch.nn.functional.avg_pool2d(x, 2)))
    with torch.no_grad():
        torch.testing.assert_close(pooled.input_pooling(x), torch.nn.functional.avg_pool2d(x, 2))
    with pytest.raises(ValueError, match="input_pool"):
        build_model("wavelet_cnn_lstm", 5, input_pool=0)
    wave = build_model("wavelet_cnn_lstm_1d", 5, filters=2, lstm_hidden=6, fc_dim=8, input_pool=4)
    assert wave(torch.randn(2, 1, 4000)).shape == (2, 5)


def test_comparison_images_are_rendered_like_the_wavelet_image():
    import librosa

    from serlib.features.frontends import get_front_end
    from serlib.features.wavelet_image import COMPARISON_IMAGE_CONFIG, time_frequency_image

    rng = np.random.default_rng(0)
    t = np.arange(32000) / 16000
    tone = (np.sin(2 * np.pi * 1000 * t) + 0.01 * rng.normal(size=t.size)).astype(np.float32)
    for name in ("logmel_rgb", "stft_rgb", "wavelet_rgb"):
        image = get_front_end(name).from_signals([tone])
        assert image.shape == (1, 3, 128, 128) and 0 <= image.min() and image.max() <= 1
    # the brightest row of the STFT image sits at 1 kHz of its 60-6000 Hz linear axis
    stft = time_frequency_image(tone, 16000, "stft")
    frequencies = librosa.fft_frequencies(sr=16000, n_fft=COMPARISON_IMAGE_CONFIG["n_fft"])
    kept = frequencies[(frequencies >= 60) & (frequencies <= 6000)]
    row = int(np.argmax(stft.sum(axis=(0, 2))))  # viridis: brighter colours have larger channel sums
    assert abs(np.interp(row, np.linspace(0, 127, kept.size), kept) - 1000) < 60
    with pytest.raises(ValueError, match="transform must be one of"):
        time_frequency_image(tone, 16000, "cqt")


def test_claim_verdicts_from_paired_rows():
    import pandas as pd

    from serlib.experiments.wavelet_cnn_lstm_paper import _verdict_of_pairs

    def rows(*cells):
        return pd.DataFrame([{"ours": m, "ci_low": lo, "ci_high": hi, "notes": note} for m, lo, hi, note in cells])

    assert _verdict_of_pairs(rows((-3.0, -5.0, -1.0, "")), -1)[0] == "holds"
    assert _verdict_of_pairs(rows((-3.0, -5.0, -1.0, ""), (-1.0, -4.0, 2.0, "")), -1)[0] == "cannot be tested here"
    assert _verdict_of_pairs(rows((3.0, 1.0, 5.0, "")), -1)[0] == "does not hold"
    assert _verdict_of_pairs(rows((2.0, float("nan"), float("nan"), "")), 1)[0] == "cannot be tested here"
    # a collapsed arm: against a claim that it is the better one, no evidence for a claim that it is worse
    collapsed = rows((-20.0, -25.0, -15.0, "COLLAPSED: 9 of 9 runs never learned the task"))
    assert _verdict_of_pairs(collapsed, +1)[0] == "does not hold"
    assert _verdict_of_pairs(collapsed, -1)[0] == "cannot be tested here"
