"""dual_stream_caf models: encoders A, every printed fusion's algebra, the CAF closed form, our cross-attention."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as F

from serlib.models import build_model, parameter_count
from serlib.models import dual_stream_caf as dsc
from serlib.train.trainer import TrainConfig, Trainer, predict_logits

TINY = dsc.TINY_CONFIG
B_TINY = {"encoder_b": "tiny_random_hubert"}


def _rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# --------------------------------------------------------------------------- encoder A
def test_dpcnn_at_paper_size_has_the_3x224_region_kernel_and_the_pyramid():
    model = dsc.DPCNN()
    assert tuple(model.region.weight.shape) == (250, 1, 3, 224)
    assert len(model.blocks) == 8  # 224 -> 112 -> 56 -> 28 -> 14 -> 7 -> 4 -> 2 -> 1
    convs = 2 + 2 * len(model.blocks)
    assert parameter_count(model) == 250 * 3 * 224 + 250 + convs * (250 * 250 * 3 + 250)
    out = model(_rand(2, 1, 224, 224))
    assert out.shape == (2, 250)
    # Johnson and Zhang: every layer has its own weights (the public code shares one convolution).
    weights = [c.weight for c in model.first] + [c.weight for pair in model.blocks for c in pair]
    assert len({w.data_ptr() for w in weights}) == convs


def test_dpcnn_sequence_axis_picks_which_image_axis_the_region_slides_over():
    image = torch.zeros(1, 1, 8, 16)  # 8 Mel bands, 16 frames
    assert tuple(dsc.DPCNN((8, 16), 4, "time").region.weight.shape) == (4, 1, 3, 8)
    assert tuple(dsc.DPCNN((8, 16), 4, "frequency").region.weight.shape) == (4, 1, 3, 16)
    assert dsc.DPCNN((8, 16), 4, "time")(image).shape == (1, 4)
    with pytest.raises(ValueError, match="expects images of"):
        dsc.DPCNN((8, 16), 4)(torch.zeros(1, 1, 16, 8))


def test_textrcnn_paper_sizes_and_contexts_exclude_the_step_itself():
    model = dsc.TextRCNN()
    assert (model.lstm.input_size, model.lstm.hidden_size, model.lstm.bidirectional) == (768, 384, True)
    assert model(_rand(1, 1, 224, 224)).shape == (1, 384)
    small = dsc.TextRCNN((6, 10), embed=5, hidden=3, latent=4)
    embedded = _rand(1, 10, 5)
    changed = embedded.clone()
    changed[0, 4] += 1.0
    (left, right), (left2, right2) = small.contexts(embedded), small.contexts(changed)
    # Lai et al. Eqs. 1-2: c_l(i) reads steps < i, c_r(i) steps > i.
    torch.testing.assert_close(left[:, :5], left2[:, :5])
    torch.testing.assert_close(right[:, 4:], right2[:, 4:])
    assert not torch.allclose(left[:, 5], left2[:, 5]) and not torch.allclose(right[:, 3], right2[:, 3])
    assert torch.all(left[:, 0] == 0) and torch.all(right[:, -1] == 0)


def test_normalize_image_eq9():
    image = _rand(3, 1, 4, 5) * 20 - 60
    out = dsc.normalize_image(image)
    np.testing.assert_allclose(out.mean(dim=(1, 2, 3)).numpy(), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(dim=(1, 2, 3), unbiased=False).numpy(), 1, atol=1e-4)
    assert dsc.normalize_image(image, "none") is image
    with pytest.raises(ValueError, match="input_norm"):
        dsc.normalize_image(image, "global")
    with pytest.raises(ValueError, match="batch, 1, height, width"):
        dsc.normalize_image(torch.zeros(2, 3, 4, 5))


def test_image_time_axis_of_the_standins():
    emodb, ravdess = dsc.image_time_axis(2.0), dsc.image_time_axis(2.4)
    assert (emodb["native_frames"], ravdess["native_frames"]) == (1 + 32000 // 512, 1 + 38400 // 512)
    assert emodb["image_frames"] == 224 and emodb["stretch"] == pytest.approx(224 / 63)
    assert emodb["seconds_per_native_image"] == pytest.approx(224 * 512 / 16000)


# --------------------------------------------------------------------------- printed fusions
def test_sum_and_con_eqs_2_to_4():
    a, b = _rand(4, 6), _rand(4, 9, seed=1)
    for kind, expected in (("sum", lambda x, y: x + y), ("con", lambda x, y: torch.cat([x, y], -1))):
        fusion = dsc.AlignedFusion(kind, 6, 9, 8)
        xa, xb = fusion.align.fc_gamma(a), fusion.align.fc_beta(b)
        torch.testing.assert_close(fusion(a, b), expected(xa, xb))
    assert dsc.AlignedFusion("con", 6, 9, 8).out_dim == 16
    with pytest.raises(ValueError, match="one shape"):
        dsc.sum_fusion(a, b)


def test_film_eqs_5_to_7_by_hand_and_its_bilinear_cross_term():
    xg = torch.tensor([[1.0, 2.0, 3.0, 4.0]])  # v_g = [1, 2], w_g = [3, 4]
    xb = torch.tensor([[5.0, 6.0, 7.0, 8.0]])  # v_b = [5, 6], w_b = [7, 8]
    # x''_g = v_g * w_b + w_g = [1*7+3, 2*8+4]; x''_b = v_b * w_g + w_b = [5*3+7, 6*4+8]
    torch.testing.assert_close(dsc.film_fusion(xg, xb), torch.tensor([[10.0, 20.0, 22.0, 32.0]]))
    # Not affine: scaling both inputs by 2 doubles the additive parts but quadruples the products.
    torch.testing.assert_close(dsc.film_fusion(2 * xg, 2 * xb), torch.tensor([[4 * 7 + 6, 4 * 16 + 8,
                                                                               4 * 15 + 14, 4 * 24 + 16.0]]))
    with pytest.raises(ValueError, match="odd"):
        dsc.film_split(torch.zeros(1, 5))
    with pytest.raises(ValueError, match="even fusion_dim"):
        dsc.AlignedFusion("film", 3, 3, 7)


@pytest.mark.parametrize("bias_split", ["half", "full"])
def test_caf_equals_its_derived_closed_form(bias_split):
    torch.manual_seed(0)
    caf = dsc.CAFusion(6, 9, 5, bias_split)
    a, b = _rand(7, 6), _rand(7, 9, seed=1)
    weight, bias = dsc.caf_closed_form(caf)
    out = caf(a, b)
    torch.testing.assert_close(out, torch.cat([a, b], -1) @ weight.T + bias)
    # Hence CAF = CON followed by one linear layer ...
    linear = torch.nn.Linear(15, 5)
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.copy_(bias)
    torch.testing.assert_close(out, linear(torch.cat([a, b], -1)))
    # ... = K_1 + K_2 + V (+ b_v once more when every branch adds the whole bias): Eq. 17's V is the fusion.
    k1, k2 = dsc.caf_keys(a, b, caf.fc_k1, caf.fc_k2)
    v = dsc.caf_value(a, b, caf.fc_v)
    torch.testing.assert_close(out, k1 + k2 + v + (caf.fc_v.bias if bias_split == "full" else 0))
    # ... and equals SUM (Eqs. 2-3) with FC_1 = FC_k1 + W^gamma, FC_2 = FC_k2 + W^beta: the same function class.
    summed = dsc.AlignedFusion("sum", 6, 9, 5)
    with torch.no_grad():
        summed.align.fc_gamma.weight.copy_(weight[:, :6])
        summed.align.fc_beta.weight.copy_(weight[:, 6:])
        summed.align.fc_gamma.bias.copy_(bias)
        summed.align.fc_beta.bias.zero_()
    torch.testing.assert_close(out, summed(a, b))


@settings(max_examples=25, deadline=None)
@given(st.floats(-3, 3), st.integers(0, 10_000))
def test_caf_is_affine_no_attention_step(alpha, seed):
    torch.manual_seed(seed)
    caf = dsc.CAFusion(4, 3, 2)
    a1, b1, a2, b2 = _rand(2, 4, seed=seed), _rand(2, 3, seed=seed + 1), _rand(2, 4, seed=seed + 2), _rand(2, 3, seed=seed + 3)
    mixed = caf(alpha * a1 + (1 - alpha) * a2, alpha * b1 + (1 - alpha) * b2)
    torch.testing.assert_close(mixed, alpha * caf(a1, b1) + (1 - alpha) * caf(a2, b2), atol=1e-4, rtol=1e-4)


def test_caf_eq19_and_the_bias_split_switch():
    caf = dsc.CAFusion(2, 3, 4)
    (wg, bg), (wb, bb) = dsc.caf_split_value_parameters(caf.fc_v, 2, "half")
    assert wg.shape == (4, 2) and wb.shape == (4, 3)
    torch.testing.assert_close(bg + bb, caf.fc_v.bias)
    q, k = _rand(3, 2), _rand(3, 4, seed=2)
    torch.testing.assert_close(dsc.caf_attention_score(q, k, wg, bg), q @ wg.T + bg + k)
    with pytest.raises(ValueError, match="caf_bias"):
        dsc.CAFusion(2, 3, 4, "third")


# --------------------------------------------------------------------------- Eq. 15 and our cross-attention
def test_eq15_matches_torch_and_masks_padded_keys():
    q, k, v = _rand(2, 3, 1, 8), _rand(2, 3, 5, 8, seed=1), _rand(2, 3, 5, 4, seed=2)
    out, weights = dsc.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    out, weights = dsc.scaled_dot_product_attention(q, k, v, mask)
    assert torch.all(weights[0, :, :, 3:] == 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 1))


def test_xattn_ignores_padded_frames():
    torch.manual_seed(0)
    fusion = dsc.CrossAttentionFusion(6, 5, 8, heads=2)
    a, frames = _rand(2, 6), _rand(2, 7, 5, seed=1)
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[0, 4:] = False
    out = fusion(a, None, beta_sequence=frames, beta_mask=mask)
    changed = frames.clone()
    changed[0, 4:] = 100.0
    torch.testing.assert_close(out, fusion(a, None, beta_sequence=changed, beta_mask=mask))
    assert out.shape == (2, 16) and torch.all(fusion.last_weights[0, :, :, 4:] == 0)


# --------------------------------------------------------------------------- classifiers
def _dual_inputs(batch=2, samples=4000, seed=0):
    mask = torch.ones(batch, samples, dtype=torch.bool)
    mask[-1, samples // 2:] = False
    return _rand(batch, 1, 32, 32, seed=seed), _rand(batch, samples, seed=seed + 1) * 0.1, mask


@pytest.mark.parametrize("fusion", dsc.FUSIONS)
@pytest.mark.parametrize("encoder_a", dsc.ENCODERS_A)
def test_dual_stream_shapes_every_fusion(encoder_a, fusion):
    model = build_model("dual_stream_caf", 4, encoder_a=encoder_a, fusion=fusion, **B_TINY, **TINY)
    image, waveform, mask = _dual_inputs()
    assert model((image, waveform)).shape == (2, 4) and model((image, waveform, mask)).shape == (2, 4)
    assert "RANDOM weights (untrained" in model.label
    if fusion == "xattn":
        assert "ours, not in the paper" in model.label


def test_paper_caf_is_the_output_layer():
    model = build_model("dual_stream_caf", 7, fusion="caf", **B_TINY, **TINY)
    assert isinstance(model.head, torch.nn.Identity) and model.fusion.out_dim == 7
    model = build_model("dual_stream_caf", 7, fusion="caf", caf_dim=16, **B_TINY, **TINY)
    assert not isinstance(model.head, torch.nn.Identity)


def test_bad_inputs_and_options_give_clear_errors():
    model = build_model("dual_stream_caf", 3, **B_TINY, **TINY)
    image, waveform, _ = _dual_inputs()
    with pytest.raises(ValueError, match="expects a tuple"):
        model(image)
    with pytest.raises(ValueError, match="differs from waveform batch"):
        model((image[:1], waveform))
    with pytest.raises(KeyError, match="unknown fusion"):
        build_model("dual_stream_caf", 3, fusion="mean", **B_TINY, **TINY)
    with pytest.raises(KeyError, match="unknown dual_stream_caf option"):
        build_model("dual_stream_caf", 3, kernel=5, **B_TINY, **TINY)
    with pytest.raises(KeyError, match="unknown encoder_b"):
        build_model("dual_stream_caf", 3, encoder_b="bert", **TINY)


@pytest.mark.parametrize("freeze_b", [True, False])
def test_frozen_encoder_b_gets_no_gradient_fine_tuned_does(freeze_b):
    model = build_model("dual_stream_caf", 3, freeze_b=freeze_b, fusion="sum", **B_TINY, **TINY)
    model.train()
    model(_dual_inputs()).sum().backward()
    grads = [p.grad for p in model.encoder_b.parameters()]
    assert all(g is None for g in grads) if freeze_b else any(g is not None and g.abs().sum() > 0 for g in grads)
    assert model.encoder_b.training is (not freeze_b)
    assert all(p.grad is not None for p in model.encoder_a.parameters())


def test_single_stream_models():
    image, waveform, mask = _dual_inputs()
    for encoder in dsc.ENCODERS_A:
        model = build_model("dual_stream_caf_single", 5, encoder=encoder, **dsc.TINY_ENCODER_A_CONFIG)
        assert model(image).shape == (2, 5)
    speech = build_model("dual_stream_caf_single", 5, encoder="tiny_random_wav2vec2", freeze=True)
    assert speech(waveform).shape == (2, 5) and speech((waveform, mask)).shape == (2, 5)
    assert speech.label.endswith("frozen")
    with pytest.raises(KeyError, match="encoder A only"):
        build_model("dual_stream_caf_single", 5, encoder="tiny_random_wav2vec2", image_size=(8, 8))


# --------------------------------------------------------------------------- trainer with tuple inputs
def test_trainer_indexes_a_tuple_of_arrays_together():
    images, waves = np.arange(6, dtype=np.float32).reshape(6, 1), np.arange(6, dtype=np.float32).reshape(6, 1) * 10
    masks = np.ones((6, 1), dtype=bool)

    class Probe(torch.nn.Module):
        def forward(self, inputs):
            image, wave, mask = inputs
            assert mask.dtype == torch.bool
            assert torch.equal(wave, image * 10)  # the members of a batch are the same rows
            return torch.cat([image, wave], dim=1)

    logits = predict_logits(Probe(), (images, waves, masks), batch_size=4, device="cpu")
    np.testing.assert_array_equal(logits[:, 0], np.arange(6))
    with pytest.raises(ValueError, match="differ in length"):
        Trainer(TrainConfig(epochs=1, progress=False)).fit(Probe(), ((images, waves[:5], masks), np.zeros(6)))


def test_tiny_end_to_end_fit_on_separable_random_data():
    rng = np.random.default_rng(0)
    n, samples = 48, 2000
    labels = np.arange(n) % 2
    images = rng.standard_normal((n, 1, 32, 32)).astype(np.float32)
    images[:, :, :16] += np.where(labels == 1, 2.0, -2.0)[:, None, None, None]  # class in the image's lower bands
    t = np.arange(samples) / 16000
    tones = np.where(labels[:, None] == 1, np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 200 * t))
    waves = (0.3 * tones + 0.01 * rng.standard_normal((n, samples))).astype(np.float32)
    masks = np.ones((n, samples), dtype=bool)
    torch.manual_seed(0)
    model = build_model("dual_stream_caf", 2, fusion="caf", freeze_b=True, dropout=0.0, **B_TINY, **TINY)
    trainer = Trainer(TrainConfig(epochs=8, batch_size=16, lr=3e-3, optimizer="adamw", patience=None,
                                  epoch_policy="last", monitor="train_loss", progress=False, device="cpu"))
    result = trainer.fit(model, ((images, waves, masks), labels))
    accuracy = (predict_logits(result.model, (images, waves, masks), device="cpu").argmax(1) == labels).mean()
    assert accuracy == 1.0
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_flops_of_a_tuple_input_model_count_both_streams():
    from serlib.models.complexity import count_flops

    dual = build_model("dual_stream_caf", 3, fusion="sum", **B_TINY, **TINY)
    single_a = dual.encoder_a
    total = count_flops(dual, ((1, 32, 32), (4000,)))
    assert set(total["by_module"]) >= {"encoder_a", "encoder_b", "fusion"}
    assert total["by_module"]["encoder_a"] == count_flops(single_a, (1, 32, 32))["flops"]
    assert total["flops"] == sum(total["by_module"].values())


def test_eq8_logmel_image_feeds_encoder_a():
    waveform = _rand(2, 32000) * 0.1
    image = dsc.logmel_image(waveform, device="cpu")
    assert image.shape == (2, 1, 224, 224)
    assert dsc.DPCNN()(image).shape == (2, 250)
