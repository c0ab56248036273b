"""Reference outputs for the app's tests, from the training code:
`python -m lantern.fixtures --checkpoint DIR --out ../test/fixtures`.

Writes, for a fixed prompt and seed, with the weights rounded exactly as the
int8 export rounds them (so the browser's int8 graphs must match):
  pipeline/   token ids, text embeddings, the seeded noise, one denoiser
              call, the sampler's trajectory over a few guided steps, the
              latent preview and the decoded frames;
  conditioning/image, conditioning/continuation/
              frame-conditioned generation: the RGBA frames the engine is
              given, the encoder's latent of them, the given latent and mask,
              the conditioned trajectory and the decoded frames;
  attention/  single attention calls at small sizes (self-attention with
              3-D RoPE, cross-attention), including token counts that do not
              divide a tile, for the WGSL kernels.
Each folder has index.json naming every tensor's file, dtype and shape;
tensors are little-endian raw arrays (.bin).
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import random

import numpy as np
import torch

from .dit import apply_rope, attention, rope_tables
from .flow import euler_step, guided, noisy, sample_schedule
from .noise import gaussian_noise
from .pipeline import LanternModel, load_checkpoint
from .quantize import fake_quantize
from .tokenizer import encode
from .world.render import render_clips
from .world.spec import sample_clip

PROMPT = "a red ball bounces on a meadow"
CONDITIONED_PROMPT = "the ball keeps moving left"
CONDITIONED_SEED = 11
CONTINUE_FRAMES = 1  # latent frames a continuation takes from the previous clip
EDIT_PROMPT = "make it a blue star on a plain yellow background"  # any prompt: the fixture checks the maths
EDIT_STRENGTH = 0.6  # any strength in (0, 1): the fixture checks the maths
SEED = 7
STEPS = 3
GUIDANCE = 4.0

# (name, batch, heads, queries, keys, head_dim, rope grid or None); 50, 24 and
# 13 divide no power-of-two tile, 256 is the shipped model's token count.
ATTENTION_CASES = [
    ("self_debug", 1, 1, 8, 8, 32, (2, 2, 2)),
    ("self_50", 1, 2, 50, 50, 32, (2, 5, 5)),
    ("self_24_hd64", 2, 2, 24, 24, 64, (1, 4, 6)),
    ("self_256", 1, 2, 256, 256, 32, (4, 8, 8)),
    ("cross_50x13", 1, 2, 50, 13, 32, None),
    ("cross_256x48", 2, 3, 256, 48, 32, None),
    # Head size 128 (Wan2.1-1.3B's, the large synthetic model's): the subgroups path only.
    # Last, so the cases above keep their random inputs.
    ("self_24_hd128", 1, 2, 24, 24, 128, (1, 4, 6)),
    ("cross_24x13_hd128", 1, 2, 24, 13, 128, None),
]


class TensorWriter:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.index: dict = {"tensors": {}}

    def __call__(self, name: str, value: torch.Tensor | np.ndarray, dtype: str = "float32") -> None:
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        array = np.ascontiguousarray(array.astype({"float32": "<f4", "int32": "<i4", "uint8": "u1"}[dtype]))
        (self.folder / f"{name}.bin").write_bytes(array.tobytes())
        self.index["tensors"][name] = {"file": f"{name}.bin", "dtype": dtype, "shape": list(array.shape)}

    def close(self, **meta) -> None:
        self.index.update(meta)
        (self.folder / "index.json").write_text(json.dumps(self.index, indent=2) + "\n")


@torch.no_grad()
def pipeline_fixtures(model: LanternModel, folder: Path) -> None:
    model = fake_quantize(copy.deepcopy(model)).eval()
    w = TensorWriter(folder)
    ids, mask = encode(model.tokenizer, [PROMPT, ""])
    w("ids", ids, "int32")
    w("mask", mask, "int32")
    text = model.text_encoder(ids, mask)
    w("text", text)
    noise = gaussian_noise(SEED, model.latent_shape())[None]  # (1, C, F, h, w)
    w("noise", noise)
    cond = torch.zeros_like(noise)
    given = torch.zeros_like(noise[:, :1])
    ts = sample_schedule(STEPS, model.cfg.flow.shift)
    x, trajectory, previews = noise, [], []
    for i in range(STEPS):
        x_in = torch.cat([x, cond, given], 1).repeat(2, 1, 1, 1, 1)  # (2, 2C+1, F, h, w)
        t = torch.full((2,), ts[i])
        v = model.dit(x_in, t, text, fast=False)
        if i == 0:
            w("denoiser_x_in", x_in)
            w("denoiser_t", t)
            w("denoiser_v", v)
        v_cond, v_uncond = v.chunk(2)
        v = guided(v_cond, v_uncond, GUIDANCE)
        previews.append(x - ts[i] * v)
        x = euler_step(x, v, ts[i], ts[i + 1])
        trajectory.append(x)
    w("schedule", torch.tensor(ts))
    w("trajectory", torch.stack(trajectory))  # (steps, 1, C, F, h, w)
    w("x0_estimates", torch.stack(previews))
    frames = model.decode_latent(x)  # (1, T, 3, S, S)
    w("frames", frames)
    w("frames_uint8", (frames * 255).round(), "uint8")
    w.close(model=model.cfg.name, prompt=PROMPT, negative="", seed=SEED, steps=STEPS, guidance=GUIDANCE,
            shift=model.cfg.flow.shift, weights="int8-rounded (as exported)",
            # x0 = x - t * v_guided, and guidance g multiplies an error in the two
            # batch halves of v by up to 1 + 2g (9 at g = 4): its own bound.
            tolerances={"text": 1e-4, "denoiser_v": 1e-3, "trajectory": 2e-3, "x0": 5e-3, "frames": 2e-3})


def rgba_uint8(video: torch.Tensor) -> torch.Tensor:
    """(T, 3, S, S) in [0, 1] -> (T, S, S, 4) bytes, as the engine receives frames."""
    rgb = (video.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1)
    return torch.cat([rgb, torch.full_like(rgb[..., :1], 255)], -1)


def from_rgba(rgba: torch.Tensor) -> torch.Tensor:
    """(T, S, S, 4) bytes -> (1, T, 3, S, S) float32 in [0, 1], as the engine feeds the encoder."""
    return (rgba[..., :3].permute(0, 3, 1, 2).float() / 255)[None]


@torch.no_grad()
def conditioning_fixtures(model: LanternModel, folder: Path) -> None:
    """Image-to-video and continuation on a rendered Shapes World clip.

    The encoder graph takes a whole clip (T frames). For an image the engine
    feeds the image T times over (the still clip) and gives the first
    latent frame; for a continuation it feeds the previous clip's last T
    frames and gives their last CONTINUE_FRAMES latent frames as the new
    clip's first ones. Sampling then runs as in flow.sample."""
    model = fake_quantize(copy.deepcopy(model)).eval()
    cfg = model.cfg
    clip = sample_clip(random.Random(3), n_objects=1)
    video = render_clips([clip], size=cfg.size, frames=cfg.frames)[0]  # (T, 3, S, S)
    rgba = rgba_uint8(video)
    ids, mask_ids = encode(model.tokenizer, [CONDITIONED_PROMPT, ""])
    text = model.text_encoder(ids, mask_ids)
    noise = gaussian_noise(CONDITIONED_SEED, model.latent_shape())[None]
    ts = sample_schedule(STEPS, cfg.flow.shift)
    for kind in ("image", "continuation"):
        w = TensorWriter(folder / kind)
        given_frames = rgba[:1] if kind == "image" else rgba
        w("given_rgba", given_frames, "uint8")
        clip_in = from_rgba(given_frames.expand(cfg.frames, -1, -1, -1) if kind == "image" else given_frames)
        encoded = model.encode_video(clip_in)  # (1, C, F, h, w)
        w("encoder_latent", encoded)
        k = 1 if kind == "image" else CONTINUE_FRAMES
        cond = torch.zeros_like(noise)
        cond[:, :, :k] = encoded[:, :, :k] if kind == "image" else encoded[:, :, -k:]
        given = torch.zeros_like(noise[:, :1])
        given[:, :, :k] = 1
        w("cond", cond)
        w("given_mask", given)
        cond_in = torch.cat([cond * given, given], 1)
        x, trajectory = noise, []
        for i in range(STEPS):
            x_in = torch.cat([x, cond_in], 1).repeat(2, 1, 1, 1, 1)
            v_cond, v_uncond = model.dit(x_in, torch.full((2,), ts[i]), text, fast=False).chunk(2)
            x = euler_step(x, guided(v_cond, v_uncond, GUIDANCE), ts[i], ts[i + 1])
            trajectory.append(x)
        w("trajectory", torch.stack(trajectory))
        final = x * (1 - given) + cond * given  # given frames come back exactly as given
        w("final_latent", final)
        w("frames", model.decode_latent(final))
        w.close(model=cfg.name, kind=kind, prompt=CONDITIONED_PROMPT, negative="", seed=CONDITIONED_SEED,
                steps=STEPS, guidance=GUIDANCE, latent_frames=k, clip=str(clip),
                tolerances={"encoder_latent": 1e-3, "trajectory": 2e-3, "frames": 2e-3})
    edit_fixture(model, rgba, noise, folder / "edit")


def edit_fixture(model: LanternModel, rgba: torch.Tensor, noise: torch.Tensor, folder: Path) -> None:
    """Editing, as flow.sample does it with start_latent: the whole clip is
    encoded, re-noised to the first time of the schedule that starts at
    EDIT_STRENGTH, and denoised under EDIT_PROMPT with no given frames."""
    cfg = model.cfg
    ids, mask_ids = encode(model.tokenizer, [EDIT_PROMPT, ""])
    text = model.text_encoder(ids, mask_ids)
    ts = sample_schedule(STEPS, cfg.flow.shift, EDIT_STRENGTH)
    w = TensorWriter(folder)
    w("given_rgba", rgba, "uint8")
    encoded = model.encode_video(from_rgba(rgba))  # (1, C, F, h, w)
    w("encoder_latent", encoded)
    x = noisy(encoded, noise, torch.full((1,), ts[0]))
    w("start_latent", x)
    cond_in = torch.zeros(1, noise.shape[1] + 1, *noise.shape[2:])  # no given frames: condition and mask all zero
    trajectory = []
    for i in range(STEPS):
        x_in = torch.cat([x, cond_in], 1).repeat(2, 1, 1, 1, 1)
        v_cond, v_uncond = model.dit(x_in, torch.full((2,), ts[i]), text, fast=False).chunk(2)
        x = euler_step(x, guided(v_cond, v_uncond, GUIDANCE), ts[i], ts[i + 1])
        trajectory.append(x)
    w("trajectory", torch.stack(trajectory))
    w("final_latent", x)
    w("frames", model.decode_latent(x))
    w.close(model=cfg.name, kind="edit", prompt=EDIT_PROMPT, negative="", seed=CONDITIONED_SEED,
            steps=STEPS, guidance=GUIDANCE, strength=EDIT_STRENGTH,
            tolerances={"encoder_latent": 1e-3, "trajectory": 2e-3, "frames": 2e-3})


@torch.no_grad()
def attention_fixtures(folder: Path, theta: float = 10000.0) -> None:
    """Inputs and float64-computed outputs of single attention calls."""
    w = TensorWriter(folder)
    g = torch.Generator().manual_seed(0)
    cases = []
    for name, b, h, nq, nk, hd, grid in ATTENTION_CASES:
        q = torch.randn(b, h, nq, hd, generator=g, dtype=torch.float64)
        k = torch.randn(b, h, nk, hd, generator=g, dtype=torch.float64)
        v = torch.randn(b, h, nk, hd, generator=g, dtype=torch.float64)
        case = {"name": name, "batch": b, "heads": h, "queries": nq, "keys": nk, "headDim": hd,
                "scale": hd ** -0.5, "layout": "BHND"}
        if grid is not None:
            dims = (hd // 4, 3 * hd // 8, 3 * hd // 8)
            cos, sin = rope_tables(grid, dims, theta)
            qr, kr = apply_rope(q, cos.double(), sin.double()), apply_rope(k, cos.double(), sin.double())
            case["rope"] = {"grid": list(grid), "dims": list(dims), "theta": theta, "pairing": "interleaved",
                            "order": "frame,row,column"}
            w(f"{name}_rope_cos", cos)
            w(f"{name}_rope_sin", sin)
        else:
            qr, kr = q, k
            case["rope"] = None
        out = attention(qr, kr, v, fast=False)
        for key, value in (("q", q), ("k", k), ("v", v), ("out", out)):
            w(f"{name}_{key}", value)
        cases.append(case)
    w.close(cases=cases, tolerance={"atol": 2e-5, "rtol": 1e-4, "note": "float32 kernel vs float64 reference"})


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="e.g. ../test/fixtures")
    args = ap.parse_args(argv)
    model, _ = load_checkpoint(args.checkpoint)
    pipeline_fixtures(model, args.out / model.cfg.name)
    conditioning_fixtures(model, args.out / "conditioning")
    attention_fixtures(args.out / "attention")
    print(f"fixtures written to {args.out}")


if __name__ == "__main__":
    main()
