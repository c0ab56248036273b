"""Train the built-in model: `python -m lantern.train --preset {smoke,cpu,gpu} --out DIR`.

Phase 1 trains the video autoencoder on rendered clips. Phase 2 measures
the latent statistics, then trains the denoiser and the text encoder
together by flow matching. Clips are rendered on the fly (no dataset on
disk) into a pool of latents that is refreshed a few clips per step (on the
GPU in one larger batch every few steps: 256 clips in one render launch far
fewer ops than 32 clips in each of eight); each time a clip is drawn it gets
a freshly sampled caption, so the language varies far more than the pixels.
Adherence to held-out prompts is measured during training, not only the
loss. The denoiser and text encoder are saved as their EMA weights.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from .attribute_head import AttributeHead
from .caption_head import CaptionHead
from .conditioning import conditioning_probe, probe_clips, sample_spread, start_check
from .curriculum import curriculum_share
from .flow import noisy, sample_training_time
from .latent_pool import LatentPool
from .media import save_clip_grid
from .object_weight import loss_weight
from .pipeline import LanternModel, load_checkpoint, save_checkpoint, warm_start
from .presets import PRESETS, TrainConfig
from .schedule import check_schedules, lr_at
from .world.heldout import eval_prompts, sample_training_clip
from .world.render import render_clips


class Log:
    """JSON lines, one record per event, also echoed to stdout."""

    def __init__(self, path: Path):
        self.file = path.open("a")
        self.start = time.time()

    def __call__(self, **record) -> None:
        record = {"time_s": round(time.time() - self.start, 1), **record}
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()
        print(json.dumps(record), flush=True)


def render_batch(rng: random.Random, count: int, cfg: TrainConfig, device: torch.device):
    specs = [sample_training_clip(rng) for _ in range(count)]
    video = render_clips(specs, size=cfg.model.size, frames=cfg.model.frames, device=device)
    return specs, video  # video (B, T, 3, S, S)


def random_crops(video: torch.Tensor, size: int, per_clip: int) -> torch.Tensor:
    """(B, T, 3, S, S) -> (B * per_clip, T, 3, size, size), corners on the 8-px
    latent grid. size >= S returns the clips unchanged."""
    s = video.shape[-1]
    if size >= s:
        return video
    corners = torch.randint(0, (s - size) // 8 + 1, (video.shape[0], per_clip, 2)) * 8
    return torch.stack([video[b, :, :, y:y + size, x:x + size]
                        for b in range(video.shape[0]) for y, x in corners[b].tolist()])


class ClipPool:
    """Rendered clips for the autoencoder (B, T, 3, S, S), stored as uint8
    (a quarter of float32's memory; the renderer's sRGB is 8-bit anyway
    once it reaches a video file). Refreshed oldest first, in batches."""

    def __init__(self, cfg: TrainConfig, rng: random.Random, device: torch.device):
        self.cfg, self.rng, self.device = cfg, rng, device
        self.clips = torch.cat([self._render(min(256, cfg.ae_pool_clips - i))
                                for i in range(0, cfg.ae_pool_clips, 256)])
        self.cursor = 0

    def _render(self, count: int) -> torch.Tensor:
        with torch.no_grad():
            _, video = render_batch(self.rng, count, self.cfg, self.device)
        return (video * 255).round().to(torch.uint8)

    def refresh(self, count: int) -> None:
        count = min(count, len(self.clips))
        idx = (self.cursor + torch.arange(count)) % len(self.clips)
        self.clips[idx.to(self.clips.device)] = self._render(count)
        self.cursor = (self.cursor + count) % len(self.clips)

    def batch(self, size: int) -> torch.Tensor:
        idx = torch.randint(len(self.clips), (size,), device=self.clips.device)
        return self.clips[idx].float() / 255


def train_autoencoder(model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device, log: Log) -> None:
    ae = model.autoencoder.train()
    trained = ae if cfg.ae_train_encoder else ae.decoder
    if not cfg.ae_train_encoder:
        ae.encoder.eval().requires_grad_(False)
    opt = torch.optim.AdamW(trained.parameters(), lr=cfg.ae_lr, weight_decay=0.0, fused=device.type == "cuda")
    pool = ClipPool(cfg, rng, device) if cfg.ae_pool_clips else None
    if pool is not None:
        log(phase="autoencoder_pool", clips=len(pool.clips), refresh=cfg.ae_refresh, every=cfg.ae_refresh_every,
            train_encoder=cfg.ae_train_encoder)
    budget = cfg.ae_minutes * 60
    start, step = time.time(), 0
    while step < cfg.ae_max_steps and time.time() - start < budget:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, time.time() - start, cfg, cfg.ae_lr, budget, cfg.ae_max_steps)
        if pool is None:
            video = render_batch(rng, cfg.ae_batch, cfg, device)[1]
        else:
            video = pool.batch(cfg.ae_batch)
            if (step + 1) % cfg.ae_refresh_every == 0:
                pool.refresh(cfg.ae_refresh * cfg.ae_refresh_every)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
            loss, metrics = ae.loss(random_crops(video, cfg.ae_crop, cfg.ae_crops_per_clip))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained.parameters(), 1.0)
        opt.step()
        if step % cfg.log_every == 0:
            log(phase="autoencoder", step=step, loss=round(loss.item(), 5),
                steps_per_s=round(step / max(1e-9, time.time() - start), 2),
                **{k: round(v, 5) for k, v in metrics.items()})
        step += 1
    log(phase="autoencoder", step=step, done=True, minutes=round((time.time() - start) / 60, 2))
    ae.eval().requires_grad_(True)


class HostClock:
    """Host (CPU) time per phase of a denoiser step, averaged since the last
    report. Nothing waits for the GPU, so on CUDA this is what Python and
    kernel launches cost (unless CUDA's launch queue fills, when "step"
    absorbs the wait): when the phases add up to the whole step time
    (1 / steps_per_s), the run is host-bound, and the largest phase says where."""

    def __init__(self):
        self.totals: dict[str, float] = {}
        self.steps = 0
        self.mark = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.totals[phase] = self.totals.get(phase, 0.0) + now - self.mark
        self.mark = now

    def skip(self) -> None:
        """Leave out the time since the last lap (probes, checkpoints)."""
        self.mark = time.perf_counter()

    def report(self) -> dict[str, float]:
        ms = {phase: round(total / max(1, self.steps) * 1e3, 2) for phase, total in self.totals.items()}
        self.totals, self.steps = {}, 0
        return ms


class StepProfile:
    """How much of a training step the GPU is busy: the device time of every
    kernel over `steps` steps (torch.profiler), against the wall time of
    those steps. Busy near 1: the GPU is the limit. Well under 1: it waits
    for the host (Python, launches, the renderer), and the host side of the
    same profile says on what. Once per run, on CUDA."""

    def __init__(self, at: int, steps: int, log: Log):
        self.at, self.steps, self.log = at, steps, log
        self.profiler = None

    def __call__(self, step: int) -> None:
        """Call at the start of each step."""
        if not self.at or not torch.cuda.is_available():
            return
        try:
            if step == self.at:
                torch.cuda.synchronize()
                activities = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
                self.profiler = torch.profiler.profile(activities=activities)
                self.profiler.start()
                self.started = time.perf_counter()
            elif step == self.at + self.steps and self.profiler is not None:
                torch.cuda.synchronize()
                wall = time.perf_counter() - self.started
                self.profiler.stop()
                events = self.profiler.key_averages()
                busy_us = sum(getattr(e, "self_device_time_total", 0) or getattr(e, "self_cuda_time_total", 0)
                              for e in events)
                top = sorted(events, key=lambda e: -(getattr(e, "self_device_time_total", 0) or 0))[:8]
                host = sorted(events, key=lambda e: -e.self_cpu_time_total)[:12]
                self.log(phase="profile", steps=self.steps, wall_ms_per_step=round(wall * 1e3 / self.steps, 2),
                         gpu_ms_per_step=round(busy_us / 1e3 / self.steps, 2),
                         gpu_busy=round(busy_us / 1e6 / wall, 3),
                         top_kernels_ms_per_step={e.key[:60]: round(e.self_device_time_total / 1e3 / self.steps, 3)
                                                  for e in top},
                         # where the host's time goes (the profiler's own overhead included)
                         top_host_ms_per_step={e.key[:60]: round(e.self_cpu_time_total / 1e3 / self.steps, 3)
                                               for e in host},
                         host_op_calls_per_step=round(sum(e.count for e in events if e.key.startswith("aten::"))
                                                      / self.steps))
                self.profiler = None
        except Exception as err:  # noqa: BLE001 (a profiler failure must not end the run)
            self.log(phase="profile", error=f"{type(err).__name__}: {str(err)[:300]}")
            self.profiler, self.at = None, 0


def conditioning(x0: torch.Tensor, still: torch.Tensor, cfg: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """Per clip: nothing given, the first frame as a still image, or the
    first 1..F/2 latent frames, uniformly (continuation). -> cond, mask.
    Drawn for the whole batch on x0's device: a few kernels, no host sync."""
    b, _, f = x0.shape[:3]
    u = torch.rand(b, device=x0.device)
    k = torch.randint(1, max(1, f // 2) + 1, (b,), device=x0.device)  # continuation: frames given
    image = (u < cfg.p_image_condition)[:, None, None, None, None]  # (B, 1, 1, 1, 1)
    cont = (u >= cfg.p_image_condition) & (u < cfg.p_image_condition + cfg.p_continuation) & (f > 1)  # (B,)
    frame = torch.arange(f, device=x0.device)[None, None, :, None, None]  # (1, 1, F, 1, 1)
    given_image = image & (frame < 1)  # (B, 1, F, 1, 1)
    given_cont = cont[:, None, None, None, None] & (frame < k[:, None, None, None, None])  # (B, 1, F, 1, 1)
    cond = torch.where(given_image, still, torch.where(given_cont, x0, 0.0))  # (B, C, F, h, w)
    mask = (given_image | given_cont).to(x0.dtype).expand_as(x0[:, :1]).contiguous()  # (B, 1, F, h, w)
    return cond, mask


def denoiser_loss(model: LanternModel, x0: torch.Tensor, still: torch.Tensor, ids: torch.Tensor,
                  mask_t: torch.Tensor, labels: torch.Tensor, named: torch.Tensor, objects: torch.Tensor,
                  cfg: TrainConfig,
                  head: AttributeHead | None = None, aux_weight: float = 0.0,
                  caption_head: CaptionHead | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Flow-matching loss of one batch: conditioning drawn, time sampled,
    noise added, the text encoded and the velocity predicted; plus, with a
    head and aux_weight > 0, aux_weight times its attribute loss, and with a
    caption head, cfg.caption_weight times its loss on the pooled caption
    vector. The flow loss weighs latent positions where `objects` marks an
    object cfg.object_weight times (object_weight.py). One function so that
    `torch.compile` sees (and fuses) the whole step's forward. -> (loss, the
    auxiliary losses by name: "attribute", "caption", each only when on)."""
    cond, mask = conditioning(x0, still, cfg)
    t = sample_training_time(x0.shape[0], cfg.model.flow.shift, cfg.t_uniform, device=x0.device,
                             high_fraction=cfg.t_high, high_from=cfg.t_high_from)
    noise = torch.randn_like(x0)
    x_in = torch.cat([noisy(x0, noise, t), cond * mask, mask], 1)  # (B, 2C+1, F, h, w)
    aux = head is not None and aux_weight > 0
    with torch.autocast(x0.device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
        text = model.text_encoder(ids, mask_t)
        out = model.dit(x_in, t, text, hidden_after=len(model.dit.blocks) // 2 - 1 if aux else None)
    v, hidden = out if aux else (out, None)
    weight = loss_weight(mask, objects, cfg.object_weight)  # given frames carry no loss
    loss = ((v.float() - (noise - x0)) ** 2 * weight).sum() / (weight.sum() * x0.shape[1]).clamp_min(1)
    parts = {}
    if aux:
        parts["attribute"] = head.loss(hidden, labels)
        loss = loss + aux_weight * parts["attribute"]
    if caption_head is not None:
        parts["caption"] = caption_head.loss(model.dit.pooled_text(text), named)
        loss = loss + cfg.caption_weight * parts["caption"]
    return loss, parts


class Backward:
    """Loss and gradients of one batch: `denoiser_loss`, through
    `torch.compile` when cfg.compile is set, after `cfg.eager_steps` eager
    steps (the same run's eager speed, for the profile). If compiling fails
    (no Triton, an unsupported op; the backward compiles at the first
    backward), the failure is logged, the gradients are dropped and the step
    is redone eagerly, as are all after it: a run on the device machine must
    not be lost to its compiler."""

    def __init__(self, cfg: TrainConfig, log: Log):
        self.log = log
        self.compiled = False
        self.compile_at = cfg.eager_steps if cfg.compile else None
        self.mode = cfg.compile_mode
        self.calls = 0

    def __call__(self, model: LanternModel, *batch, **options) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """-> denoiser_loss's (loss, auxiliary losses), after loss.backward()."""
        self.calls += 1
        if self.calls - 1 != self.compile_at:
            loss, parts = (self._compiled if self.compiled else denoiser_loss)(model, *batch, **options)
            loss.backward()
            return loss, parts
        started = time.time()
        try:
            self._compiled = torch.compile(denoiser_loss, mode=self.mode)
            loss, parts = self._compiled(model, *batch, **options)
            loss.backward()
            self.compiled = True
            self.log(phase="compile", ok=True, mode=self.mode, seconds=round(time.time() - started, 1))
        except Exception as err:  # noqa: BLE001 (any compiler failure falls back, loudly)
            self.log(phase="compile", ok=False, error=f"{type(err).__name__}: {str(err)[:500]}",
                     fallback="eager denoiser_loss")
            model.zero_grad(set_to_none=True)
            for module in options.values():
                if isinstance(module, torch.nn.Module):
                    module.zero_grad(set_to_none=True)
            loss, parts = denoiser_loss(model, *batch, **options)
            loss.backward()
        return loss, parts


def train_denoiser(model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device,
                   log: Log, out: Path, measure_stats: bool = True,
                   checkpoint_extra: Callable[[int], dict] = lambda steps: {}) -> tuple[LanternModel, int]:
    """-> the EMA model and the number of steps taken. At each probe the EMA
    model is saved with checkpoint_extra(steps so far) in its metadata (the
    run's history), so a run stopped between probes loses only the steps
    since the last one and its checkpoint still says what trained it."""
    if measure_stats:  # from fresh clips, before the pool is encoded with them; kept when resuming
        with torch.no_grad():
            _, video = render_batch(rng, max(8, min(64, cfg.pool_clips)), cfg, device)
            model.stats = type(model.stats).measure(model.autoencoder.encoder(video))
    log(phase="latent_stats", mean=[round(m, 3) for m in model.stats.mean], std=[round(s, 3) for s in model.stats.std])
    pool = LatentPool(model, cfg, rng, device)
    log(phase="pool", clips=len(pool.specs), captions_per_clip=cfg.pool_captions, curriculum=cfg.curriculum,
        object_weight=cfg.object_weight, object_share=round(pool.objects.float().mean().item(), 4))
    params = list(model.dit.parameters()) + list(model.text_encoder.parameters())
    head = AttributeHead(cfg.model.dit.dim).to(device) if cfg.aux_weight > 0 else None
    groups = [{"params": list(model.dit.parameters()), "scale": 1.0},
              {"params": list(model.text_encoder.parameters()), "scale": cfg.text_lr_scale}]
    caption_head = CaptionHead(cfg.model.text.dim).to(device) if cfg.caption_weight > 0 else None
    for extra in (head, caption_head):
        if extra is not None:
            groups.append({"params": list(extra.parameters()), "scale": 1.0})
    clipped = [p for group in groups for p in group["params"]]
    opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.99),
                            fused=device.type == "cuda")  # one kernel per step instead of one per tensor
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    ema_params = list(ema.dit.parameters()) + list(ema.text_encoder.parameters())
    model.dit.train()
    model.text_encoder.train()
    backward = Backward(cfg, log)
    budget = cfg.dit_minutes * 60
    start, step, next_eval = time.time(), 0, cfg.eval_every_minutes * 60
    clock = HostClock()
    last = (0, start)  # step and time of the last log record
    profile = StepProfile(cfg.profile_at, cfg.profile_steps, log)
    while step < cfg.dit_max_steps and time.time() - start < budget:
        profile(step)
        rate = lr_at(step, time.time() - start, cfg, cfg.lr, budget, cfg.dit_max_steps)
        for group in opt.param_groups:
            group["lr"] = rate * group["scale"]
        batch = pool.batch(cfg.batch, cfg.caption_dropout)
        clock.lap("batch")
        opt.zero_grad(set_to_none=True)
        aux_on = head is not None and step < cfg.aux_until * cfg.dit_max_steps and time.time() - start < cfg.aux_until * budget
        loss, parts = backward(model, *batch, cfg, head=head, aux_weight=cfg.aux_weight if aux_on else 0.0,
                               caption_head=caption_head)
        grad_norm = torch.nn.utils.clip_grad_norm_(clipped, 1.0)
        opt.step()
        decay = min(cfg.ema_decay, (1 + step) / (10 + step))
        with torch.no_grad():
            torch._foreach_lerp_(ema_params, params, 1 - decay)  # p_ema.lerp_(p, 1 - decay), one launch per group
        clock.lap("step")
        if (step + 1) % cfg.pool_refresh_every == 0:
            share = curriculum_share(min(1.0, max((time.time() - start) / budget, step / cfg.dit_max_steps)),
                                     cfg.curriculum)
            pool.refresh(cfg.pool_refresh * cfg.pool_refresh_every, share)
        clock.lap("refresh")
        clock.steps += 1
        if step % cfg.log_every == 0 or step + 1 == backward.compile_at:
            now = time.time()
            log(phase="denoiser", step=step, loss=round(loss.item(), 5), grad_norm=round(float(grad_norm), 3),
                lr=round(opt.param_groups[0]["lr"], 6), steps_per_s=round(step / max(1e-9, now - start), 2),
                recent_steps_per_s=round((step - last[0]) / max(1e-9, now - last[1]), 2),
                host_ms=clock.report(), compiled=backward.compiled,
                **({"simple_clips": round(sum(pool.simple) / len(pool.simple), 3)} if cfg.curriculum else {}),
                **{f"{name}_loss": round(part.item(), 4) for name, part in parts.items()})
            last = (step, time.time())
            clock.skip()
        if next_eval and time.time() - start > next_eval:
            next_eval += cfg.eval_every_minutes * 60
            probe(ema, cfg, step, log)
            save_checkpoint(ema, out / "checkpoint", extra={"step": step, **checkpoint_extra(step)})
            clock.skip()
        step += 1
    ema.stats = model.stats
    log(phase="denoiser", step=step, done=True, minutes=round((time.time() - start) / 60, 2))
    return ema, step


def probe(model: LanternModel, cfg: TrainConfig, step: int, log: Log) -> dict:
    """Adherence on a few held-out prompts (the judge's scores, not the
    loss), and beside it how far the prediction moves with the text
    (conditioning.py), and where sampling starts whether it follows the
    caption or the noise, and whether its samples collapse to the mean: a
    model that ignores its captions shows it here."""
    prompts = eval_prompts(cfg.eval_clips, seed=1234)
    gen = lambda texts, seeds: model.generate(texts, seeds, steps=cfg.eval_steps).cpu().numpy()
    record: dict = {"clips": len(prompts)}
    try:
        from .evaluate import evaluate  # the judge needs scipy; without it the probe logs an ImportError

        record["scores"] = evaluate(gen, prompts, seeds=[0]).scores
    except Exception as err:  # a broken probe must not end hours of training; it is logged, loudly
        record["error"] = f"{type(err).__name__}: {err}"
    try:
        record["conditioning"] = conditioning_probe(model, probe_clips(cfg.probe_clips))
        record["start"] = start_check(model, cfg.probe_clips)
        record["spread"] = sample_spread(model, min(cfg.probe_clips, 16), steps=cfg.eval_steps)
    except Exception as err:
        record["conditioning_error"] = f"{type(err).__name__}: {err}"
    log(phase="probe", step=step, **record)
    return record.get("scores", {})


def override(cfg: TrainConfig, assignment: str) -> None:
    """Set one nested field of a preset from 'a.b.c=value' (value read as
    JSON, lists as tuples; else as a string), for ablations."""
    path, sep, text = assignment.partition("=")
    if not sep:
        raise SystemExit(f"--set {assignment!r}: expected FIELD=VALUE, e.g. model.autoencoder.latent_channels=24")
    *parents, name = path.split(".")
    target = cfg
    for part in parents:
        target = getattr(target, part, None)
    if target is None or not hasattr(target, name):
        raise SystemExit(f"--set {assignment!r}: the preset has no field {path!r}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    setattr(target, name, tuple(value) if isinstance(value, list) else value)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), required=True)
    ap.add_argument("--out", type=Path, required=True, help="run folder: log, checkpoint, samples")
    ap.add_argument("--resume", type=Path, help="checkpoint folder to continue from (skips the autoencoder phase)")
    ap.add_argument("--minutes", type=float, help="override the denoiser phase's time budget")
    ap.add_argument("--ae-minutes", type=float, help="override the autoencoder phase's time budget")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="override a preset field for an ablation, e.g. model.autoencoder.latent_channels=24 (repeatable)")
    ap.add_argument("--autoencoder-only", action="store_true",
                    help="train the autoencoder alone (continue it, with --resume) and save the checkpoint; "
                         "its ceiling is then `lantern.evaluate --ground-truth --reconstructed`")
    ap.add_argument("--autoencoder-from", type=Path, metavar="CHECKPOINT",
                    help="start a new model (with any --set) whose autoencoder is CHECKPOINT's, trained no further: "
                         "ablations of the denoiser and text encoder then share one autoencoder")
    ap.add_argument("--denoiser-from", type=Path, metavar="CHECKPOINT",
                    help="start a new model's text encoder and denoiser from CHECKPOINT's weights wherever a tensor's "
                         "name and shape match (a design change that keeps the transformer: new autoencoder, latent "
                         "grid or patch); the rest starts fresh, and the log names both")
    ap.add_argument("--decoder-minutes", type=float, default=0.0,
                    help="with --resume: first train the autoencoder's decoder alone for this long; the encoder "
                         "and so the latents stay as they are, and the denoiser continues on them")
    args = ap.parse_args(argv)

    cfg = PRESETS[args.preset]()
    for assignment in args.set:
        override(cfg, assignment)
    if args.resume and args.autoencoder_from:
        raise SystemExit("--resume and --autoencoder-from both name the starting model; give one")
    if args.resume and args.denoiser_from:
        raise SystemExit("--resume continues a checkpoint whole; --denoiser-from starts a new design from one: give one")
    if args.resume and any(a.startswith("model.") for a in args.set):
        raise SystemExit("--set model.* changes the model's shapes, which a resumed checkpoint fixes; drop --resume")
    check_schedules(cfg)
    if args.minutes is not None:
        cfg.dit_minutes = args.minutes
    if args.ae_minutes is not None:
        cfg.ae_minutes = args.ae_minutes
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = True  # the float32 parts (outside bf16 autocast) on tensor cores
    torch.backends.cudnn.allow_tf32 = True
    if args.preset == "gpu" and device.type != "cuda":
        raise SystemExit("the gpu preset needs CUDA; use --preset cpu on this machine")
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    log = Log(args.out / "log.jsonl")
    log(phase="start", preset=args.preset, device=str(device), threads=torch.get_num_threads())

    meta: dict = {}
    if args.resume:
        model, meta = load_checkpoint(args.resume)
        model.to(device)
        cfg.model = model.cfg  # the checkpoint's model (size, frames, schedule); the preset gives the training
        log(phase="resume", checkpoint=str(args.resume), step=meta.get("step"),
            denoiser_steps=meta.get("denoiser_steps"))
        if args.autoencoder_only:
            train_autoencoder(model, cfg, rng, device, log)
        elif args.decoder_minutes > 0:
            cfg.ae_train_encoder, cfg.ae_minutes = False, args.decoder_minutes
            train_autoencoder(model, cfg, rng, device, log)
    else:
        if args.decoder_minutes:
            raise SystemExit("--decoder-minutes continues a checkpoint's decoder: it needs --resume")
        model = LanternModel(cfg.model).to(device)
        if args.denoiser_from:
            taken, left = warm_start(model, load_checkpoint(args.denoiser_from)[0].to(device))
            sizes = {name: t.numel() for name, t in model.state_dict().items()}
            share = sum(sizes[n] for n in taken) / sum(sizes[n] for n in taken + left)
            if share < 0.5:  # a new patch or latent grid leaves about 1% fresh; other widths leave almost all
                raise SystemExit(f"--denoiser-from {args.denoiser_from}: only {share:.0%} of its text encoder's and "
                                 f"denoiser's parameters fit this preset's shapes (other widths?); that is no warm start")
            log(phase="warm start", checkpoint=str(args.denoiser_from), parameters_taken=round(share, 4), left_fresh=left)
        if args.autoencoder_from:
            source, _ = load_checkpoint(args.autoencoder_from)
            if source.cfg.autoencoder != cfg.model.autoencoder or source.cfg.size != cfg.model.size:
                raise SystemExit(f"--autoencoder-from {args.autoencoder_from}: its autoencoder "
                                 f"({source.cfg.autoencoder}, {source.cfg.size} px) is not this preset's")
            model.autoencoder.load_state_dict(source.autoencoder.state_dict())
            log(phase="autoencoder", loaded=str(args.autoencoder_from))
        else:
            train_autoencoder(model, cfg, rng, device, log)
    if args.autoencoder_only:
        save_checkpoint(model, args.out / "checkpoint", extra={**{k: v for k, v in meta.items() if k in ("history", "denoiser_steps")},
                                                              "preset": args.preset, "autoencoder_only": True})
        log(phase="done", checkpoint=str(args.out / "checkpoint"))
        return
    def history(steps: int, done: bool) -> dict:
        """The checkpoint's metadata: the resumed one's runs, then this one."""
        run = {"run": "python -m lantern.train " + " ".join(sys.argv[1:] if argv is None else argv),
               "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
               "denoiser_steps": steps, "denoiser_minutes": cfg.dit_minutes, "batch": cfg.batch,
               "decoder_minutes": args.decoder_minutes, **({} if done else {"stopped_at_probe": True})}
        return {"preset": args.preset, "done": done, "denoiser_steps": (meta.get("denoiser_steps") or 0) + steps,
                "history": meta.get("history", []) + [run]}

    ema, steps = train_denoiser(model, cfg, rng, device, log, args.out, measure_stats=not args.resume,
                                checkpoint_extra=lambda steps: history(steps, done=False))
    save_checkpoint(ema, args.out / "checkpoint", extra=history(steps, done=True))
    probe(ema, cfg, -1, log)
    prompts = [p.prompt for p in eval_prompts(4, seed=99)]
    clips = ema.generate(prompts, seeds=list(range(len(prompts))), steps=cfg.model.flow.default_steps)
    save_clip_grid(clips.cpu(), args.out / "samples.png", captions=prompts)
    log(phase="done", samples=str(args.out / "samples.png"))


if __name__ == "__main__":
    main()
