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
import math
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .conditioning import conditioning_probe, probe_clips
from .flow import noisy, sample_training_time
from .media import save_clip_grid
from .pipeline import LanternModel, load_checkpoint, save_checkpoint
from .presets import PRESETS, TrainConfig
from .tokenizer import encode
from .world.captions import captions_for
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


def lr_at(step: int, elapsed: float, cfg: TrainConfig, base_lr: float, budget_s: float, max_steps: int) -> float:
    """Linear warmup, then cosine decay to 10% over the time (or step) budget."""
    if step < cfg.warmup_steps:
        return base_lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, max(elapsed / budget_s, step / max_steps))
    return base_lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train_autoencoder(model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device, log: Log) -> None:
    ae = model.autoencoder.train()
    opt = torch.optim.AdamW(ae.parameters(), lr=cfg.ae_lr, weight_decay=0.0, fused=device.type == "cuda")
    budget = cfg.ae_minutes * 60
    start, step = time.time(), 0
    while step < cfg.ae_max_steps and time.time() - start < budget:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, time.time() - start, cfg, cfg.ae_lr, budget, cfg.ae_max_steps)
        _, video = render_batch(rng, cfg.ae_batch, cfg, device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
            loss, metrics = ae.loss(random_crops(video, cfg.ae_crop, cfg.ae_crops_per_clip))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.parameters(), 1.0)
        opt.step()
        if step % cfg.log_every == 0:
            log(phase="autoencoder", step=step, loss=round(loss.item(), 5), **{k: round(v, 5) for k, v in metrics.items()})
        step += 1
    log(phase="autoencoder", step=step, done=True, minutes=round((time.time() - start) / 60, 2))
    ae.eval()


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


class LatentPool:
    """Rendered clips kept as normalised latents, with their specs."""

    def __init__(self, model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device):
        self.model, self.cfg, self.rng, self.device = model, cfg, rng, device
        self.specs: list = []
        latents, stills = [], []
        chunk = max(64, cfg.pool_refresh * cfg.pool_refresh_every)  # clips per render, as the refreshes
        for i in range(0, cfg.pool_clips, chunk):
            specs, z, still = self._render(min(chunk, cfg.pool_clips - i))
            self.specs += specs
            latents.append(z)
            stills.append(still)
        self.latents = torch.cat(latents)  # (P, C, F, h, w)
        self.stills = torch.cat(stills)  # (P, C, 1, h, w)
        self.cursor = 0

    @torch.no_grad()
    def _render(self, count: int):
        specs, video = render_batch(self.rng, count, self.cfg, self.device)
        return specs, self.model.encode_video(video), self.model.still_latent(video[:, 0])

    def refresh(self, count: int) -> None:
        """Replace the `count` oldest clips (at most the whole pool) with new
        renders, in one batch."""
        count = min(count, len(self.specs))
        if count <= 0:
            return
        specs, z, still = self._render(count)
        slots = [(self.cursor + j) % len(self.specs) for j in range(count)]
        for i, spec in zip(slots, specs):
            self.specs[i] = spec
        idx = torch.tensor(slots, device=self.latents.device)  # (count,): distinct slots, one copy each
        self.latents[idx], self.stills[idx] = z, still
        self.cursor = (self.cursor + count) % len(self.specs)

    def batch(self, size: int):
        idx = torch.randint(len(self.specs), (size,))
        return [self.specs[i] for i in idx.tolist()], self.latents[idx], self.stills[idx]


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


def train_denoiser(model: LanternModel, cfg: TrainConfig, rng: random.Random, device: torch.device,
                   log: Log, out: Path, measure_stats: bool = True) -> tuple[LanternModel, int]:
    """-> the EMA model and the number of steps taken."""
    if measure_stats:  # from fresh clips, before the pool is encoded with them; kept when resuming
        with torch.no_grad():
            _, video = render_batch(rng, max(8, min(64, cfg.pool_clips)), cfg, device)
            model.stats = type(model.stats).measure(model.autoencoder.encoder(video))
    log(phase="latent_stats", mean=[round(m, 3) for m in model.stats.mean], std=[round(s, 3) for s in model.stats.std])
    pool = LatentPool(model, cfg, rng, device)
    log(phase="pool", clips=len(pool.specs))
    params = list(model.dit.parameters()) + list(model.text_encoder.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.99),
                            fused=device.type == "cuda")  # one kernel per step instead of one per tensor
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    ema_params = list(ema.dit.parameters()) + list(ema.text_encoder.parameters())
    model.dit.train()
    model.text_encoder.train()
    budget = cfg.dit_minutes * 60
    start, step, next_eval = time.time(), 0, cfg.eval_every_minutes * 60
    clock = HostClock()
    while step < cfg.dit_max_steps and time.time() - start < budget:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, time.time() - start, cfg, cfg.lr, budget, cfg.dit_max_steps)
        specs, x0, still = pool.batch(cfg.batch)
        captions = ["" if rng.random() < cfg.caption_dropout else captions_for(s, rng, n=1, split="train")[0]
                    for s in specs]
        ids, mask_t = encode(model.tokenizer, captions)
        cond, mask = conditioning(x0, still, cfg)
        t = sample_training_time(x0.shape[0], cfg.model.flow.shift, cfg.t_uniform, device=device)
        noise = torch.randn_like(x0)
        x_in = torch.cat([noisy(x0, noise, t), cond * mask, mask], 1)  # (B, 2C+1, F, h, w)
        clock.lap("batch")
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
            text = model.text_encoder(ids.to(device), mask_t.to(device))
            v = model.dit(x_in, t, text)
        weight = 1 - mask  # given frames carry no loss
        loss = ((v.float() - (noise - x0)) ** 2 * weight).sum() / (weight.sum() * x0.shape[1]).clamp_min(1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(cfg.ema_decay, (1 + step) / (10 + step))
        with torch.no_grad():
            torch._foreach_lerp_(ema_params, params, 1 - decay)  # p_ema.lerp_(p, 1 - decay), one launch per group
        clock.lap("step")
        if (step + 1) % cfg.pool_refresh_every == 0:
            pool.refresh(cfg.pool_refresh * cfg.pool_refresh_every)
        clock.lap("refresh")
        clock.steps += 1
        if step % cfg.log_every == 0:
            log(phase="denoiser", step=step, loss=round(loss.item(), 5), grad_norm=round(float(grad_norm), 3),
                lr=round(opt.param_groups[0]["lr"], 6), steps_per_s=round(step / max(1e-9, time.time() - start), 2),
                host_ms=clock.report())
            clock.skip()
        if next_eval and time.time() - start > next_eval:
            next_eval += cfg.eval_every_minutes * 60
            probe(ema, cfg, step, log)
            save_checkpoint(ema, out / "checkpoint", extra={"step": step})
            clock.skip()
        step += 1
    ema.stats = model.stats
    log(phase="denoiser", step=step, done=True, minutes=round((time.time() - start) / 60, 2))
    return ema, step


def probe(model: LanternModel, cfg: TrainConfig, step: int, log: Log) -> dict:
    """Adherence on a few held-out prompts (the judge's scores, not the
    loss), and beside it how far the prediction moves with the text
    (conditioning.py): a model that ignores its captions shows it here."""
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
    args = ap.parse_args(argv)

    cfg = PRESETS[args.preset]()
    for assignment in args.set:
        override(cfg, assignment)
    if args.resume and any(a.startswith("model.") for a in args.set):
        raise SystemExit("--set model.* changes the model's shapes, which a resumed checkpoint fixes; drop --resume")
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
        log(phase="resume", checkpoint=str(args.resume), step=meta.get("step"),
            denoiser_steps=meta.get("denoiser_steps"))
        if args.autoencoder_only:
            train_autoencoder(model, cfg, rng, device, log)
    else:
        model = LanternModel(cfg.model).to(device)
        train_autoencoder(model, cfg, rng, device, log)
    if args.autoencoder_only:
        save_checkpoint(model, args.out / "checkpoint", extra={**{k: v for k, v in meta.items() if k in ("history", "denoiser_steps")},
                                                              "preset": args.preset, "autoencoder_only": True})
        log(phase="done", checkpoint=str(args.out / "checkpoint"))
        return
    ema, steps = train_denoiser(model, cfg, rng, device, log, args.out, measure_stats=not args.resume)
    # The checkpoint's history: the resumed one's runs, then this one.
    run = {"run": "python -m lantern.train " + " ".join(sys.argv[1:] if argv is None else argv),
           "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
           "denoiser_steps": steps, "denoiser_minutes": cfg.dit_minutes, "batch": cfg.batch}
    save_checkpoint(ema, args.out / "checkpoint", extra={
        "preset": args.preset, "done": True, "denoiser_steps": (meta.get("denoiser_steps") or 0) + steps,
        "history": meta.get("history", []) + [run]})
    probe(ema, cfg, -1, log)
    prompts = [p.prompt for p in eval_prompts(4, seed=99)]
    clips = ema.generate(prompts, seeds=list(range(len(prompts))), steps=cfg.model.flow.default_steps)
    save_clip_grid(clips.cpu(), args.out / "samples.png", captions=prompts)
    log(phase="done", samples=str(args.out / "samples.png"))


if __name__ == "__main__":
    main()
