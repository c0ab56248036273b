"""Shapes and invariants of every model part."""
import math

import pytest
import torch

from lantern.autoencoder import AutoencoderConfig, LatentStats, VideoAutoencoder, edge_l1, with_decoder_noise
from lantern.dit import DiT, DiTConfig, apply_rope, attention, rope_tables
from lantern.flow import euler_step, sample_schedule, sample_training_time, shift_time
from lantern.noise import gaussian_noise, mulberry32
from lantern.text_encoder import TextEncoder, TextEncoderConfig

SMALL_DIT = DiTConfig(latent_channels=4, latent_frames=2, latent_size=4, patch=2, dim=64, depth=2, heads=2, text_dim=32)


def test_text_encoder_shapes_and_padding_is_finite():
    enc = TextEncoder(TextEncoderConfig(vocab_size=50, dim=32, depth=1, heads=2))
    ids = torch.randint(0, 50, (3, 48))
    mask = torch.zeros(3, 48, dtype=torch.bool)
    mask[0, :5] = True
    out = enc(ids, mask)
    assert out.shape == (3, 48, 32)
    assert torch.isfinite(out).all()  # rows 1 and 2 are all padding


def test_text_encoder_ignores_padded_tokens_ids():
    enc = TextEncoder(TextEncoderConfig(vocab_size=50, dim=32, depth=2, heads=2)).eval()
    ids = torch.randint(4, 50, (1, 48))
    mask = torch.zeros(1, 48, dtype=torch.bool)
    mask[0, :6] = True
    other = ids.clone()
    other[0, 6:] = 0
    a, b = enc(ids, mask), enc(other, mask)
    torch.testing.assert_close(a[:, :6], b[:, :6])


def test_autoencoder_shapes_and_chunk_independence():
    ae = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8))).eval()
    video = torch.rand(2, 8, 3, 32, 32)
    z = ae.encoder(video)
    assert z.shape == (2, 4, 2, 4, 4)
    out = ae.decoder(z)
    assert out.shape == video.shape and out.min() >= 0 and out.max() <= 1
    changed = video.clone()
    changed[:, 4:] = torch.rand_like(changed[:, 4:])
    torch.testing.assert_close(ae.encoder(changed)[:, :, 0], z[:, :, 0])  # the first chunk alone decides latent frame 0


def test_temporal_decoder_blocks_reach_two_latent_frames_each_way():
    torch.manual_seed(0)
    ae = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8),
                                            decoder_temporal=1)).eval()
    z = torch.randn(2, 4, 5, 4, 4)  # 5 latent frames
    plain = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8))).eval()
    assert set(plain.state_dict()) < set(ae.state_dict())  # 0 blocks: a checkpoint from before loads as it was
    plain.load_state_dict({k: v for k, v in ae.state_dict().items() if k in plain.state_dict()})
    torch.testing.assert_close(ae.decoder(z), plain.decoder(z))  # a new block starts as the identity
    torch.nn.init.normal_(ae.decoder.temporal[0].conv2.weight, std=0.1)
    changed = z.clone()
    changed[:, :, 4] += 1.0  # the last latent frame (video frames 16-19)
    a, b = ae.decoder(z), ae.decoder(changed)
    moved = (a - b).abs().amax(dim=(0, 2, 3, 4)).reshape(5, 4).amax(1)  # per latent frame
    assert moved[:2].max() == 0  # latent frames 0 and 1 are out of the block's reach
    assert moved[2:].min() > 0  # 2 and 3 now see it


def test_autoencoder_rejects_frame_counts_it_cannot_chunk():
    ae = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8)))
    with pytest.raises(ValueError, match="multiple of 4"):
        ae.encoder(torch.rand(1, 6, 3, 32, 32))


def test_edge_loss_charges_a_blur_and_only_with_its_weight():
    video = torch.zeros(1, 4, 3, 16, 16)
    video[..., 4:12, 4:12] = 1.0  # a square with sharp edges
    blurred = torch.nn.functional.avg_pool2d(video.reshape(4, 3, 16, 16), 3, 1, 1).reshape(video.shape)
    assert edge_l1(video, video).item() == 0.0
    assert edge_l1(blurred, video).item() > 0.01
    torch.manual_seed(0)
    plain = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8)))
    torch.manual_seed(0)
    edged = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 8, 8), decoder_widths=(8, 8, 8, 8), edge_weight=0.5))
    torch.manual_seed(1)
    loss, metrics = plain.loss(video)
    torch.manual_seed(1)
    edged_loss, edged_metrics = edged.loss(video)
    assert "edge_l1" not in metrics
    assert edged_loss.item() == pytest.approx(loss.item() + 0.5 * edged_metrics["edge_l1"], rel=1e-5)


def test_latent_stats_round_trip():
    z = torch.randn(4, 3, 2, 4, 4) * torch.tensor([1.0, 2.0, 3.0]).reshape(1, 3, 1, 1, 1) + 5
    stats = LatentStats.measure(z)
    n = stats.normalise(z)
    assert abs(n.mean().item()) < 1e-4 and abs(n.std().item() - 1) < 0.05
    torch.testing.assert_close(stats.denormalise(n), z)


def test_dit_output_shape_and_fast_path_matches_reference():
    dit = DiT(SMALL_DIT)
    for p in dit.parameters():  # leave adaLN-Zero's zero init so the output is not trivially 0
        torch.nn.init.normal_(p, std=0.05)
    x = torch.randn(2, SMALL_DIT.in_channels, 2, 4, 4)
    t, text = torch.rand(2), torch.randn(2, 48, 32)
    fast, ref = dit(x, t, text, fast=True), dit(x, t, text, fast=False)
    assert fast.shape == (2, 4, 2, 4, 4)
    assert fast.abs().max() > 1e-3
    torch.testing.assert_close(fast, ref, atol=1e-5, rtol=1e-4)


def test_x_prediction_turns_a_predicted_clean_latent_into_v():
    """prediction "x": the last layer gives x0 and the model returns
    v = (x_t - x0) / max(t, X_MIN_T), so a perfect x0 gives the true
    v = noise - x0 at every t >= X_MIN_T, and the same v as "v" would need."""
    import dataclasses

    from lantern.dit import X_MIN_T
    from lantern.flow import noisy

    dit = DiT(dataclasses.replace(SMALL_DIT, prediction="x"))
    x0, noise = torch.randn(3, 4, 2, 4, 4), torch.randn(3, 4, 2, 4, 4)
    t = torch.tensor([1.0, 0.5, X_MIN_T])
    x_in = torch.cat([noisy(x0, noise, t), torch.zeros_like(x0), torch.zeros_like(x0[:, :1])], 1)
    dit.final = lambda tokens, c: x0  # a last layer that knows the clean latent
    torch.testing.assert_close(dit(x_in, t, torch.randn(3, 48, 32)), noise - x0, atol=1e-5, rtol=1e-4)
    # Below X_MIN_T the division is clamped: v is scaled by t / X_MIN_T, not blown up.
    small = torch.full((3,), X_MIN_T / 4)
    x_in[:, :4] = noisy(x0, noise, small)
    torch.testing.assert_close(dit(x_in, small, torch.randn(3, 48, 32)), (noise - x0) / 4, atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="Must be one of: v, x"):
        DiT(dataclasses.replace(SMALL_DIT, prediction="eps"))


def test_dit_attends_across_time():
    """Full spatiotemporal attention: changing frame 1 changes frame 0's output."""
    dit = DiT(SMALL_DIT)
    for p in dit.parameters():
        torch.nn.init.normal_(p, std=0.05)
    x = torch.randn(1, SMALL_DIT.in_channels, 2, 4, 4)
    y = x.clone()
    y[:, :, 1] += 1
    t, text = torch.rand(1), torch.randn(1, 48, 32)
    assert (dit(x, t, text)[:, :, 0] - dit(y, t, text)[:, :, 0]).abs().max() > 1e-4


def test_rope_is_relative():
    """RoPE: q.k depends only on the difference of positions."""
    cos, sin = rope_tables((3, 4, 5), (8, 12, 12), 10000.0)
    q, k = torch.randn(32, dtype=torch.float64), torch.randn(32, dtype=torch.float64)
    rq = apply_rope(q.expand(1, 1, 60, 32), cos.double(), sin.double())[0, 0]
    rk = apply_rope(k.expand(1, 1, 60, 32), cos.double(), sin.double())[0, 0]
    idx = lambda f, r, c: f * 20 + r * 5 + c
    a = rq[idx(1, 1, 1)] @ rk[idx(2, 3, 2)]
    b = rq[idx(0, 0, 2)] @ rk[idx(1, 2, 3)]
    assert math.isclose(a.item(), b.item(), rel_tol=1e-6)  # tables are float32
    assert not math.isclose(a.item(), (rq[idx(0, 0, 0)] @ rk[idx(0, 0, 3)]).item(), rel_tol=1e-3)


def test_attention_matches_softmax_definition():
    q, k, v = torch.randn(1, 1, 3, 4), torch.randn(1, 1, 5, 4), torch.randn(1, 1, 5, 4)
    w = torch.softmax(q[0, 0] @ k[0, 0].T / 2.0, -1)
    torch.testing.assert_close(attention(q, k, v, fast=False)[0, 0], w @ v[0, 0])


def test_schedule_runs_from_start_to_zero_and_euler_reaches_data():
    ts = sample_schedule(10, 2.0)
    assert ts[0] == 1.0 and ts[-1] == 0.0 and all(a > b for a, b in zip(ts, ts[1:]))
    assert sample_schedule(4, 2.0, start=0.6)[0] == pytest.approx(0.6)
    assert shift_time(torch.tensor(0.5), 3.0).item() == pytest.approx(0.75)
    x0, noise = torch.randn(5), torch.randn(5)
    x = noise.clone()
    for t, t_next in zip(ts, ts[1:]):  # the exact velocity integrates straight to x0
        x = euler_step(x, noise - x0, t, t_next)
    torch.testing.assert_close(x, x0)
    with pytest.raises(ValueError, match="steps"):
        sample_schedule(0, 1.0)


def test_noise_matches_the_javascript_generator():
    # Values printed by the JavaScript mulberry32 (Math.imul) for seeds 12345 and 2^32-1.
    assert mulberry32(12345, 4).tolist() == [0.9797282677609473, 0.3067522644996643, 0.484205421525985, 0.817934412509203]
    assert mulberry32(2 ** 32 - 1, 2).tolist() == [0.8964226141106337, 0.189478256739676]
    n = gaussian_noise(3, (4, 1000))
    assert n.dtype == torch.float32 and abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    torch.testing.assert_close(gaussian_noise(3, (4, 1000)), n)
    assert not torch.equal(gaussian_noise(4, (4, 1000)), n)


def test_training_times_reach_low_noise_only_with_a_uniform_share():
    g = torch.Generator().manual_seed(0)
    logit_normal = sample_training_time(20_000, 2.0, 0.0, generator=g)
    mixed = sample_training_time(20_000, 2.0, 0.3, generator=g)
    assert logit_normal.min() >= 0 and mixed.max() <= 1
    assert (logit_normal < 0.1).float().mean() < 0.01  # why the uniform share exists
    assert 0.025 < (mixed < 0.1).float().mean() < 0.04  # 0.3 * 0.1 from the uniform share


def test_a_high_noise_share_draws_near_one_and_leaves_the_default_draws_unchanged():
    default = sample_training_time(20_000, 2.0, 0.3, generator=torch.Generator().manual_seed(0))
    unchanged = sample_training_time(20_000, 2.0, 0.3, generator=torch.Generator().manual_seed(0), high_fraction=0.0)
    torch.testing.assert_close(unchanged, default, rtol=0, atol=0)
    high = sample_training_time(20_000, 2.0, 0.3, generator=torch.Generator().manual_seed(0),
                                high_fraction=0.2, high_from=0.98)
    assert high.max() <= 1
    assert (default >= 0.98).float().mean() < 0.01  # why the high share exists
    assert 0.18 < (high >= 0.98).float().mean() < 0.22  # 0.2 from the high share, a little from the rest
    assert 0.02 < (high < 0.1).float().mean() < 0.035  # the uniform share is kept where the high one does not land


def test_decoder_noise_scales_with_each_channels_spread():
    torch.manual_seed(0)
    z = torch.randn(64, 3, 2, 4, 4) * torch.tensor([1.0, 10.0, 0.0]).reshape(1, 3, 1, 1, 1)
    assert torch.equal(with_decoder_noise(z, 0.0), z)
    diff = with_decoder_noise(z, 0.2) - z
    spread = diff.std(dim=(0, 2, 3, 4))
    assert 0.05 < spread[0] < 0.2 and 0.5 < spread[1] < 2.0 and spread[2] == 0


def test_first_position_text_pooling_ignores_padding_and_mean_pooling_does_not():
    import dataclasses

    from lantern.dit import DiT, DiTConfig

    cfg = DiTConfig(latent_channels=4, latent_frames=2, latent_size=4, patch=2, dim=32, depth=1, heads=2,
                    text_dim=16, rope_dims=(4, 6, 6))
    torch.manual_seed(0)
    text = torch.randn(1, 6, 16)
    padded = text.clone()
    padded[:, 3:] += 1.0  # the padding positions' outputs change, the first does not
    for pooling, same in (("first", True), ("mean", False)):
        dit = DiT(dataclasses.replace(cfg, text_pooling=pooling))
        x = torch.randn(1, 2 * 4 + 1, 2, 4, 4)
        _, c1 = dit.embed(x, torch.tensor([0.5]), text)
        _, c2 = dit.embed(x, torch.tensor([0.5]), padded)
        assert torch.allclose(c1, c2) == same, pooling
    with pytest.raises(ValueError, match="text_pooling"):
        DiT(dataclasses.replace(cfg, text_pooling="max"))


def test_autoencoder_at_4x_spatial_compression_keeps_four_times_the_positions():
    from lantern.autoencoder import AutoencoderConfig, VideoAutoencoder

    ae = VideoAutoencoder(AutoencoderConfig(latent_channels=4, widths=(8, 16, 32), decoder_widths=(32, 16, 8, 8), spatial=4))
    video = torch.rand(1, 8, 3, 32, 32)
    z = ae.encoder(video)
    assert z.shape == (1, 4, 2, 8, 8)
    assert ae.decoder(z).shape == video.shape
    with pytest.raises(ValueError, match="spatial compression 2"):
        AutoencoderConfig(spatial=2)


def test_padding_with_the_summary_makes_the_mean_of_all_positions_the_mean_of_the_real_tokens():
    torch.manual_seed(0)
    cfg = TextEncoderConfig(vocab_size=50, dim=32, depth=1, heads=2, pad_with_summary=True)
    enc = TextEncoder(cfg).eval()
    plain = TextEncoder(TextEncoderConfig(vocab_size=50, dim=32, depth=1, heads=2))
    plain.load_state_dict(enc.state_dict())
    ids = torch.randint(4, 50, (2, 48))
    mask = torch.zeros(2, 48, dtype=torch.bool)
    mask[0, :5], mask[1, :11] = True, True
    out, before = enc(ids, mask), plain.eval()(ids, mask)
    torch.testing.assert_close(out[mask], before[mask])  # real tokens untouched
    for row, n in ((0, 5), (1, 11)):
        real_mean = before[row, :n].mean(0)
        torch.testing.assert_close(out[row].mean(0), real_mean)  # what mean pooling now sees
        torch.testing.assert_close(out[row, n:], real_mean.expand(48 - n, -1))


def test_unpatchify_inverts_patchify_frame_major():
    from lantern.dit import patchify, unpatchify

    x = torch.arange(2 * 3 * 2 * 4 * 4, dtype=torch.float32).reshape(2, 3, 2, 4, 4)  # (B, C, F, h, w)
    tokens = patchify(x, 2)
    assert tokens.shape == (2, 2 * 2 * 2, 3 * 2 * 2)
    assert tokens[0, 1].tolist() == x[0, :, 0, 0:2, 2:4].flatten().tolist()  # frame 0, row 0, column 1
    assert torch.equal(unpatchify(tokens, 2, 3, (2, 2, 2)), x)


def test_the_refiner_starts_as_the_identity_and_lets_neighbouring_patches_meet():
    import dataclasses

    base = DiTConfig(latent_channels=4, latent_frames=2, latent_size=8, patch=4, dim=32, depth=1, heads=2,
                     text_dim=16, rope_dims=(4, 6, 6), prediction="x")
    torch.manual_seed(0)
    plain = DiT(base).eval()
    refined = DiT(dataclasses.replace(base, out_refine=3)).eval()
    missing = refined.load_state_dict(plain.state_dict(), strict=False).missing_keys
    assert missing and all(k.startswith("refine_") for k in missing)
    for name, p in list(plain.named_parameters()) + list(refined.named_parameters()):
        if "patch_out" in name or "ada_out" in name:
            p.data.normal_(0, 0.05)  # lift adaLN-Zero's zero init so the last layer says something
    refined.load_state_dict(plain.state_dict(), strict=False)
    x_in, t, text = torch.randn(2, 9, 2, 8, 8), torch.tensor([0.9, 0.4]), torch.randn(2, 5, 16)
    with torch.no_grad():
        torch.testing.assert_close(refined(x_in, t, text), plain(x_in, t, text))  # zero-initialised last conv
        refined.refine_out.weight.normal_(0, 0.05)
        x, c = refined.embed(x_in, t, text)
        out = refined.final(x, c)
        x_moved = x.clone()
        x_moved[:, 1] += torch.randn(32)  # token 1: frame 0, patch row 0, column 1 (latent columns 4-7)
        moved = refined.final(x_moved, c) - out
    # Only its own frame changes, and the change reaches over the seam two columns (two 3x3
    # convolutions) into patch 0, columns 2 and 3, not further.
    assert moved[:, :, 1].abs().max() == 0
    assert moved[:, :, 0, :, 2:4].abs().max() > 1e-3 and moved[:, :, 0, :, :2].abs().max() < 1e-6


def test_a_negative_refiner_is_a_clear_error():
    with pytest.raises(ValueError, match="out_refine is a number of channels"):
        DiT(DiTConfig(out_refine=-1))
