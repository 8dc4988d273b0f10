"""Helpers moved out of notebook 06: model tracing, block table, docstring decisions, attention on speech."""
import numpy as np
import pytest
import torch

from serlib.evaluate.attention import attention_maps, attention_on_speech, frame_centres_s, speech_frame_mask
from serlib.models import build_model
from serlib.models.complexity import parameter_count
from serlib.models.fla_ser import FLASER, TINY_CONFIG
from serlib.models.inspection import block_table, recording, trace_fla_ser
from serlib.report.docstrings import decision_items, decisions_table


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return FLASER(n_classes=4, **TINY_CONFIG).eval(), torch.randn(2, 1, 64, 120)


def test_trace_follows_the_forward_pass(tiny):
    model, x = tiny
    trace = trace_fla_ser(model, x)
    names = [name for name, _ in trace.stages]
    assert names[0].startswith("input") and names[-1].startswith("logits (4 classes)")
    assert dict(trace.stages)[names[0]] == (2, 1, 64, 120) and trace.stages[-1][1] == (2, 4)
    assert torch.equal(trace.maps["dmp_gates"], trace.dmp_gates)
    assert torch.equal(trace.maps["temporal_attention"], trace.temporal_weights)
    torch.testing.assert_close(trace.temporal_weights.sum(-1), torch.ones(2))
    with torch.no_grad():
        torch.testing.assert_close(trace.logits, model(x))


def test_recording_removes_its_hooks(tiny):
    model, x = tiny
    with recording({"lstm": model.lstm}) as seen:
        with torch.no_grad():
            model(x)
    assert len(seen["lstm"]) == 1 and not model.lstm._forward_hooks


def test_block_table_adds_up(tiny):
    model, _ = tiny
    table, flops = block_table(model, (1, 64, 120), {"lstm": "Bi-LSTM"})
    assert table["parameters"].sum() == parameter_count(model)
    assert "Bi-LSTM" in set(table["block"]) and flops["flops"] > 0


DOC = """A model.

Where the paper is vague (Paper says / We do / Why):

1. Width. Paper (Table 2): "256". We do: 256 units, ``x|y``. Why: the table says so.
2. Not in Table 2: the dropout, :class:`Dropout` at 0.1.
"""


def test_decisions_table_reference():
    items = decision_items(DOC)
    assert items[0] == ("1", ["Width", '(Table 2) "256".', "256 units, `x/y`.", "the table says so."])
    assert items[1] == ("2", ["Not in Table 2", "–", "the dropout, `Dropout` at 0.1.", "–"])
    assert decisions_table(DOC).splitlines()[2].startswith("| 1 | Width |")
    with pytest.raises(ValueError, match="no decisions list"):
        decisions_table("no such heading")


def test_fla_ser_docstring_has_decisions():
    assert len(decision_items(FLASER.__doc__)) >= 5


def test_frame_centres_and_speech_mask_reference():
    centres = frame_centres_s(4, hop_length=160, win_length=480, sample_rate=16000)
    np.testing.assert_allclose(centres, [0.015, 0.025, 0.035, 0.045])
    assert speech_frame_mask([(0.02, 0.04)], centres).tolist() == [False, True, True, False]
    with pytest.raises(ValueError, match="ends before"):
        speech_frame_mask([(0.3, 0.1)], centres)


def test_attention_on_speech_reference_values():
    alpha = np.array([[0.1, 0.4, 0.4, 0.1], [0.25, 0.25, 0.25, 0.25]])
    gates = np.array([[0.2, 0.8, 0.6, 0.4], [0.5, 0.5, 0.5, 0.5]])
    speech = np.array([[False, True, True, False], [False, True, True, False]])
    shares = attention_on_speech(alpha, gates, speech)
    assert shares["attention mass on speech"] == pytest.approx((0.8 + 0.5) / 2)
    assert shares["mean DMP gate, speech frames"] == pytest.approx(0.6)
    assert shares["mean DMP gate, other frames"] == pytest.approx(0.4)
    assert shares["share of frames that are speech"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="sum to 1"):
        attention_on_speech(alpha * 2, gates, speech)
    with pytest.raises(ValueError, match="both speech and non-speech"):
        attention_on_speech(alpha, gates, np.ones_like(speech))


def test_uniform_attention_puts_the_speech_share_on_speech():
    rng = np.random.default_rng(0)
    speech = rng.random((5, 30)) < 0.4
    speech[:, 0], speech[:, 1] = True, False
    shares = attention_on_speech(np.full((5, 30), 1 / 30), rng.random((5, 30)), speech)
    assert shares["attention mass on speech"] == pytest.approx(shares["share of frames that are speech"])


def test_attention_maps_of_a_model(tiny):
    model, x = tiny
    alpha, gates = attention_maps(model, x.numpy())
    assert alpha.shape == gates.shape == (2, 120)
    no_attention = build_model("fla_ser_ablation", 4, variant="+DMP", **TINY_CONFIG)
    with pytest.raises(KeyError, match="lack"):
        attention_maps(no_attention, x)
