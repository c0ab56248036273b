"""Training presets: one recipe per machine, chosen with `--preset`.

smoke  every part for a few steps at a toy size; under 2 minutes on CPU (CI).
cpu    the model this machine's 2 cores can train in about 2 hours.
gpu    the shipped model: about 8 minutes from scratch on an H100. gpu_run.sh
       continues it from the committed checkpoint and scores it, all in one
       10-minute device call.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .autoencoder import AutoencoderConfig
from .dit import DiTConfig
from .flow import FlowConfig
from .pipeline import ModelConfig
from .text_encoder import TextEncoderConfig


@dataclass
class TrainConfig:
    model: ModelConfig
    # autoencoder phase
    ae_minutes: float
    ae_max_steps: int
    ae_batch: int  # clips per step (each clip is cut into 4-frame chunks)
    ae_lr: float
    # denoiser phase (text encoder trained jointly)
    dit_minutes: float
    dit_max_steps: int
    batch: int
    lr: float
    warmup_steps: int
    ema_decay: float
    pool_clips: int  # rendered clips kept as latents; captions are re-drawn every time a clip is used
    pool_refresh: int  # clips re-rendered per step, on average
    # Steps between refreshes; each renders pool_refresh * pool_refresh_every
    # clips in one batch. The renderer is vectorised over clips: one render of
    # 256 clips is 3.6x the aten ops of one of 32 (22k against 6.1k, most of
    # the growth host-side tensor building), not 8x, and on a GPU each op on
    # the device is a kernel launch. On a CPU the pixels dominate: keep 1.
    pool_refresh_every: int = 1
    pool_captions: int = 4  # captions drawn per clip when it is rendered; each use picks one
    # torch.compile the step's forward (fused elementwise ops, far fewer
    # kernel launches: the eager step on the GPU was host-bound). Falls back
    # to eager, logged, if compiling fails.
    compile: bool = False
    # torch.compile's mode: "default" (fused kernels), or "reduce-overhead"
    # (also CUDA graphs: one launch for the forward and one for the backward).
    compile_mode: str = "default"
    eager_steps: int = 0  # with compile: steps run eagerly first (the run's own eager speed, for comparison)
    profile_at: int = 0  # on CUDA: the step at which to profile `profile_steps` steps (0: never)
    profile_steps: int = 20
    ae_crop: int = 64  # the autoencoder trains on crops of this side (it is fully convolutional)
    ae_crops_per_clip: int = 4
    # The autoencoder draws its clips from a pool of rendered clips, re-rendering
    # ae_refresh of them per step on average (in one batch every
    # ae_refresh_every steps), so that the renderer's cost is shared by several
    # steps: rendering a batch took longer than the step that trains on it.
    # ae_pool_clips 0 renders a fresh batch every step (no pool).
    ae_pool_clips: int = 0
    ae_refresh: int = 0
    ae_refresh_every: int = 1
    # False trains the decoder alone: the latents (and so a trained denoiser)
    # stay valid, and the decoder catches up with a longer budget.
    ae_train_encoder: bool = True
    caption_dropout: float = 0.1  # empty caption, for classifier-free guidance
    t_uniform: float = 0.3  # share of training times drawn uniformly (see flow.sample_training_time)
    t_high: float = 0.0  # share drawn uniformly from [t_high_from, 1]: the caption's only job there
    t_high_from: float = 0.98
    p_image_condition: float = 0.2  # first latent frame given as a still image
    p_continuation: float = 0.2  # first 1-2 latent frames given from the clip itself
    weight_decay: float = 0.01
    lr_schedule: str = "cosine"  # or "wsd": constant after warmup, cool-down over the last `cooldown` of the budget
    cooldown: float = 0.2
    # Auxiliary attribute head (attribute_head.py): its loss times aux_weight,
    # for the first aux_until of the budget; 0 switches it off.
    aux_weight: float = 0.0
    aux_until: float = 0.7
    # Curriculum (curriculum.py): over this first fraction of the denoiser
    # budget the share of new clips drawn from a simple world, captioned with
    # all four judged attributes, falls from 1 to 0. 0 switches it off.
    curriculum: float = 0.0
    # Share of the other new clips whose captions all name motion and the
    # background too (curriculum.py, always_named); 0: captions as drawn.
    name_judged: float = 0.0
    # Caption head (caption_head.py): its loss on the pooled caption vector
    # (what the caption names, background included) times caption_weight; 0: off.
    caption_weight: float = 0.0
    # Flow loss weight of latent positions an object covers (object_weight.py);
    # 1: every position alike.
    object_weight: float = 1.0
    text_lr_scale: float = 1.0  # the text encoder's learning rate, as a multiple of lr
    bf16: bool = False
    eval_every_minutes: float = 0.0  # adherence probe on held-out prompts during training; 0 = only at the end
    eval_clips: int = 12
    eval_steps: int = 12
    probe_clips: int = 8  # conditioning probe: clips, each with 4 one-attribute caption swaps
    log_every: int = 25
    extra: dict = field(default_factory=dict)


def smoke() -> TrainConfig:
    model = ModelConfig(
        name="lantern-smoke", size=32, frames=8, fps=8,
        text=TextEncoderConfig(dim=64, depth=1, heads=2),
        autoencoder=AutoencoderConfig(latent_channels=4, widths=(8, 16, 32), decoder_widths=(32, 16, 8, 8)),
        dit=DiTConfig(latent_channels=4, latent_frames=2, latent_size=4, patch=2, dim=64, depth=2, heads=2,
                      text_dim=64, rope_dims=(8, 12, 12)),
        flow=FlowConfig(shift=1.0, default_steps=4, default_guidance=3.0),
    )
    return TrainConfig(model=model, ae_minutes=0.3, ae_max_steps=8, ae_batch=4, ae_lr=1e-3,
                       dit_minutes=0.5, dit_max_steps=8, batch=4, lr=1e-3, warmup_steps=2, ema_decay=0.9,
                       pool_clips=16, pool_refresh=2, eval_clips=2, eval_steps=2, probe_clips=2, log_every=2)


def cpu() -> TrainConfig:
    model = ModelConfig(
        name="lantern-tiny",
        text=TextEncoderConfig(dim=192, depth=3, heads=4),
        autoencoder=AutoencoderConfig(latent_channels=12),
        dit=DiTConfig(dim=192, depth=6, heads=6, text_dim=192, rope_dims=(8, 12, 12)),
        flow=FlowConfig(shift=2.0, default_steps=20, default_guidance=4.0),
    )
    return TrainConfig(model=model, ae_minutes=14, ae_max_steps=100_000, ae_batch=4, ae_lr=1e-3,
                       dit_minutes=95, dit_max_steps=100_000, batch=24, lr=6e-4, warmup_steps=100,
                       ema_decay=0.995, pool_clips=2048, pool_refresh=3, eval_every_minutes=15, eval_clips=12)


def gpu() -> TrainConfig:
    model = ModelConfig(
        name="lantern-tiny",
        text=TextEncoderConfig(dim=256, depth=3, heads=4),
        autoencoder=AutoencoderConfig(latent_channels=12, widths=(40, 80, 160), decoder_widths=(160, 80, 40, 20)),
        # ~10.5M parameters: int8, the stage graphs plus the whole-graph
        # reference (the weights twice) and the other parts stay under 30 MB.
        dit=DiTConfig(dim=256, depth=7, heads=4, text_dim=256, rope_dims=(16, 24, 24)),
        flow=FlowConfig(shift=2.0, default_steps=24, default_guidance=4.0),
    )
    # Sized so that a run from scratch (start-up, both phases, probes, samples,
    # checkpoint) ends inside one 10-minute device call: about 8 minutes.
    # gpu_run.sh resumes instead, with --minutes 5.9, and scores after.
    return TrainConfig(model=model, ae_minutes=1.5, ae_max_steps=100_000, ae_batch=32, ae_lr=1e-3,
                       dit_minutes=5.75, dit_max_steps=100_000, batch=128, lr=5e-4, warmup_steps=200,
                       ema_decay=0.999, pool_clips=8192, pool_refresh=4, pool_refresh_every=64, bf16=True,
                       compile=True, compile_mode="reduce-overhead", eager_steps=100, profile_at=400,
                       ae_pool_clips=1024, ae_refresh=8, ae_refresh_every=16,
                       eval_every_minutes=3.0, eval_clips=24, eval_steps=16, log_every=100)


PRESETS = {"smoke": smoke, "cpu": cpu, "gpu": gpu}
