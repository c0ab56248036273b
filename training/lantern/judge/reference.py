"""What the judge compares a clip with, made by rendering (world/render.py)
and measured with the judge's own pipeline (features.py), so that the
renderer's looks (light, fog, sepia, shading, glow, pixelation) cancel out:

- `background_rows`: each candidate background's row profile under a
  condition (light, fog, style, zoom);
- `palette`: the twelve named colours as the judge measures them on a
  rendered object under a condition (light, fog, style);
- `shape_templates`: the radial profile of each shape in a style at a size.

Everything is cached per process; the first calls render for a few seconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from . import features as jf
from ..world.render import render_background, render_clips
from ..world.spec import (BACKGROUNDS, COLOUR_NAMES, SHAPES, ClipSpec, ObjectSpec, allowed_object_colours,
                         camera_transform)

# Every background a prompt can name: the five scenes and the twelve plain colours.
BACKGROUND_KEYS: tuple[tuple[str, str | None], ...] = tuple(
    (b, None) for b in BACKGROUNDS if b != "plain") + tuple(("plain", c) for c in COLOUR_NAMES)
GAINS = ("normal", "dim", "bright")  # soft and hard light change only shadows
ZOOMS = ("static", "zoom in", "zoom out")  # pans leave every row's colour unchanged
# Object scales (fraction of S) the shape templates are rendered at; a blob
# is compared with the templates whose size is nearest its own.
TEMPLATE_SCALES = (0.06, 0.09, 0.13, 0.19, 0.28)  # bigger shapes match the biggest
PALETTE_SCALE = 0.22  # the square each named colour is measured on
VARIANTS = 3  # positions and angles each shape template is drawn at
PIXEL_ART_VARIANTS = 8  # blocks fall differently at each


@dataclass(frozen=True)
class Condition:
    """The look of a clip as far as colours and rows are concerned."""
    light: str  # one of GAINS
    fog: bool
    style: str
    zoom: str  # one of ZOOMS

    @staticmethod
    def of(clip: ClipSpec) -> "Condition":
        return Condition(light=clip.light if clip.light in GAINS else "normal", fog=clip.weather == "fog",
                         style=clip.style, zoom=clip.camera if clip.camera in ZOOMS else "static")


def background_label(key: tuple[str, str | None]) -> str:
    return key[0] if key[0] != "plain" else f"plain {key[1]}"


def _dummy_object(background: str, colour: str | None) -> ObjectSpec:
    allowed = allowed_object_colours(background, colour)
    return ObjectSpec(shape="circle", colour=allowed[0], size="small", scale=0.12, motion="still")


def _clip(key: tuple[str, str | None], cond: Condition, objects: tuple[ObjectSpec, ...] | None = None,
          seed: int = 0) -> ClipSpec:
    background, colour = key
    return ClipSpec(objects=objects or (_dummy_object(background, colour),), background=background,
                    background_colour=colour, camera=cond.zoom, light=cond.light,
                    weather="fog" if cond.fog else "none", style=cond.style, seed=seed)


def _to_numpy(frames: torch.Tensor) -> np.ndarray:
    return frames.numpy().transpose(0, 1, 3, 4, 2)  # (B, T, S, S, 3)


@lru_cache(maxsize=None)
def background_rows(cond: Condition, size: int, frames: int) -> np.ndarray:
    """(len(BACKGROUND_KEYS), T', S, 3) CIELAB row profiles; T' = 1 for a
    static camera (rows do not change), else `frames`. A zoom scales every
    row profile about the centre (effects._background_rows), so it is the
    static profile resampled (then block-averaged again for pixel art)
    rather than rendered."""
    if cond.zoom == "static":
        return jf.to_lab(_static_rows_rgb(cond, size))[:, None]
    flat = "flat" if cond.style == "pixel art" else cond.style  # pixel art: flat rows, pixelated below
    static = _static_rows_rgb(Condition(cond.light, cond.fog, flat, "static"), size)  # (K, S, 3)
    _, zoom = camera_transform(cond.zoom, frames)
    v = (np.arange(size) + 0.5) / size
    out = np.zeros((len(BACKGROUND_KEYS), frames, size, 3), np.float32)
    for t, z in enumerate(zoom):
        src = np.clip((0.5 + (v - 0.5) / z) * size - 0.5, 0, size - 1)  # source row of each screen row
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, size - 1)
        w = (src - lo)[None, :, None]
        out[:, t] = static[:, lo] * (1 - w) + static[:, hi] * w
    if cond.style == "pixel art" and size % jf.PIXEL_BLOCK == 0:
        blocks = out.reshape(len(BACKGROUND_KEYS), frames, size // jf.PIXEL_BLOCK, jf.PIXEL_BLOCK, 3).mean(3)
        out = np.repeat(blocks, jf.PIXEL_BLOCK, axis=2)
    return jf.to_lab(out)


@lru_cache(maxsize=None)
def _static_rows_rgb(cond: Condition, size: int) -> np.ndarray:
    """(K, S, 3) sRGB median of each row of each candidate background, one
    rendered frame, vignette undone as jf.analyse does."""
    with torch.no_grad():
        rgb = _to_numpy(render_background([_clip(k, cond) for k in BACKGROUND_KEYS], size, 1))[:, 0]
    if cond.style == "vintage":  # each background's own estimate, as its clip would get
        rgb = np.stack([np.clip(x / jf.vignette_field(size, jf.vignette_strength(x[None]))[:, :, None], 0, 1)
                        for x in rgb])
    return np.median(rgb, axis=2)


def palette(cond: Condition, size: int) -> np.ndarray:
    """(12, 3) CIELAB of each named colour on a medium object under `cond`
    (zoom ignored): the median of its inside (of its line in neon and
    sketch), as the judge samples an object (jf.deep_pixels)."""
    return _palette(Condition(cond.light, cond.fog, cond.style, "static"), size)[0]


def palette_rgb(cond: Condition, size: int) -> np.ndarray:
    """(12, 3) sRGB of the same."""
    return _palette(Condition(cond.light, cond.fog, cond.style, "static"), size)[1]


@lru_cache(maxsize=None)
def _palette(cond: Condition, size: int) -> tuple[np.ndarray, np.ndarray]:
    clips = []
    for name in COLOUR_NAMES:
        bg = "black" if name in allowed_object_colours("plain", "black") else "white"
        square = ObjectSpec(shape="square", colour=name, size="medium", scale=PALETTE_SCALE, motion="still")
        clips.append(_clip(("plain", bg), cond, (square,)))
    with torch.no_grad():
        rgb = _to_numpy(render_clips(clips, size, 1))[:, 0]  # (12, S, S, 3)
    # The square's pixels, known from its geometry: its inside, deeper than
    # jf.colour_of looks; for the outline styles (neon, sketch), its line.
    u = np.abs(np.arange(size) + 0.5 - size / 2)
    box = np.maximum(u[:, None], u[None, :])  # (S, S) distance from the centre in the max norm
    half, unit = PALETTE_SCALE * size / 2, size / 128
    pick = np.abs(box - half) <= 0.75 * unit if cond.style in ("neon", "sketch") else box <= half - 4 * unit
    out_rgb = np.median(rgb[:, pick], axis=1).astype(np.float32)  # (12, 3)
    return np.median(jf.to_lab(rgb[:, pick]), axis=1).astype(np.float32), out_rgb


@lru_cache(maxsize=None)
def shape_templates(style: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Radial profiles (scales, len(SHAPES), variants, ANGLE_BINS), rotated
    back to angle 0, and mean radii in px (scales, len(SHAPES)) of each shape drawn in `style` on a
    plain background at several positions and angles (pixel art's blocks
    fall differently on each). Realistic and vintage objects have the flat
    silhouette (their shading and toning are inside it), so they use flat's
    templates, which have no drop shadow to get in the way."""
    if style in ("realistic", "vintage"):
        return shape_templates("flat", size)
    cond = Condition("normal", False, style, "static")
    background = ("plain", "black") if style == "neon" else ("plain", "white")
    variants = PIXEL_ART_VARIANTS if style == "pixel art" else VARIANTS
    rng = np.random.default_rng(0)
    offsets = [(0.5, 0.5, 0.0)] + [(0.5 + rng.uniform(-0.03, 0.03), 0.5 + rng.uniform(-0.03, 0.03),
                                    rng.uniform(0, 2 * math.pi)) for _ in range(variants - 1)]
    clips, index = [], []
    scales = TEMPLATE_SCALES[2:] if style == "pixel art" else TEMPLATE_SCALES  # smaller are not judged there
    for si, scale in enumerate(scales):
        for ki, shape in enumerate(SHAPES):
            for vi, (x, y, angle) in enumerate(offsets[:variants]):
                o = ObjectSpec(shape=shape, colour="blue", size="medium", scale=scale, motion="still", x=x, y=y,
                               angle=angle if shape != "circle" else 0.0)
                clips.append(_clip(background, cond, (o,)))
                index.append((si, ki, vi, o.angle))
    with torch.no_grad():
        rgb = _to_numpy(render_clips(clips, size, 1))
    out = np.ones((len(scales), len(SHAPES), variants, jf.ANGLE_BINS), np.float32)
    radii = np.zeros((len(scales), len(SHAPES), variants))
    blue = palette_rgb(cond, size)[COLOUR_NAMES.index("blue")]
    back = rgb[0, 0, 0, 0]  # a corner: the plain background
    masks = jf.clean(np.abs(rgb[:, 0] - back).max(-1) > 0.02, 1)  # about jf.analyse's threshold on a clean clip
    for n, (si, ki, vi, angle) in enumerate(index):
        mask, soft = masks[n], None
        if style == "pixel art":  # as segment.pixel_art_masks
            rows = np.broadcast_to(back, (size, 3))
            soft = jf.block_coverage(np.clip(jf.coverage(rgb[n, 0], rows, blue), 0, 1))
            mask = soft >= 0.5
        pieces = jf.components(mask)
        blob = jf.measure_blob(pieces[0], soft) if pieces else None
        if blob is None:
            continue
        # A counter-clockwise turn by `angle` rolls the profile forward; undo it.
        shift = int(round(angle / (2 * math.pi) * jf.ANGLE_BINS))
        out[si, ki, vi] = np.roll(blob.profile, -shift)
        radii[si, ki, vi] = blob.radius
    return out, radii.mean(-1)
