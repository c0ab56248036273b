"""The whole text-to-video model: its recipe, its parts, checkpoints and the
PyTorch reference of generation that the browser pipeline reproduces.

Generation, as the browser does it:
  1. tokenize the prompt (and the negative prompt, "" by default) to 48 ids;
  2. encode both with the text encoder -> (2, L, D);
  3. noise from the seed (noise.py), in normalised latent space;
  4. the flow sampler (flow.py) with classifier-free guidance, the
     conditioning latent and mask for image-to-video / continuation, or a
     re-noised latent for editing;
  5. de-normalise the latent and decode it to frames.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn

from .autoencoder import AutoencoderConfig, LatentStats, VideoAutoencoder
from .dit import DiT, DiTConfig
from .flow import FlowConfig, sample
from .noise import gaussian_noise
from .text_encoder import TextEncoder, TextEncoderConfig
from tokenizers import Tokenizer

from .tokenizer import MAX_TOKENS, build_tokenizer, encode, load_tokenizer, save_tokenizer

MAX_SHARD_BYTES = 15 * 1024 * 1024  # checkpoint files stay under 16 MB (device transfer limit, repo hygiene)
CHECKPOINT_DTYPE = torch.float16  # weights on disk; loaded as float32 (see save_checkpoint)


@dataclass
class ModelConfig:
    name: str = "lantern-tiny"
    size: int = 128  # frame side in pixels
    frames: int = 16
    fps: int = 8
    text: TextEncoderConfig = field(default_factory=TextEncoderConfig)
    autoencoder: AutoencoderConfig = field(default_factory=AutoencoderConfig)
    dit: DiTConfig = field(default_factory=DiTConfig)
    flow: FlowConfig = field(default_factory=FlowConfig)

    def check(self) -> None:
        ae, dit = self.autoencoder, self.dit
        if self.frames % ae.temporal or self.frames // ae.temporal != dit.latent_frames:
            raise ValueError(f"{self.frames} frames do not give the denoiser's {dit.latent_frames} latent frames")
        if self.size // ae.spatial != dit.latent_size or ae.latent_channels != dit.latent_channels:
            raise ValueError("the autoencoder's latent does not match the denoiser's")
        if self.text.dim != dit.text_dim or self.text.max_tokens != MAX_TOKENS:
            raise ValueError("the text encoder's output does not match the denoiser's cross-attention")

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(d: dict) -> "ModelConfig":
        tuples = lambda cls, v: cls(**{k: tuple(x) if isinstance(x, list) else x for k, x in v.items()})
        return ModelConfig(name=d["name"], size=d["size"], frames=d["frames"], fps=d["fps"],
                           text=tuples(TextEncoderConfig, d["text"]), autoencoder=tuples(AutoencoderConfig, d["autoencoder"]),
                           dit=tuples(DiTConfig, d["dit"]), flow=FlowConfig(**d["flow"]))


class LanternModel(nn.Module):
    def __init__(self, cfg: ModelConfig, tokenizer: Tokenizer | None = None):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        self.tokenizer = tokenizer or build_tokenizer()
        if self.tokenizer.get_vocab_size() > cfg.text.vocab_size:
            raise ValueError(f"the tokenizer has {self.tokenizer.get_vocab_size()} tokens, "
                             f"more than the text encoder's {cfg.text.vocab_size}")
        self.text_encoder = TextEncoder(cfg.text)
        self.autoencoder = VideoAutoencoder(cfg.autoencoder)
        self.dit = DiT(cfg.dit)
        c = cfg.autoencoder.latent_channels
        self.stats = LatentStats(mean=[0.0] * c, std=[1.0] * c)

    # -- parts of generation -------------------------------------------------------

    def encode_text(self, prompts: list[str]) -> torch.Tensor:
        ids, mask = encode(self.tokenizer, prompts)
        device = next(self.parameters()).device
        return self.text_encoder(ids.to(device), mask.to(device))  # (B, L, D)

    def latent_shape(self) -> tuple[int, int, int, int]:
        d = self.cfg.dit
        return (d.latent_channels, d.latent_frames, d.latent_size, d.latent_size)

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, S, S) -> normalised latent (B, C, F, h, w)."""
        return self.stats.normalise(self.autoencoder.encoder(video))

    def decode_latent(self, z: torch.Tensor) -> torch.Tensor:
        """normalised latent (B, C, F, h, w) -> (B, T, 3, S, S)."""
        return self.autoencoder.decoder(self.stats.denormalise(z))

    def still_latent(self, image: torch.Tensor) -> torch.Tensor:
        """An image (B, 3, S, S) as the first latent frame (B, C, 1, h, w):
        the image held still for one chunk of frames."""
        k = self.cfg.autoencoder.temporal
        return self.encode_video(image[:, None].expand(-1, k, -1, -1, -1))

    # -- generation -------------------------------------------------------------------

    @torch.no_grad()
    def generate(self, prompts: list[str], seeds: list[int], **options) -> torch.Tensor:
        """Clips (B, T, 3, S, S) in [0, 1] for prompts and seeds: the latents of
        `generate_latent` (its options), decoded."""
        return self.decode_latent(self.generate_latent(prompts, seeds, **options))

    @torch.no_grad()
    def generate_latent(self, prompts: list[str], seeds: list[int], steps: int | None = None,
                         guidance: float | None = None, negative: str = "", image: torch.Tensor | None = None,
                         previous: torch.Tensor | None = None, continue_frames: int = 1,
                         edit: torch.Tensor | None = None, strength: float = 0.6,
                         on_step: Callable[[int, torch.Tensor], None] | None = None, sampler: str = "euler",
                         shift: float | None = None) -> torch.Tensor:
        """Normalised latents (B, C, F, h, w) of clips for prompts and seeds, with `sampler`
        (flow.SAMPLERS) integrating the flow on the schedule shifted by `shift`
        (default: the model's, cfg.flow.shift).

        image (B, 3, S, S): image-to-video, the clip starts from it.
        previous (B, T, 3, S, S): scene continuation; the new clip's first
        `continue_frames` latent frames are the previous clip's last ones.
        edit (B, T, 3, S, S): editing by instruction; the clip's latent is
        re-noised to `strength` and denoised under the new prompt.
        """
        cfg = self.cfg
        steps = steps or cfg.flow.default_steps
        guidance = cfg.flow.default_guidance if guidance is None else guidance
        b = len(prompts)
        device = next(self.parameters()).device
        shape = self.latent_shape()
        noise = torch.stack([gaussian_noise(s, shape) for s in seeds]).to(device)  # (B, C, F, h, w)
        cond = torch.zeros_like(noise)
        mask = torch.zeros(b, 1, *shape[1:], device=device)
        if image is not None:
            cond[:, :, :1] = self.still_latent(image.to(device))
            mask[:, :, :1] = 1
        if previous is not None:
            k = continue_frames
            cond[:, :, :k] = self.encode_video(previous.to(device))[:, :, -k:]
            mask[:, :, :k] = 1
        start = self.encode_video(edit.to(device)) if edit is not None else None
        text = self.encode_text(list(prompts) + [negative] * b)  # (2B, L, D): conditional, then unconditional
        return sample(lambda x_in, t: self.dit(x_in, t.to(device), text), noise, cond, mask, steps,
                      cfg.flow.shift if shift is None else shift, guidance, start_latent=start,
                      strength=strength if edit is not None else 1.0, on_step=on_step, sampler=sampler)


# -- checkpoints ---------------------------------------------------------------------


def save_checkpoint(model: LanternModel, directory: Path, extra: dict | None = None) -> list[Path]:
    """config.json plus weights in float16 shards of at most 15 MB.

    float16, not bfloat16: the weights stay far inside its range (the
    shipped model's largest is 4.5; a weight that overflows is an error),
    and its 10-bit mantissa rounds a weight by at most 2^-11 of itself
    (under 3e-8 absolute below 6e-5) where bfloat16 would round by 2^-8.
    load_checkpoint returns float32, so nothing downstream changes."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("weights-*.pt"):
        old.unlink()
    state = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu()
        if v.is_floating_point():
            if (torch.isinf(v.to(CHECKPOINT_DTYPE)) & torch.isfinite(v)).any():
                raise ValueError(f"{k} overflows {CHECKPOINT_DTYPE}: its largest magnitude is "
                                 f"{v.abs().max().item():.4g}, over {torch.finfo(CHECKPOINT_DTYPE).max:.0f}")
            v = v.to(CHECKPOINT_DTYPE)
        state[k] = v.clone()
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for k, v in state.items():
        nbytes = v.numel() * v.element_size()
        if size + nbytes > MAX_SHARD_BYTES and shards[-1]:
            shards.append({})
            size = 0
        shards[-1][k] = v
        size += nbytes
    paths = []
    for i, shard in enumerate(shards):
        path = directory / f"weights-{i:02d}.pt"
        torch.save(shard, path)
        paths.append(path)
    save_tokenizer(directory / "tokenizer.json", model.tokenizer)
    meta = {"config": model.cfg.to_json(), "latent_stats": dataclasses.asdict(model.stats),
            "shards": [p.name for p in paths], "weights_dtype": str(CHECKPOINT_DTYPE).removeprefix("torch."),
            **(extra or {})}
    (directory / "config.json").write_text(json.dumps(meta, indent=2))
    return paths


def load_checkpoint(directory: Path, map_location: str | torch.device = "cpu") -> tuple[LanternModel, dict]:
    meta = json.loads((directory / "config.json").read_text())
    model = LanternModel(ModelConfig.from_json(meta["config"]), load_tokenizer(directory / "tokenizer.json"))
    state: dict[str, torch.Tensor] = {}
    for name in meta["shards"]:
        state.update(torch.load(directory / name, map_location=map_location, weights_only=True))
    # float16 shards (or float32 ones, from before float16 checkpoints) -> the float32 model
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    model.stats = LatentStats(**meta["latent_stats"])
    return model, meta


def warm_start(model: LanternModel, source: LanternModel) -> tuple[list[str], list[str]]:
    """Copy `source`'s text encoder and denoiser into `model` wherever a
    tensor's name and shape match, for a design change that keeps the
    transformer's width and depth (a new autoencoder, another latent grid or
    patch): what the text encoder and the blocks learnt carries over, and
    what no longer fits (the patch embedding and the final projection, say)
    starts fresh. RoPE has no weights, so a new token grid costs nothing.
    Returns the tensors taken and those left as they were, by name."""
    if source.tokenizer.get_vocab() != model.tokenizer.get_vocab():
        raise ValueError("the source checkpoint's tokenizer has another vocabulary: its text encoder's rows would "
                         "stand for other words. Warm-start only from a model of the same world version.")
    taken, left = [], []
    with torch.no_grad():
        for part in ("text_encoder", "dit"):
            donor = getattr(source, part).state_dict()
            for name, tensor in getattr(model, part).state_dict().items():
                if name in donor and donor[name].shape == tensor.shape:
                    tensor.copy_(donor[name])
                    taken.append(f"{part}.{name}")
                else:
                    left.append(f"{part}.{name}")
    return taken, left
