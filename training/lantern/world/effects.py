"""Scene-wide effects of the Shapes World renderer: backgrounds (with the
camera), stars and noise textures, light, weather and the styles' image
passes (vintage here; pixel art is render.py running the whole pipeline at
S / 8, then `upscale_nearest`).

Everything here is batched torch code on the render device. A canvas is a
(B, T, 3, S, S) float tensor, edited in place. Randomness (stars, rain,
snow, noise, grain) comes from one CPU `torch.Generator` per clip and effect,
seeded from the clip's `seed`, so a clip renders the same pixels on any
device and in any batch. Lengths given in pixels in the spec (star size,
rain length, blur) are for S = 128 and scale with S.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .spec import COLOURS, ClipSpec, camera_transform, hex_to_rgb

SKY = ("#90CAF9", "#E3F2FD")
SUNSET = ("#FF7043", "#5E35B1")
NIGHT = "#0D1B2A"
MEADOW_GROUND = "#66BB6A"
DESERT = ("#FFE0B2", "#D7A86E")
HORIZON_Y = 0.6
PAPER = (0.97, 0.965, 0.94)  # sketch background
STAR = hex_to_rgb(COLOURS["white"])
RAIN = hex_to_rgb("#CFD8DC")
SNOW = (1.0, 1.0, 1.0)
FOG = hex_to_rgb("#BDBDBD")
LIGHT_GAIN = {"dim": 0.55, "bright": 1.2}
PIXEL_BLOCK = 8  # pixel art renders at S / 8

# Random streams: each effect draws from its own generator, so adding one
# effect never shifts another's random numbers.
STREAM_STARS, STREAM_NOISE, STREAM_RAIN, STREAM_SNOW, STREAM_GRAIN = range(1, 6)


def clip_rng(seed: int, stream: int) -> torch.Generator:
    return torch.Generator().manual_seed((seed * 1_000_003 + stream * 7_919) % (2 ** 62))


def camera_tensors(clips: Sequence[ClipSpec], frames: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Per clip and frame (shift_x, zoom), each (B, T) float32."""
    pairs = np.array([camera_transform(c.camera, frames) for c in clips], dtype=np.float32)  # (B, 2, T)
    shift = torch.from_numpy(pairs[:, 0]).to(device)  # (B, T)
    zoom = torch.from_numpy(pairs[:, 1]).to(device)  # (B, T)
    return shift, zoom


def subset(clips: Sequence[ClipSpec], keep) -> list[int]:
    return [i for i, c in enumerate(clips) if keep(c)]


# ----------------------------------------------------------------------------
# Background


def _background_rows(clips: Sequence[ClipSpec], zoom: torch.Tensor, size: int) -> torch.Tensor:
    """The colour of each screen row (every background is a function of y
    alone before textures): (B, T, 3, S). Zoom scales the gradients and the
    horizon about the centre; pans leave rows unchanged."""
    device = zoom.device
    top, bottom, ground, has_ground = [], [], [], []
    rgb = hex_to_rgb
    for c in clips:
        if c.background == "plain":
            t = b = rgb(COLOURS[c.background_colour or "white"])
        elif c.background in ("sky", "meadow"):
            t, b = rgb(SKY[0]), rgb(SKY[1])
        elif c.background == "night":
            t = b = rgb(NIGHT)
        elif c.background == "sunset":
            t, b = rgb(SUNSET[0]), rgb(SUNSET[1])
        else:  # desert
            t = b = rgb(DESERT[0])
        g = {"meadow": rgb(MEADOW_GROUND), "desert": rgb(DESERT[1])}.get(c.background, t)
        top.append(t), bottom.append(b), ground.append(g)
        has_ground.append(1.0 if c.background in ("meadow", "desert") else 0.0)
    top_t = torch.tensor(top, device=device)[:, None, :, None]  # (B, 1, 3, 1)
    bottom_t = torch.tensor(bottom, device=device)[:, None, :, None]
    ground_t = torch.tensor(ground, device=device)[:, None, :, None]
    has_ground_t = torch.tensor(has_ground, device=device)[:, None, None, None]
    v = (torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size  # (S,) screen y
    z = zoom[:, :, None, None]  # (B, T, 1, 1)
    scene_y = 0.5 + (v - 0.5) / z  # (B, T, 1, S)
    rows = top_t + (bottom_t - top_t) * scene_y.clamp(0, 1)  # (B, T, 3, S)
    # Horizon, anti-aliased over one screen pixel.
    below = ((scene_y - HORIZON_Y) * z * size + 0.5).clamp(0, 1) * has_ground_t  # (B, T, 1, S)
    return rows + (ground_t - rows) * below


def background(clips: Sequence[ClipSpec], shift: torch.Tensor, zoom: torch.Tensor, size: int) -> torch.Tensor:
    """The background with camera and style applied: (B, T, 3, S, S)."""
    B, T = shift.shape
    rows = _background_rows(clips, zoom, size)  # (B, T, 3, S)
    for i, c in enumerate(clips):
        if c.style == "neon":  # forced near-black, keeping a faint tint of the scene
            rows[i] = rows[i] * 0.05 + 0.01
        elif c.style == "sketch":
            rows[i] = torch.tensor(PAPER, device=rows.device)[None, :, None]
    canvas = rows[..., None].expand(B, T, 3, size, size).contiguous()  # (B, T, 3, S, S)
    night = subset(clips, lambda c: c.background == "night" and c.style != "sketch")
    if night:
        _draw_stars(canvas, [clips[i] for i in night], night, shift, zoom)
    textured = subset(clips, lambda c: c.style in ("realistic", "sketch"))
    if textured:
        idx = torch.tensor(textured, device=canvas.device)
        amp = torch.tensor([0.035 if clips[i].style == "realistic" else 0.015 for i in textured],
                           device=canvas.device)[:, None, None, None, None]
        noise = scene_noise([clips[i].seed for i in textured], shift[idx], zoom[idx], size)  # (m, T, 1, S, S)
        canvas[idx] += amp * noise
    return canvas


def scene_noise(seeds: Sequence[int], shift: torch.Tensor, zoom: torch.Tensor, size: int,
                cells: int = 64) -> torch.Tensor:
    """Smooth periodic noise in scene coordinates (so it pans and zooms with
    the camera), roughly in [-1, 1]: (m, T, 1, S, S)."""
    m, T = shift.shape
    device = shift.device
    tex = torch.stack([torch.randn(cells, cells, generator=clip_rng(s, STREAM_NOISE)) for s in seeds])
    tex = (tex / 2).to(device)[:, None]  # (m, 1, N, N)
    tex = torch.cat([tex, tex[:, :, :1]], 2)
    tex = torch.cat([tex, tex[:, :, :, :1]], 3)  # (m, 1, N+1, N+1): periodic with the wrap copied
    u = (torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size
    sx = 0.5 + (u - 0.5 - shift[..., None]) / zoom[..., None]  # (m, T, S)
    sy = 0.5 + (u - 0.5) / zoom[..., None]  # (m, T, S)
    gx = torch.remainder(sx, 1.0) * 2 - 1
    gy = torch.remainder(sy, 1.0) * 2 - 1
    grid = torch.stack([gx[:, :, None, :].expand(m, T, size, size),
                        gy[:, :, :, None].expand(m, T, size, size)], -1)  # (m, T, S, S, 2)
    out = F.grid_sample(tex.repeat_interleave(T, 0), grid.reshape(m * T, size, size, 2),
                        mode="bilinear", align_corners=True)  # (m*T, 1, S, S)
    return out.view(m, T, 1, size, size)


def _draw_stars(canvas: torch.Tensor, clips: Sequence[ClipSpec], rows: list[int],
                shift: torch.Tensor, zoom: torch.Tensor) -> None:
    """20-40 white stars of 1-2 px (1 px below S = 64) per clip, fixed in the scene. The star
    field tiles the plane with period 1, so pans and zoom-outs never run out
    of sky."""
    B, T, _, S, _ = canvas.shape
    device = canvas.device
    bs, xs, ys, sz = [], [], [], []
    for row, c in zip(rows, clips):
        g = clip_rng(c.seed, STREAM_STARS)
        n = int(torch.randint(20, 41, (1,), generator=g))
        p = torch.rand(n, 3, generator=g)[:_drawn(n, S)]
        n = p.shape[0]
        bs.append(torch.full((n,), row)), xs.append(p[:, 0]), ys.append(p[:, 1]), sz.append(1 + (p[:, 2] < 0.4).long())
    b = torch.cat(bs).to(device)  # (n,)
    x, y, size = torch.cat(xs).to(device), torch.cat(ys).to(device), torch.cat(sz).to(device)
    tiles = torch.tensor([-1.0, 0.0, 1.0], device=device)
    # (n, T, 3, 3): every star, frame and tile copy.
    sx = 0.5 + zoom[b][:, :, None, None] * (x[:, None, None, None] + tiles[None, None, :, None] - 0.5) \
        + shift[b][:, :, None, None]
    sy = 0.5 + zoom[b][:, :, None, None] * (y[:, None, None, None] + tiles[None, None, None, :] - 0.5)
    ix = torch.floor(sx * S).long()
    iy = torch.floor(sy * S).long()
    ix, iy = torch.broadcast_tensors(ix, iy)
    t = torch.arange(T, device=device)[None, :, None, None].expand_as(ix)
    bb = b[:, None, None, None].expand_as(ix)
    big = ((size == 2) & (S >= 64))[:, None, None, None].expand_as(ix)  # one-block stars in pixel art
    pts_b, pts_t, pts_y, pts_x = [bb], [t], [iy], [ix]
    for dy, dx in ((0, 1), (1, 0), (1, 1)):  # the 2 px stars' other three pixels
        pts_b.append(bb[big]), pts_t.append(t[big]), pts_y.append(iy[big] + dy), pts_x.append(ix[big] + dx)
    blend_points(canvas, torch.cat([p.reshape(-1) for p in pts_b]), torch.cat([p.reshape(-1) for p in pts_t]),
                 torch.cat([p.reshape(-1) for p in pts_y]), torch.cat([p.reshape(-1) for p in pts_x]), STAR, 1.0)


def _drawn(n: int, size: int) -> int:
    """How many of n particles to draw: all of them, but 40% in pixel art
    (S < 64), where each is a whole 8 x 8 block and all would bury the
    scene."""
    return n if size >= 64 else max(1, round(0.4 * n))


def blend_points(canvas: torch.Tensor, b: torch.Tensor, t: torch.Tensor, y: torch.Tensor, x: torch.Tensor,
                 rgb: tuple[float, float, float], alpha: float) -> None:
    """Blend single pixels (b, t, y, x), each (n,) long, toward rgb; points
    outside the frame are dropped. Repeated points blend once."""
    S = canvas.shape[-1]
    ok = (x >= 0) & (x < S) & (y >= 0) & (y < S)
    b, t, y, x = b[ok], t[ok], y[ok], x[ok]
    target = torch.tensor(rgb, device=canvas.device)  # (3,)
    patch = canvas[b, t, :, y, x]  # (n, 3)
    canvas[b, t, :, y, x] = patch + alpha * (target - patch)


# ----------------------------------------------------------------------------
# Light and weather


def apply_light(canvas: torch.Tensor, clips: Sequence[ClipSpec]) -> None:
    """dim x0.55, bright x1.2 (clipped at the end of the pipeline). Soft and
    hard light change the drop shadows' blur only (see render.py)."""
    for light, gain in LIGHT_GAIN.items():
        idx = subset(clips, lambda c: c.light == light)
        if idx:
            canvas[idx] *= gain


def apply_weather(canvas: torch.Tensor, clips: Sequence[ClipSpec], shift: torch.Tensor) -> None:
    rain = subset(clips, lambda c: c.weather == "rain")
    if rain:
        _rain(canvas, [clips[i] for i in rain], rain, shift)
    snow = subset(clips, lambda c: c.weather == "snow")
    if snow:
        _snow(canvas, [clips[i] for i in snow], snow, shift)
    fog = subset(clips, lambda c: c.weather == "fog")
    if fog:
        target = torch.tensor(FOG, device=canvas.device)[:, None, None]  # (3, 1, 1)
        canvas[fog] = canvas[fog] * 0.6 + 0.4 * target


def _rain(canvas: torch.Tensor, clips: Sequence[ClipSpec], rows: list[int], shift: torch.Tensor) -> None:
    """40-80 light-gray streaks, 1 px wide and 6-12 px long, falling 0.25-0.4
    of the frame per frame and wrapping round. Pans slide them sideways."""
    B, T, _, S, _ = canvas.shape
    device = canvas.device
    unit = S / 128
    max_len = max(1, round(12 * unit))
    bs, x0, y0, length, speed = [], [], [], [], []
    for row, c in zip(rows, clips):
        g = clip_rng(c.seed, STREAM_RAIN)
        n = int(torch.randint(40, 81, (1,), generator=g))
        p = torch.rand(n, 4, generator=g)[:_drawn(n, S)]
        n = p.shape[0]
        bs.append(torch.full((n,), row)), x0.append(p[:, 0]), y0.append(p[:, 1])
        length.append(torch.clamp(torch.round((6 + 6 * p[:, 2]) * unit), 1, max_len))
        speed.append(0.25 + 0.15 * p[:, 3])
    b = torch.cat(bs).to(device)  # (n,)
    x0, y0 = torch.cat(x0).to(device), torch.cat(y0).to(device)
    length, speed = torch.cat(length).to(device), torch.cat(speed).to(device)
    t = torch.arange(T, device=device, dtype=torch.float32)
    span = 1 + length / S  # (n,) a streak wraps once it has left the frame
    top = torch.remainder(y0[:, None] + speed[:, None] * t, span[:, None]) - length[:, None] / S  # (n, T)
    x = torch.remainder(x0[:, None] + shift[b], 1.0)  # (n, T)
    k = torch.arange(max_len, device=device)
    iy = torch.floor(top * S).long()[:, :, None] + k  # (n, T, L)
    ix = torch.floor(x * S).long()[:, :, None].expand_as(iy)
    keep = (k[None, None, :] < length[:, None, None]).expand_as(iy)
    tt = torch.arange(T, device=device)[None, :, None].expand_as(iy)
    bb = b[:, None, None].expand_as(iy)
    alpha = 0.6 if S >= 64 else 0.35  # pixel art: fainter, since each drop is a whole block
    blend_points(canvas, bb[keep], tt[keep], iy[keep], ix[keep], RAIN, alpha)


def _snow(canvas: torch.Tensor, clips: Sequence[ClipSpec], rows: list[int], shift: torch.Tensor) -> None:
    """30-60 white dots of 2-3 px (1 px below S = 64) drifting down 1.5-3 px
    a frame (at S = 128) with a little sideways sway."""
    B, T, _, S, _ = canvas.shape
    device = canvas.device
    bs, p = [], []
    for row, c in zip(rows, clips):
        g = clip_rng(c.seed, STREAM_SNOW)
        n = int(torch.randint(30, 61, (1,), generator=g))
        q = torch.rand(n, 5, generator=g)[:_drawn(n, S)]
        bs.append(torch.full((q.shape[0],), row)), p.append(q)
    b = torch.cat(bs).to(device)  # (n,)
    q = torch.cat(p).to(device)  # (n, 5)
    t = torch.arange(T, device=device, dtype=torch.float32)
    fall = (1.5 + 1.5 * q[:, 2:3]) / 128  # (n, 1) per frame
    y = torch.remainder(q[:, 1:2] + fall * t, 1.0)  # (n, T)
    sway = 0.01 * torch.sin(0.6 * t + 2 * math.pi * q[:, 3:4])
    x = torch.remainder(q[:, 0:1] + sway + shift[b], 1.0)
    ix, iy = torch.floor(x * S).long(), torch.floor(y * S).long()  # (n, T)
    big = (q[:, 4:5] < 0.5).expand_as(ix)  # 3 px dots (a plus), else 2 x 2
    tt = torch.arange(T, device=device)[None, :].expand_as(ix)
    bb = b[:, None].expand_as(ix)
    parts = []
    stamp = ((0, 0, None), (0, 1, None), (1, 0, None), (1, 1, False), (-1, 0, True), (0, -1, True))
    for dy, dx, which in stamp if S >= 64 else stamp[:1]:  # one-block flakes in pixel art
        m = torch.ones_like(big) if which is None else (big if which else ~big)
        parts.append((bb[m], tt[m], iy[m] + dy, ix[m] + dx))
    blend_points(canvas, *(torch.cat([pt[i] for pt in parts]) for i in range(4)), SNOW, 0.95)


# ----------------------------------------------------------------------------
# Styles' image-space passes


def apply_post(canvas: torch.Tensor, clips: Sequence[ClipSpec]) -> None:
    vintage = subset(clips, lambda c: c.style == "vintage")
    if vintage:
        canvas[vintage] = _vintage(canvas[vintage], [clips[i].seed for i in vintage])


def upscale_nearest(frames: torch.Tensor, size: int) -> torch.Tensor:
    """(B, T, 3, s, s) -> (B, T, 3, size, size) without smoothing (pixel art)."""
    B, T, C, s, _ = frames.shape
    if size % s == 0:
        k = size // s
        return frames[:, :, :, :, None, :, None].expand(B, T, C, s, k, s, k).reshape(B, T, C, size, size)
    return F.interpolate(frames.reshape(B * T, C, s, s), size=(size, size), mode="nearest").view(B, T, C, size, size)


SEPIA = ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131))


def _vintage(frames: torch.Tensor, seeds: Sequence[int]) -> torch.Tensor:
    """Sepia toning (75%), a vignette and per-frame film grain: (m, T, 3, S, S)."""
    m, T, _, S, _ = frames.shape
    device = frames.device
    sepia = torch.tensor(SEPIA, device=device)  # (3, 3)
    toned = torch.einsum("oc,mtcyx->mtoyx", sepia, frames)
    out = frames + 0.75 * (toned - frames)
    u = (torch.arange(S, device=device, dtype=torch.float32) + 0.5) / S - 0.5
    r2 = (u[None, :] ** 2 + u[:, None] ** 2) / 0.5  # (S, S), 1 at the corners
    out = out * (1 - 0.45 * r2)
    grain = torch.stack([torch.randn(T, 1, S, S, generator=clip_rng(s, STREAM_GRAIN)) for s in seeds]).to(device)
    return out + 0.03 * grain
