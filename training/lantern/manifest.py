"""The model manifest (format v1, described in models-manifest/README.md).

The manifest is everything the browser needs to know about a model: its
files (each split into shards carrying a sha256 integrity string), the
tokenizer, latent and patch shapes, the denoiser's execution plan with its
attention calls, the sampler, the default video size, memory needs and the
training recipe. Engines read the model from data, never from code.
"""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import torch

from .pipeline import LanternModel
from .tokenizer import save_tokenizer
from .world.spec import WORLD_VERSION

FORMAT_VERSION = 1
DEFAULT_SHARD_BYTES = 128 * 1024 * 1024  # the browser store's shard size limit



# Edits re-noise the clip to this time (how much may change). Measured on 50 held-out edits
# (lantern.editing, models-manifest/lantern-tiny.editing.md): at 0.6 the edited attribute is
# right in 18% and the layout is kept; at 0.9 in 36% (colour 71%, above the 41% of the edited
# prompt from scratch) while the object's track stays 2.6x closer than from scratch.
EDIT_STRENGTH = 0.9

# The page's Speed presets and the default a request without sampler settings gets, measured for
# this model by lantern.sampler_bench on 100 held-out prompts against Euler at 24 steps on the
# model's own shift (bench/samplers.md). Fast, the default, is the fastest setting whose scores
# stay within a point of that; a larger shift spends more of few steps at high noise, where
# this model's few-step error was.
SPEEDS = {"quality": {"sampler": "euler", "steps": 24, "shift": 5.0},
          "fast": {"sampler": "dpmpp2m", "steps": 10, "shift": 5.0}}
DEFAULT_SPEED = "fast"


def sampler_block(cfg) -> dict:
    """The manifest's `sampler`: the schedule, guidance and noise the engine must match, and the defaults above."""
    default = SPEEDS[DEFAULT_SPEED]
    return {"kind": "flow-matching-euler", "shift": cfg.flow.shift, "defaultSteps": default["steps"],
            "defaultSampler": default["sampler"], "defaultShift": default["shift"], "speeds": SPEEDS,
            "defaultGuidance": cfg.flow.default_guidance, "guidanceBatch": "conditional-then-unconditional",
            "noise": {"kind": "mulberry32-box-muller", "order": "C,F,h,w"}}


def integrity(data: bytes) -> str:
    """Subresource-integrity style: 'sha256-' + base64 digest."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def shard_file(path: Path, max_bytes: int = DEFAULT_SHARD_BYTES) -> dict:
    """Describe a file as shards; a file larger than max_bytes is split into
    <name>.part-NN files next to it (and the original removed)."""
    data = path.read_bytes()
    if len(data) <= max_bytes:
        shards = [{"url": path.name, "bytes": len(data), "sha256": integrity(data)}]
    else:
        shards = []
        for i in range(0, len(data), max_bytes):
            part = path.with_name(f"{path.name}.part-{i // max_bytes:02d}")
            chunk = data[i:i + max_bytes]
            part.write_bytes(chunk)
            shards.append({"url": part.name, "bytes": len(chunk), "sha256": integrity(chunk)})
        path.unlink()
    return {"bytes": len(data), "sha256": integrity(data), "shards": shards}


@torch.no_grad()
def preview_matrix(model: LanternModel, clips: int = 16) -> list[list[float]]:
    """A linear map from a normalised latent cell (C values and a 1) to the
    mean RGB of the 4 x 8 x 8 pixels it decodes to, fitted by least squares:
    the browser's live preview while denoising, with no decoder call."""
    from .world.heldout import sample_training_clip
    from .world.render import render_clips
    import random

    rng = random.Random(7)
    specs = [sample_training_clip(rng) for _ in range(clips)]
    video = render_clips(specs, size=model.cfg.size, frames=model.cfg.frames)
    z = model.encode_video(video)  # (B, C, F, h, w)
    b, c, f, h, w = z.shape
    k, s = model.cfg.autoencoder.temporal, model.cfg.autoencoder.spatial
    rgb = video.reshape(b, f, k, 3, h, s, w, s).mean((2, 5, 7))  # (B, F, 3, h, w)
    x = torch.cat([z.permute(0, 2, 3, 4, 1).reshape(-1, c), torch.ones(b * f * h * w, 1)], 1).double()
    y = rgb.permute(0, 1, 3, 4, 2).reshape(-1, 3).double()
    m = torch.linalg.lstsq(x, y).solution  # (C+1, 3)
    return [[round(float(v), 6) for v in row] for row in m]


def write_manifest(model: LanternModel, meta: dict, exported: dict, model_dir: Path, manifest_path: Path,
                   version: str = "0.1.0", evaluation: dict | None = None) -> dict:
    cfg = model.cfg
    d, ae = cfg.dit, cfg.autoencoder
    tokenizer_path = save_tokenizer(model_dir / "tokenizer.json", model.tokenizer)
    # URLs are relative to the manifest as the app serves it: /models/<id>.json
    # next to the folder /models/<id>/ (see models-manifest/README.md).
    base = f"{model_dir.name}/"
    graphs = {}
    for name, g in exported["graphs"].items():
        entry = shard_file(model_dir / g["path"])
        for shard in entry["shards"]:
            shard["url"] = base + shard["url"]
        graphs[name] = {"inputs": g["inputs"], "outputs": g["outputs"],
                        "weights": "int8-per-channel" if g.get("weights") else "float32", **entry}
    tok = shard_file(tokenizer_path)
    weights_bytes = sum(g["bytes"] for g in graphs.values())
    latent_bytes = 4 * d.latent_channels * d.latent_frames * d.latent_size ** 2
    attention_bytes = 4 * 2 * d.heads * d.tokens * d.tokens  # a naive score matrix, batch 2: the upper bound
    manifest = {
        "format": "lantern-model-manifest",
        "formatVersion": FORMAT_VERSION,
        "id": cfg.name,
        "version": version,
        "name": "Lantern Tiny (Shapes World v1)",
        "description": "Lantern's built-in text-to-video model, trained from scratch on the procedural Shapes World.",
        "license": "Apache-2.0",
        "world": {"name": "shapes-world", "version": WORLD_VERSION},
        "video": {"width": cfg.size, "height": cfg.size, "frames": cfg.frames, "fps": cfg.fps},
        "tokenizer": {"kind": "huggingface-tokenizer-json", "maxTokens": cfg.text.max_tokens, "padId": 0,
                      "negativeDefault": "", "url": base + "tokenizer.json", **{k: tok[k] for k in ("bytes", "sha256")}},
        "text": {"dim": cfg.text.dim, "tokens": cfg.text.max_tokens},
        "latent": {"channels": d.latent_channels, "frames": d.latent_frames, "height": d.latent_size,
                   "width": d.latent_size, "temporalCompression": ae.temporal, "spatialCompression": ae.spatial,
                   "normalised": True, "mean": model.stats.mean, "std": model.stats.std},
        "denoiser": {"inputChannels": d.in_channels, "inputLayout": ["noisy", "condition", "mask"],
                     "patch": [1, d.patch, d.patch], "tokens": d.tokens, "dim": d.dim, "depth": d.depth,
                     "heads": d.heads, "headDim": d.head_dim, "prediction": "velocity",
                     "wholeGraph": "denoiser", "plan": exported["plan"]},
        "sampler": sampler_block(cfg),
        "conditioning": {"imageToVideo": {"latentFrames": 1, "image": "still"},
                         "continuation": {"maxLatentFrames": d.latent_frames // 2},
                         "editing": {"defaultStrength": EDIT_STRENGTH}},
        "preview": {"kind": "linear-latent-rgb", "matrix": preview_matrix(model)},
        "graphs": graphs,
        "memory": {"weightsBytes": weights_bytes, "latentBytes": latent_bytes,
                   "peakActivationBytes": attention_bytes + 64 * latent_bytes,
                   "recommendedBytes": 4 * weights_bytes + attention_bytes},
        "requires": {"webgpuFeatures": [], "maxStorageBufferBindingSize": attention_bytes},
        "training": {k: v for k, v in meta.items() if k not in ("config", "latent_stats", "shards")} | {
            "recipe": "training/lantern/presets.py", "config": meta["config"]},
        "evaluation": evaluation or {},
    }
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
