"""The denoiser's training loop: batches drawn on the device, the compiled
step's fallback, learning-rate schedules, and the autoencoder options."""
import json
import random

import pytest
import torch

from lantern.caption_head import IGNORE, caption_labels
from lantern.pipeline import LanternModel, load_checkpoint
from lantern.presets import PRESETS
from lantern.tokenizer import PAD_ID, encode
from lantern.schedule import lr_at
from lantern.train import Backward, LatentPool, main


def smoke_pool(clips=6, captions=3, caption_weight=0.0):
    cfg = PRESETS["smoke"]()
    cfg.pool_clips, cfg.pool_captions, cfg.caption_weight = clips, captions, caption_weight
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    return cfg, model, LatentPool(model, cfg, random.Random(0), torch.device("cpu"))


def test_a_batch_gives_each_clip_one_of_its_own_captions_or_the_empty_one():
    cfg, model, pool = smoke_pool(caption_weight=0.5)
    assert pool.ids.shape == (6, 3, 48) and pool.masks.shape == (6, 3, 48)
    empty_ids, _ = encode(model.tokenizer, [""])
    torch.manual_seed(1)
    x0, still, ids, mask, labels, named, objects = pool.batch(400, caption_dropout=0.25)
    assert objects.shape == (400, 1, 1, 1, 1) and not objects.any()  # object_weight off: nothing rendered
    assert x0.shape[0] == still.shape[0] == ids.shape[0] == mask.shape[0] == labels.shape[0] == named.shape[0] == 400
    dropped = (ids == empty_ids).all(1)
    assert abs(dropped.float().mean().item() - 0.25) < 0.07
    # Every other row is one of the captions drawn for the clip it came with.
    for row in range(400):
        if dropped[row]:
            assert (named[row] == IGNORE).all()  # the empty caption names nothing
            continue
        clip = next(i for i in range(6) if torch.equal(pool.latents[i], x0[row]))
        assert torch.equal(labels[row], pool.labels[clip])
        k = next(k for k in range(3) if torch.equal(ids[row], pool.ids[clip, k]))
        assert torch.equal(named[row], pool.named[clip, k])  # what that caption names
        assert torch.equal(mask[row], ids[row] != PAD_ID)
    # What each stored caption names is parsed from it (caption_head.caption_labels).
    caption = model.tokenizer.decode(pool.ids[0, 0].tolist(), skip_special_tokens=True)
    assert torch.equal(pool.named[0, 0], caption_labels([caption])[0])
    # The stored captions are true of the clip (its colour is named).
    words = model.tokenizer.decode(pool.ids[0, 0].tolist(), skip_special_tokens=True).split()
    assert all(o.colour in words for o in pool.specs[0].objects)


def test_a_refresh_draws_new_captions_with_the_new_clips():
    _, _, pool = smoke_pool()
    before = pool.ids.clone()
    pool.refresh(2)
    assert not torch.equal(pool.ids[:2], before[:2]) and torch.equal(pool.ids[2:], before[2:])


def test_a_compiler_failure_is_logged_and_the_step_redone_eagerly(monkeypatch):
    cfg, model, pool = smoke_pool()
    cfg.compile, cfg.eager_steps = True, 1
    records = []

    def broken_compile(fn, **options):
        def run(*args):
            raise RuntimeError("no Triton here")
        return run

    monkeypatch.setattr(torch, "compile", broken_compile)
    backward = Backward(cfg, lambda **r: records.append(r))
    model.train()
    batch = lambda: pool.batch(4, cfg.caption_dropout)
    assert torch.isfinite(backward(model, *batch(), cfg)[0])  # eager step
    assert not records
    model.zero_grad()
    loss, _ = backward(model, *batch(), cfg)  # the compiled step fails, then runs eagerly
    assert torch.isfinite(loss) and not backward.compiled
    assert records == [{"phase": "compile", "ok": False, "error": "RuntimeError: no Triton here",
                        "fallback": "eager denoiser_loss"}]
    grads = [p.grad for p in model.dit.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_wsd_holds_the_rate_then_cools_down_and_cosine_decays_from_the_start():
    cfg = PRESETS["smoke"]()
    cfg.warmup_steps, cfg.cooldown = 10, 0.2
    at = lambda step: lr_at(step, 0.0, cfg, 1.0, budget_s=1e9, max_steps=1000)
    cfg.lr_schedule = "wsd"
    assert at(0) == pytest.approx(0.1) and at(9) == pytest.approx(1.0)
    assert at(100) == at(799) == pytest.approx(1.0)
    assert at(900) == pytest.approx(0.55) and at(1000) == pytest.approx(0.1)
    cfg.lr_schedule = "cosine"
    assert at(100) < 1.0 and at(500) == pytest.approx(0.55) and at(1000) == pytest.approx(0.1)


def test_an_unknown_schedule_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="Unsupported lr_schedule 'linear'"):
        main(["--preset", "smoke", "--out", str(tmp_path), "--set", "lr_schedule=linear"])


def test_time_shares_that_do_not_add_up_are_refused(tmp_path):
    with pytest.raises(SystemExit, match="t_uniform \\+ t_high must lie in \\[0, 1\\]"):
        main(["--preset", "smoke", "--out", str(tmp_path), "--set", "t_uniform=0.5", "--set", "t_high=0.6"])


def test_the_decoder_alone_trains_on_a_resumed_checkpoint_and_the_text_encoder_gets_its_own_rate(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path / "a"), "--autoencoder-only"])
    first, _ = load_checkpoint(tmp_path / "a" / "checkpoint")
    main(["--preset", "smoke", "--out", str(tmp_path / "b"), "--resume", str(tmp_path / "a" / "checkpoint"),
          "--decoder-minutes", "0.1", "--set", "ae_pool_clips=8", "--set", "ae_refresh=2",
          "--set", "text_lr_scale=3", "--set", "log_every=1"])
    second, meta = load_checkpoint(tmp_path / "b" / "checkpoint")
    same = lambda a, b: all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert same(first.autoencoder.encoder, second.autoencoder.encoder)
    assert not same(first.autoencoder.decoder, second.autoencoder.decoder)
    assert meta["history"][-1]["decoder_minutes"] == 0.1
    records = [json.loads(line) for line in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert any(r["phase"] == "autoencoder_pool" and r["train_encoder"] is False for r in records)


def test_ablations_can_share_one_autoencoder(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path / "ae"), "--autoencoder-only"])
    ae, _ = load_checkpoint(tmp_path / "ae" / "checkpoint")
    main(["--preset", "smoke", "--out", str(tmp_path / "run"), "--autoencoder-from", str(tmp_path / "ae" / "checkpoint"),
          "--set", "model.dit.text_pooling=first"])
    run, _ = load_checkpoint(tmp_path / "run" / "checkpoint")
    assert run.cfg.dit.text_pooling == "first"
    assert all(torch.equal(a, b) for a, b in zip(ae.autoencoder.state_dict().values(),
                                                  run.autoencoder.state_dict().values()))
    with pytest.raises(SystemExit, match="is not this preset's"):
        main(["--preset", "smoke", "--out", str(tmp_path / "bad"), "--autoencoder-from",
              str(tmp_path / "ae" / "checkpoint"), "--set", "model.autoencoder.latent_channels=6",
              "--set", "model.dit.latent_channels=6"])


def test_attribute_labels_name_the_first_object_and_the_background():
    from lantern.attribute_head import ATTRIBUTES, attribute_labels
    from lantern.world.spec import ClipSpec, ObjectSpec

    star = ObjectSpec(shape="star", colour="red", size="small", scale=0.12, motion="left")
    ball = ObjectSpec(shape="circle", colour="white", size="large", scale=0.3, motion="still")
    labels = attribute_labels([ClipSpec(objects=(star, ball), background="plain", background_colour="blue"),
                               ClipSpec(objects=(ball,), background="night", background_colour=None)])
    names = [[list(ATTRIBUTES.values())[i][j] for i, j in enumerate(row)] for row in labels.tolist()]
    assert names == [["red", "star", "left", "plain blue"], ["white", "circle", "still", "night"]]


def test_the_attribute_head_adds_its_loss_and_trains_with_the_denoiser():
    from lantern.attribute_head import AttributeHead
    from lantern.train import denoiser_loss

    cfg, model, pool = smoke_pool()
    head = AttributeHead(cfg.model.dit.dim)
    torch.manual_seed(0)
    batch = pool.batch(4, 0.0)
    torch.manual_seed(1)
    plain, none = denoiser_loss(model, *batch, cfg)
    torch.manual_seed(1)
    total, parts = denoiser_loss(model, *batch, cfg, head=head, aux_weight=0.5)
    attributes = parts["attribute"]
    assert none == {} and set(parts) == {"attribute"} and attributes.item() > 1.0  # about ln(classes) untrained
    torch.testing.assert_close(total, plain + 0.5 * attributes)
    total.backward()
    assert head.out.weight.grad.abs().sum() > 0
    assert model.text_encoder.token.weight.grad.abs().sum() > 0


def test_a_run_with_the_attribute_head_logs_its_loss_until_aux_until(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--set", "aux_weight=0.1", "--set", "aux_until=0.5",
          "--set", "dit_max_steps=8", "--set", "log_every=1"])
    steps = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    steps = [r for r in steps if r["phase"] == "denoiser" and "loss" in r]
    assert [r["step"] for r in steps if "attribute_loss" in r] == [0, 1, 2, 3]
    assert all(r["attribute_loss"] > 0 for r in steps[:4])
    model, _ = load_checkpoint(tmp_path / "checkpoint")  # the head is not part of the model
    assert not any("head" in name for name in model.state_dict())


def test_step_ops_counts_a_forward_and_backward_on_the_meta_device():
    from lantern.step_ops import count_step_ops

    counts = count_step_ops("smoke")
    assert counts["aten::mm"] > 0 and sum(counts.values()) > 500


def test_the_checkpoint_saved_at_each_probe_carries_the_runs_history(tmp_path):
    """A run stopped between probes (a session's end) leaves the last probe's
    checkpoint, and it must still say how many steps trained it."""
    from lantern.train import Log, train_denoiser

    cfg = PRESETS["smoke"]()
    cfg.dit_max_steps, cfg.eval_every_minutes, cfg.pool_clips = 3, 1e-9, 8  # a probe after every step
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    saved = []
    extra = lambda steps: saved.append(steps) or {"denoiser_steps": 100 + steps, "history": [{"denoiser_steps": steps}]}
    train_denoiser(model, cfg, random.Random(0), torch.device("cpu"), Log(tmp_path / "log.jsonl"), tmp_path,
                   checkpoint_extra=extra)
    _, meta = load_checkpoint(tmp_path / "checkpoint")
    assert saved == [0, 1, 2]
    assert (meta["step"], meta["denoiser_steps"], meta["history"]) == (2, 102, [{"denoiser_steps": 2}])


def test_an_x0_predicting_model_trains_and_keeps_its_prediction(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--set", "model.dit.prediction=x", "--set", "dit_max_steps=4"])
    model, meta = load_checkpoint(tmp_path / "checkpoint")
    assert (model.cfg.dit.prediction, meta["denoiser_steps"]) == ("x", 4)


def test_the_cpu_run_continues_a_line_and_puts_the_checkpoint_back(tmp_path):
    """training/cpu_run.sh, as a session runs it, on a smoke checkpoint."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    main(["--preset", "smoke", "--out", str(tmp_path / "src"), "--set", "dit_max_steps=4"])
    line = tmp_path / "line"
    shutil.copytree(tmp_path / "src" / "checkpoint", line)
    (line / "train-log.jsonl").write_text((tmp_path / "src" / "log.jsonl").read_text())
    logged = len((line / "train-log.jsonl").read_text().splitlines())
    script = Path(__file__).parents[1] / "cpu_run.sh"
    env = {**os.environ, "PYTHON": sys.executable, "LANTERN_CPU_RUN_THREADS": "1", "LANTERN_CPU_RUN_DIR": str(tmp_path),
           "LANTERN_CPU_RUN_ARGS": "--set pool_clips=8 --set batch=2 --set eval_clips=2 --set probe_clips=2 "
                                   "--set dit_max_steps=3"}
    subprocess.run(["bash", str(script), "1", str(line)], env=env, check=True, capture_output=True)
    model, meta = load_checkpoint(line)
    assert (meta["denoiser_steps"], len(meta["history"]), meta["done"]) == (7, 2, True)
    assert len((line / "train-log.jsonl").read_text().splitlines()) > logged
    assert (line / "samples.png").exists()
    missing = subprocess.run(["bash", str(script), "collect", str(tmp_path / "nothing"), str(line)], env=env,
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "unchanged" in missing.stderr


def test_without_the_caption_head_the_pool_parses_no_caption(monkeypatch):
    import lantern.latent_pool

    monkeypatch.setattr(lantern.latent_pool, "caption_labels", lambda captions: pytest.fail("parsed"))
    _, _, pool = smoke_pool()
    assert (pool.named == IGNORE).all()
