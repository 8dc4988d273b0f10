"""The live parts of notebook 07: the module trace, the routing summaries and the worked example of Eqs. 1-6."""
import numpy as np
import pytest
import torch

from serlib.experiments import speechnet_lesson as lesson
from serlib.models.speechnet import TINY_CONFIG, SpeechNet


def test_trace_reads_every_module_with_its_shapes():
    model = SpeechNet(5, **TINY_CONFIG).eval()
    stages = lesson.trace_speechnet(model, torch.randn(3, 1, 107, 40))
    names = [s[0] for s in stages]
    assert names[0].startswith("information encoding") and names[-1].startswith("speech routing")
    assert stages[-1][2] == (3, 5, 16)  # one 16-d output capsule per class
    for (_, _, out), (_, following, _) in zip(stages[:-2], stages[1:-1]):
        assert out == following  # each module reads what the previous one wrote
    ablated = SpeechNet(5, **TINY_CONFIG, use_recall=False).eval()
    assert not any(s[0].startswith("speech recall") for s in lesson.trace_speechnet(ablated, torch.randn(2, 1, 107, 40)))


def test_routing_summaries_are_normalised_and_name_the_winner():
    torch.manual_seed(0)
    model = SpeechNet(4, **TINY_CONFIG)
    x = torch.randn(6, 1, 107, 30).numpy()
    routing = lesson.routing_of(model, x)
    assert len(routing["coupling"]) == 2 and routing["coupling"][0].shape[::2] == (6, 4)
    assert routing["winner"].tolist() == routing["lengths"].argmax(1).tolist()
    to_winner = lesson.coupling_to_winner(routing)
    assert to_winner.shape == (2, 6) and np.all((to_winner > 0) & (to_winner < 1))
    np.testing.assert_allclose(routing["coupling"][1].sum(axis=2), 1.0, rtol=1e-5)


def test_worked_example_by_hand():
    example = lesson.worked_example()
    assert example["C_i"] == [4, 4, 3, 2, 2, 2] and example["correct runs"] == [4, 0, 3, 2, 2, 2]
    assert example["GLR"] == 1 and example["PLR"] == pytest.approx(2 / 6) and example["PCLR"] == pytest.approx(1 / 6)
    assert example["CLR"] == pytest.approx(example["FCLR"] + example["PCLR"])
