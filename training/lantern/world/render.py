"""Batched, vectorised torch renderer of Shapes World v1 clips
(../shared/shapes-world.md).

    render_clips(clips, size=128, frames=16, device=None) -> (B, T, 3, S, S)
    render_background(clips, size, frames, device)        -> (B, T, 3, S, S)

Output is float32 sRGB in [0, 1]. A clip's pixels depend on its ClipSpec
alone (its `seed` drives stars, rain, snow, grain and noise), not on the
other clips of the batch, and the pixel path is pure torch, so it runs on
CUDA as well as on the CPU.

Pipeline, in this order (effects.py holds every step but the objects):
 1. background: the named background under the camera (zoom scales the
    gradients and the horizon about the centre; pans slide stars and
    textures sideways), toned by the style: neon -> near-black, sketch ->
    paper; night stars; realistic noise / sketch paper grain.
 2. drop shadows (realistic style, or soft / hard light in any style):
    blurred ellipses on the floor (y = 0.9) below each object; blur 8 px
    for soft light, 1 px for hard, 4 px otherwise.
 3. objects in clip order (later on top), drawn by the style: flat fill
    (flat, pixel art, vintage), fill with a 2 px black outline (cartoon),
    radial shading (realistic), glowing outline (neon), gray pencil
    outline without fill (sketch). Edges are anti-aliased over ~1 px of the
    signed distance.
 4. light: dim x0.55, bright x1.2.
 5. weather: rain streaks, snow dots, fog (40% toward #BDBDBD).
 6. the style's image pass: vintage (sepia, vignette, film grain).
 7. clip to [0, 1].
Pixel art runs this whole pipeline at S / 8 (stars, rain and snow become
one-block particles) and upscales it without smoothing, so every 8 x 8
block is one colour. render_background runs the same pipeline without
steps 2 and 3.

Objects are drawn in windows: every (object, frame) instance evaluates its
signed distance only on a square window of the frame around it, windows are
bucketed by size so each bucket is one batched tensor, and each window is
blended into the canvas by gather/scatter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from . import effects
from .spec import COLOURS, SHAPES, STYLES, ClipSpec, FLOOR_Y, hex_to_rgb, screen_track

OUTLINE = hex_to_rgb(COLOURS["black"])  # cartoon
PENCIL = (0.38, 0.38, 0.38)  # sketch
STAR_INNER = 0.45  # inner / outer radius of the star
DIAMOND_ASPECT = 0.75  # width / height of the diamond
WINDOW_SIZES = (16, 24, 32, 48, 64, 96, 128, 192, 256)
SHADOW_BLUR = {"soft": 8.0, "hard": 1.0}  # px at S = 128; other lights 4 px
SHADOW_OPACITY = 0.45
# Window margin around an object (px at S = 128), for what each style draws
# outside the shape: the anti-aliasing, the outline, the neon glow.
STYLE_MARGIN = {"cartoon": 2.0, "neon": 10.0, "sketch": 2.0}


def render_clips(clips: Sequence[ClipSpec], size: int = 128, frames: int = 16,
                 device: torch.device | str | None = None) -> torch.Tensor:
    """Render clips as (B, T, 3, S, S) float32 sRGB in [0, 1]."""
    return _render(clips, size, frames, device, with_objects=True)


def render_background(clips: Sequence[ClipSpec], size: int = 128, frames: int = 16,
                      device: torch.device | str | None = None) -> torch.Tensor:
    """The same clips with no objects (and so no shadows): background,
    camera, light, weather and style only. (B, T, 3, S, S)."""
    return _render(clips, size, frames, device, with_objects=False)


def _render(clips: Sequence[ClipSpec], size: int, frames: int, device: torch.device | str | None,
            with_objects: bool) -> torch.Tensor:
    if not clips:
        raise ValueError("render needs at least one clip, got an empty sequence")
    if size < effects.PIXEL_BLOCK or frames < 1:
        raise ValueError(f"Unsupported size {size} / frames {frames}. Must be size >= 8 and frames >= 1.")
    for c in clips:
        c.validate()
    dev = torch.device(device) if device is not None else torch.device("cpu")
    pixel = [i for i, c in enumerate(clips) if c.style == "pixel art"]
    if not pixel:
        return _render_scene(clips, size, frames, dev, with_objects)
    # Pixel art: the whole pipeline at S / 8, upscaled without smoothing.
    low = _render_scene([clips[i] for i in pixel], size // effects.PIXEL_BLOCK, frames, dev, with_objects)
    low = effects.upscale_nearest(low, size)  # (p, T, 3, S, S)
    if len(pixel) == len(clips):
        return low
    rest = sorted(set(range(len(clips))) - set(pixel))
    out = torch.empty(len(clips), frames, 3, size, size, device=dev)
    out[rest] = _render_scene([clips[i] for i in rest], size, frames, dev, with_objects)
    out[pixel] = low
    return out


def _render_scene(clips: Sequence[ClipSpec], size: int, frames: int, device: torch.device,
                  with_objects: bool) -> torch.Tensor:
    shift, zoom = effects.camera_tensors(clips, frames, device)  # (B, T) each
    canvas = effects.background(clips, shift, zoom, size)  # (B, T, 3, S, S)
    if with_objects:
        _draw_objects(canvas, clips, zoom)
    effects.apply_light(canvas, clips)
    effects.apply_weather(canvas, clips, shift)
    effects.apply_post(canvas, clips)
    return canvas.clamp_(0.0, 1.0)


# ----------------------------------------------------------------------------
# Signed distances, in pixels, negative inside. (u, v) are the instance's
# local coordinates with v pointing up; parameters broadcast as (n, 1, 1).


def sdf_circle(u: torch.Tensor, v: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(u * u + v * v) - r


def sdf_square(u: torch.Tensor, v: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Axis-aligned square of half side r."""
    qx, qy = u.abs() - r, v.abs() - r
    outside = torch.sqrt(qx.clamp(min=0) ** 2 + qy.clamp(min=0) ** 2)
    return outside + torch.maximum(qx, qy).clamp(max=0)


def sdf_triangle(u: torch.Tensor, v: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Equilateral triangle of circumradius r, centroid at the origin,
    pointing up (after Inigo Quilez's sdEquilateralTriangle)."""
    k = math.sqrt(3.0)
    h = r * (k / 2)  # half side
    px = u.abs() - h
    py = v + h / k
    fold = (px + k * py) > 0
    px, py = torch.where(fold, (px - k * py) / 2, px), torch.where(fold, (-k * px - py) / 2, py)
    px = px - torch.minimum(torch.maximum(px, -2 * h), torch.zeros_like(px))
    return -torch.sqrt(px * px + py * py) * torch.sign(py)


def sdf_star(u: torch.Tensor, v: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Five-pointed star of outer radius r and inner radius 0.45 r, one
    point up. Folds the plane into the wedge between a tip (angle 0) and the
    next inner vertex (angle pi/5), where the boundary is one segment."""
    sector = 2 * math.pi / 5
    theta = torch.remainder(torch.atan2(u, v), sector)  # 0 at a tip
    theta = math.pi / 5 - (theta - math.pi / 5).abs()
    rho = torch.sqrt(u * u + v * v)
    qx, qy = rho * torch.cos(theta), rho * torch.sin(theta)
    ax = r  # tip (ax, 0); inner vertex (bx, by)
    bx, by = r * (STAR_INNER * math.cos(math.pi / 5)), r * (STAR_INNER * math.sin(math.pi / 5))
    ex, ey = bx - ax, by
    wx, wy = qx - ax, qy
    t = ((wx * ex + wy * ey) / (ex * ex + ey * ey)).clamp(0, 1)
    dist = torch.sqrt((wx - ex * t) ** 2 + (wy - ey * t) ** 2)
    inside = (ex * wy - ey * wx) > 0
    return torch.where(inside, -dist, dist)


def sdf_diamond(u: torch.Tensor, v: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Rhombus of half height r and half width 0.75 r (after Inigo Quilez's
    sdRhombus)."""
    a, b = r * DIAMOND_ASPECT, r
    px, py = u.abs(), v.abs()
    h = (((a - 2 * px) * a - (b - 2 * py) * b) / (a * a + b * b)).clamp(-1, 1)
    dx, dy = px - 0.5 * a * (1 - h), py - 0.5 * b * (1 + h)
    return torch.sqrt(dx * dx + dy * dy) * torch.sign(px * b + py * a - a * b)


SDFS = {"circle": sdf_circle, "square": sdf_square, "triangle": sdf_triangle, "star": sdf_star,
        "diamond": sdf_diamond}
# Circumradius / r for each shape, to size the windows.
REACH = {"circle": 1.0, "square": math.sqrt(2.0), "triangle": 1.0, "star": 1.0, "diamond": 1.0}


def coverage(d: torch.Tensor) -> torch.Tensor:
    """Anti-aliased inside-ness of a signed distance in px: a smoothstep
    over the pixel straddling the edge."""
    t = (0.5 - d).clamp(0, 1)
    return t * t * (3 - 2 * t)


# ----------------------------------------------------------------------------
# Instances: one row per (object, frame) or (shadow, frame)


@dataclass
class _Instances:
    b: torch.Tensor  # (n,) long: clip
    t: torch.Tensor  # (n,) long: frame
    layer: torch.Tensor  # (n,) long: drawing order within a frame
    kind: torch.Tensor  # (n,) long: index into SHAPES, or -1 for a shadow
    style: torch.Tensor  # (n,) long: index into STYLES
    cx: torch.Tensor  # (n,) float: centre, px
    cy: torch.Tensor
    r: torch.Tensor  # (n,) float: shape radius (circumradius; half side for squares); shadow: half width
    angle: torch.Tensor  # (n,) float: radians, counter-clockwise on screen
    rgb: torch.Tensor  # (n, 3) float
    extra: torch.Tensor  # (n, 3) float: shadows' (half height, blur, opacity)
    reach: torch.Tensor  # (n,) float: half the window the instance needs, px


def _instances(clips: Sequence[ClipSpec], zoom: torch.Tensor, size: int) -> _Instances:
    T = zoom.shape[1]
    unit = size / 128
    zoom_np = zoom.cpu().numpy()
    rows: dict[str, list] = {k: [] for k in ("b", "layer", "kind", "style", "x", "y", "r", "angle", "rgb", "extra",
                                             "reach")}

    def add(b, layer, kind, style, x, y, r, angle, rgb, extra, reach):
        for key, value in zip(rows, (b, layer, kind, style, x, y, r, angle, rgb, extra, reach)):
            rows[key].append(value)

    for b, c in enumerate(clips):
        style = STYLES.index(c.style)
        shadows = c.style == "realistic" or c.light in SHADOW_BLUR
        blur = SHADOW_BLUR.get(c.light, 4.0) * unit
        for k, o in enumerate(c.objects):
            tr = screen_track(o, c.camera, T)
            r = tr.scale * size / 2  # (T,) px
            margin = 1.5 + STYLE_MARGIN.get(c.style, 0.0) * unit
            add(b, 3 + k, SHAPES.index(o.shape), style, tr.x * size, tr.y * size, r, tr.angle,
                hex_to_rgb(COLOURS[o.colour]), (0.0, 0.0, 0.0), r * REACH[o.shape] + margin)
            if shadows:
                z = zoom_np[b]
                scene_y = 0.5 + (tr.y - 0.5) / z
                height = ((FLOOR_Y - scene_y - tr.scale / z / 2) / 0.6).clip(0, 1)  # 0 on the floor
                floor = (0.5 + z * (FLOOR_Y + 0.01 - 0.5)) * size
                half_w = r * (0.9 + 0.3 * height)
                half_h = half_w * 0.22 + unit
                opacity = SHADOW_OPACITY * (1 - 0.5 * height)
                add(b, k, -1, style, tr.x * size + 0.02 * size * z, floor, half_w, 0.0, (0.0, 0.0, 0.0),
                    (half_h, blur, opacity), half_w + blur + 1.5)
    device = zoom.device
    n_obj = len(rows["b"])

    def per_frame(key, dtype=torch.float32):  # (n_obj, T) -> (n_obj * T,)
        vals = [torch.as_tensor(v, dtype=dtype).expand(T) for v in rows[key]]
        return torch.stack(vals).reshape(-1).to(device)

    def per_object(key):  # (n_obj, C) -> (n_obj * T, C)
        return torch.tensor(rows[key], dtype=torch.float32).repeat_interleave(T, 0).to(device)

    extra = []
    for e in rows["extra"]:
        extra.append(torch.stack([torch.as_tensor(x, dtype=torch.float32).expand(T) for x in e], -1))
    return _Instances(
        b=per_frame("b", torch.long), t=torch.arange(T, device=device).repeat(n_obj),
        layer=per_frame("layer", torch.long), kind=per_frame("kind", torch.long),
        style=per_frame("style", torch.long), cx=per_frame("x"), cy=per_frame("y"), r=per_frame("r"),
        angle=per_frame("angle"), rgb=per_object("rgb"), extra=torch.cat(extra).to(device),
        reach=per_frame("reach"))


def _draw_objects(canvas: torch.Tensor, clips: Sequence[ClipSpec], zoom: torch.Tensor) -> None:
    S = canvas.shape[-1]
    inst = _instances(clips, zoom, S)
    need = torch.ceil(2 * inst.reach + 2)  # (n,) window side, px
    sizes = [w for w in WINDOW_SIZES if w < S] + [S]
    bucket = torch.bucketize(need.clamp(max=S), torch.tensor(sizes, dtype=need.dtype, device=need.device))
    patches = []  # (window, instance ids, x0, y0, rgb (m, W, W, 3), alpha (m, W, W, 1))
    for bi in torch.unique(bucket).tolist():
        ids = (bucket == bi).nonzero().squeeze(1)
        W = sizes[bi]
        patches.append((W, ids, *_patch(inst, ids, W, S)))
    for layer in torch.unique(inst.layer).tolist():
        for W, ids, x0, y0, rgb, alpha in patches:
            sel = (inst.layer[ids] == layer).nonzero().squeeze(1)
            if sel.numel():
                _blend_window(canvas, inst.b[ids[sel]], inst.t[ids[sel]], x0[sel], y0[sel], rgb[sel], alpha[sel])


def _patch(inst: _Instances, ids: torch.Tensor, W: int,
           S: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """RGBA of the instances `ids` on W x W windows: x0, y0 (m,), rgb
    (m, W, W, 3), alpha (m, W, W, 1)."""
    unit = S / 128
    cx, cy = inst.cx[ids], inst.cy[ids]
    x0 = torch.round(cx - W / 2).long().clamp(0, S - W)  # (m,)
    y0 = torch.round(cy - W / 2).long().clamp(0, S - W)
    ar = torch.arange(W, device=cx.device, dtype=torch.float32) + 0.5
    gx = (x0[:, None] + ar - cx[:, None])[:, None, :]  # (m, 1, W) screen offset from the centre, px
    gy = (y0[:, None] + ar - cy[:, None])[:, :, None]  # (m, W, 1)
    m = ids.numel()
    rgb = torch.empty(m, W, W, 3, device=cx.device)
    alpha = torch.empty(m, W, W, 1, device=cx.device)
    kind = inst.kind[ids]
    shadow = (kind < 0).nonzero().squeeze(1)
    if shadow.numel():
        e = inst.extra[ids[shadow]][:, :, None, None]  # (k, 3, 1, 1)
        d = _sdf_ellipse(gx[shadow], gy[shadow], inst.r[ids[shadow]][:, None, None], e[:, 0])
        blur = e[:, 1]
        a = ((blur - d) / (2 * blur)).clamp(0, 1)
        alpha[shadow] = (e[:, 2] * a * a * (3 - 2 * a))[..., None]
        rgb[shadow] = 0.0
    # Local, rotated coordinates (v up); angle is counter-clockwise on screen.
    ang = inst.angle[ids][:, None, None]
    cos, sin = torch.cos(ang), torch.sin(ang)
    for si, name in enumerate(SHAPES):
        sel = (kind == si).nonzero().squeeze(1)
        if not sel.numel():
            continue
        x, y = gx[sel], -gy[sel]  # y up
        u = x * cos[sel] + y * sin[sel]
        v = -x * sin[sel] + y * cos[sel]
        d = SDFS[name](u, v, inst.r[ids[sel]][:, None, None])  # (k, W, W)
        styles = inst.style[ids[sel]]
        for sty in torch.unique(styles).tolist():
            ss = (styles == sty).nonzero().squeeze(1)
            g = sel[ss]
            c, a = _shade(STYLES[sty], d[ss], gx[g], gy[g], inst.r[ids[g]][:, None, None],
                          inst.rgb[ids[g]][:, None, None, :], unit)
            rgb[g], alpha[g] = c, a
    return x0, y0, rgb, alpha


def _sdf_ellipse(x: torch.Tensor, y: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Approximate signed distance to an axis-aligned ellipse (Quilez's
    cheap bound), good enough for a blurred shadow."""
    k0 = torch.sqrt((x / a) ** 2 + (y / b) ** 2)
    k1 = torch.sqrt((x / (a * a)) ** 2 + (y / (b * b)) ** 2)
    return k0 * (k0 - 1) / k1.clamp(min=1e-6)


def _shade(style: str, d: torch.Tensor, gx: torch.Tensor, gy: torch.Tensor, r: torch.Tensor,
           colour: torch.Tensor, unit: float) -> tuple[torch.Tensor, torch.Tensor]:
    """How a style paints a shape with signed distance d (k, W, W): rgb
    (k, W, W, 3) and alpha (k, W, W, 1)."""
    if style == "cartoon":  # 2 px black outline centred on the edge, fill inside it
        half = 1.0 * unit
        outer, fill = coverage(d - half), coverage(d + half)
        mix = (fill / outer.clamp(min=1e-6))[..., None]
        black = torch.tensor(OUTLINE, device=d.device)
        return black + (colour - black) * mix, outer[..., None]
    if style == "realistic":  # lit from the top left: a radial falloff and a highlight
        rho = torch.sqrt((gx + 0.35 * r) ** 2 + (gy + 0.35 * r) ** 2) / r  # (k, W, W)
        shade = (1.18 - 0.42 * rho).clamp(0.55, 1.2)[..., None]
        spec = ((1 - rho / 0.35).clamp(min=0) ** 2 * 0.5)[..., None]
        lit = colour * shade
        return lit + (1 - lit) * spec, coverage(d)[..., None]
    if style == "neon":  # a bright line on the edge inside a soft glow
        ad = d.abs()
        core = coverage(ad - 1.0 * unit)
        glow = 0.7 * torch.exp(-ad / (3.0 * unit))
        return colour + (1 - colour) * (0.25 * core)[..., None], torch.maximum(core, glow)[..., None]
    if style == "sketch":  # gray pencil line plus a fainter wobbly second stroke, no fill
        w = max(unit, 1.0)  # pencil lines stay visible at small sizes
        wobble = 0.8 * w * torch.sin(5 * torch.atan2(gy, gx) + r)
        line = torch.maximum(0.85 * coverage(d.abs() - 0.6 * w), 0.45 * coverage((d + wobble).abs() - 0.4 * w))
        return torch.tensor(PENCIL, device=d.device).expand(*d.shape, 3), line[..., None]
    # flat, pixel art, vintage: a plain fill (their look comes from the image pass)
    return colour.expand(*d.shape, 3), coverage(d)[..., None]


def _blend_window(canvas: torch.Tensor, b: torch.Tensor, t: torch.Tensor, x0: torch.Tensor, y0: torch.Tensor,
                  rgb: torch.Tensor, alpha: torch.Tensor) -> None:
    """Alpha-blend W x W windows into canvas (B, T, 3, S, S); the (b, t) are
    distinct, so one gather (take) and one scatter (put_) on the flat canvas
    suffice."""
    _, T, _, S, _ = canvas.shape
    W = rgb.shape[1]
    ar = torch.arange(W, device=canvas.device)
    chan = torch.arange(3, device=canvas.device)
    frame = ((b * T + t) * 3)[:, None] + chan  # (m, 3)
    pix = (y0[:, None] + ar)[:, :, None] * S + (x0[:, None] + ar)[:, None, :]  # (m, W, W)
    idx = frame[:, None, None, :] * (S * S) + pix[..., None]  # (m, W, W, 3)
    flat = canvas.view(-1)
    patch = flat.take(idx)  # (m, W, W, 3)
    flat.put_(idx, patch + alpha * (rgb - patch))
