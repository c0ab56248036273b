"""The smoke preset trains every part end to end and leaves a usable run folder."""
import json

import pytest
import torch

from lantern.pipeline import LanternModel, load_checkpoint, save_checkpoint
from lantern.presets import PRESETS
from lantern.train import main


def test_every_preset_is_consistent():
    for name, make in PRESETS.items():
        cfg = make()
        cfg.model.check()
        assert cfg.model.size >= 32 and cfg.batch > 0, name
    shipped = PRESETS["gpu"]().model
    assert (shipped.size, shipped.frames, shipped.fps) == (128, 16, 8)  # the app's default output


def test_shipped_presets_fit_the_30_mb_budget():
    """int8 export: one byte a weight; the denoiser's weights are in the files
    twice (stage graphs and the whole-graph reference)."""
    from lantern.pipeline import LanternModel

    for name in ("cpu", "gpu"):
        model = LanternModel(PRESETS[name]().model)
        count = lambda m: sum(p.numel() for p in m.parameters())
        estimate = 2 * count(model.dit) + count(model.text_encoder) + count(model.autoencoder)
        assert estimate < 28e6, (name, estimate)


def test_smoke_training_run(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--seed", "3"])
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    phases = {r["phase"] for r in records}
    assert {"autoencoder", "latent_stats", "pool", "denoiser", "probe", "done"} <= phases
    losses = [r["loss"] for r in records if r["phase"] == "denoiser" and "loss" in r]
    assert losses and all(l == l and l < 100 for l in losses)  # finite
    # Host time per step by phase, to tell a host-bound run from a GPU-bound one.
    timed = [r["host_ms"] for r in records if r["phase"] == "denoiser" and "loss" in r]
    assert timed and all(set(t) == {"batch", "step", "refresh"} and min(t.values()) > 0 for t in timed)
    probe = next(r for r in records if r["phase"] == "probe")
    assert "error" not in probe and "conditioning_error" not in probe, probe
    # Beside the adherence scores, how far the prediction moves with the text.
    assert set(probe["conditioning"]["t=0.9"]) == {"text", "colour", "shape", "motion", "background"}
    # And where sampling starts, whether the prediction follows the caption or the noise.
    assert set(probe["start"]["t=1.0"]) == {"noise", "empty", "shuffled", "x0_error"}
    # And whether its samples vary as the world does or collapse to the mean latent.
    assert set(probe["spread"]) == {"guidance=1", "guidance=3"} and min(probe["spread"].values()) > 0, probe["spread"]
    model, meta = load_checkpoint(tmp_path / "checkpoint")
    assert meta["done"] and model.cfg.name == "lantern-smoke"
    assert meta["denoiser_steps"] == meta["history"][-1]["denoiser_steps"] > 0  # this run, the first in history
    clip = model.generate(["a red ball"], seeds=[0], steps=2)
    assert clip.shape == (1, 8, 3, 32, 32) and torch.isfinite(clip).all()
    assert (tmp_path / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_conditioning_gives_a_still_or_the_first_frames_at_the_preset_rates():
    from lantern.train import conditioning

    cfg = PRESETS["smoke"]()
    torch.manual_seed(0)
    b, f = 20_000, 4
    x0, still = torch.randn(b, 2, f, 2, 2), torch.randn(b, 2, 1, 2, 2)
    cond, mask = conditioning(x0, still, cfg)
    assert cond.shape == x0.shape and mask.shape == (b, 1, f, 2, 2)
    given = mask[:, 0, :, 0, 0]  # (B, F): which latent frames are given
    assert torch.equal(mask, given[:, None, :, None, None].expand_as(mask))
    image = (cond[:, :, 0] == still[:, :, 0]).all(1).all(-1).all(-1) & (given.sum(1) == 1)
    count = given.sum(1)
    # Given frames come first; a still fills frame 0, continuation copies the clip; the rest is zero.
    assert torch.equal(given, (torch.arange(f) < count[:, None]).float())
    assert torch.equal(cond * (1 - mask), torch.zeros_like(cond))
    cont = (count > 0) & ~image
    assert torch.equal(cond[cont] * mask[cont], x0[cont] * mask[cont])
    rate = lambda m: m.float().mean().item()
    assert abs(rate(image) - cfg.p_image_condition) < 0.015
    assert abs(rate(cont) - cfg.p_continuation) < 0.015
    assert abs(rate(count[cont] == 1) - 0.5) < 0.03 and set(count[cont].tolist()) == {1, 2}  # 1..F/2, uniform


def test_pool_refresh_replaces_the_oldest_clips_in_one_batch():
    import random

    from lantern.pipeline import LanternModel
    from lantern.train import LatentPool
    from lantern.world.render import render_clips

    cfg = PRESETS["smoke"]()
    cfg.pool_clips, cfg.pool_refresh, cfg.pool_refresh_every = 10, 3, 2
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    pool = LatentPool(model, cfg, random.Random(0), torch.device("cpu"))
    first = pool.latents.clone()
    pool.refresh(cfg.pool_refresh * cfg.pool_refresh_every)  # slots 0-5
    assert pool.cursor == 6 and torch.equal(pool.latents[6:], first[6:])
    assert all(not torch.equal(pool.latents[i], first[i]) for i in range(6))
    second = pool.latents.clone()
    pool.refresh(6)  # slots 6-9, then 0-1: it wraps around the end of the pool
    assert pool.cursor == 2 and torch.equal(pool.latents[2:6], second[2:6])
    assert all(not torch.equal(pool.latents[i], second[i]) for i in (0, 1, 6, 7, 8, 9))
    # Each slot holds its own spec's clip (a render depends only on the spec).
    with torch.no_grad():
        video = render_clips([pool.specs[i] for i in (0, 7)], size=cfg.model.size, frames=cfg.model.frames)
        assert torch.allclose(pool.latents[[0, 7]], model.encode_video(video), atol=1e-5)
        assert torch.allclose(pool.stills[[0, 7]], model.still_latent(video[:, 0]), atol=1e-5)


def test_ablations_override_preset_fields_and_train_the_autoencoder_alone(tmp_path):
    from lantern.train import override

    cfg = PRESETS["smoke"]()
    override(cfg, "model.autoencoder.latent_channels=6")
    override(cfg, "model.dit.latent_channels=6")
    override(cfg, "lr=0.002")
    assert cfg.model.autoencoder.latent_channels == 6 and cfg.lr == 0.002
    with pytest.raises(SystemExit, match="no field 'model.autoencoder.nope'"):
        override(cfg, "model.autoencoder.nope=1")
    main(["--preset", "smoke", "--out", str(tmp_path), "--set", "model.autoencoder.latent_channels=6",
          "--set", "model.dit.latent_channels=6", "--autoencoder-only"])
    model, meta = load_checkpoint(tmp_path / "checkpoint")
    assert meta["autoencoder_only"] and model.cfg.autoencoder.latent_channels == 6
    phases = [json.loads(line)["phase"] for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert "autoencoder" in phases and "denoiser" not in phases


def test_a_warm_start_is_a_new_design_not_a_resume_and_must_take_something(tmp_path):
    with pytest.raises(SystemExit, match="--denoiser-from starts a new design"):
        main(["--preset", "smoke", "--out", str(tmp_path), "--resume", str(tmp_path), "--denoiser-from", str(tmp_path)])
    wider = PRESETS["smoke"]().model
    wider.text.dim, wider.dit.dim, wider.dit.heads, wider.dit.text_dim = 96, 96, 3, 96
    save_checkpoint(LanternModel(wider), tmp_path / "source")
    with pytest.raises(SystemExit, match="parameters fit this preset's shapes"):
        main(["--preset", "smoke", "--out", str(tmp_path / "run"), "--denoiser-from", str(tmp_path / "source")])
