"""The Shapes World renderer against the spec (../shared/shapes-world.md):
what a judge or a person would check in the pixels."""
from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
import torch

from lantern.world import effects
from lantern.world.render import render_background, render_clips
from lantern.world.spec import (
    BACKGROUNDS, COLOUR_NAMES, COLOURS, ClipSpec, ObjectSpec, allowed_object_colours, hex_to_rgb, sample_clip,
    screen_track,
)

torch.set_num_threads(2)
WHITE = torch.tensor(hex_to_rgb(COLOURS["white"]))
RED = torch.tensor(hex_to_rgb(COLOURS["red"]))


def obj(shape="square", colour="red", motion="still", scale=0.3, x=0.5, y=0.5, angle=0.0, **kw) -> ObjectSpec:
    return ObjectSpec(shape=shape, colour=colour, size="large", scale=scale, motion=motion, x=x, y=y, angle=angle, **kw)


def clip(*objects: ObjectSpec, **kw) -> ClipSpec:
    kw.setdefault("background", "plain")
    kw.setdefault("background_colour", "white" if kw["background"] == "plain" else None)
    return ClipSpec(objects=objects, **kw)


def red_alpha(video: torch.Tensor) -> torch.Tensor:
    """How much of a red object covers each pixel, for red on white: (..., S, S)."""
    g = video[..., 1, :, :]
    return ((WHITE[1] - g) / (WHITE[1] - RED[1])).clamp(0, 1)


def centroid(alpha: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """alpha (T, S, S) -> normalised centroid x, y, each (T,)."""
    S = alpha.shape[-1]
    pos = (torch.arange(S, dtype=torch.float32) + 0.5) / S
    mass = alpha.sum((-1, -2))
    return (alpha.sum(-2) * pos).sum(-1) / mass, (alpha.sum(-1) * pos).sum(-1) / mass


def test_shape_range_and_dtype():
    rng = random.Random(1)
    clips = [sample_clip(rng) for _ in range(5)]
    video = render_clips(clips, size=64, frames=6)
    assert video.shape == (5, 6, 3, 64, 64) and video.dtype == torch.float32
    assert video.min() >= 0 and video.max() <= 1
    assert render_background(clips, size=64, frames=6).shape == video.shape


def test_deterministic_and_independent_of_the_batch():
    rng = random.Random(2)
    clips = [sample_clip(rng, weather=w, style=s) for w, s in
             (("snow", "vintage"), ("rain", "realistic"), ("none", "pixel art"), ("fog", "neon"))]
    batch = render_clips(clips, size=64, frames=8)
    assert torch.equal(batch, render_clips(clips, size=64, frames=8))
    for i, c in enumerate(clips):
        alone = render_clips([c], size=64, frames=8)[0]
        assert (alone - batch[i]).abs().max() < 1e-5
    reseeded = render_clips([replace(clips[0], seed=clips[0].seed + 1)], size=64, frames=8)[0]
    assert (reseeded - batch[0]).abs().max() > 0.1  # the seed drives snow and grain


def test_flat_object_has_its_named_colour():
    for name in COLOUR_NAMES:
        bg = next(b for b in ("white", "black", "blue") if name in allowed_object_colours("plain", b))
        video = render_clips([clip(obj("square", name, scale=0.4), background_colour=bg)], size=64, frames=2)
        interior = video[0, :, :, 22:42, 22:42]  # the square spans pixels 19.2 to 44.8
        mean = interior.mean((0, 2, 3))
        assert (mean - torch.tensor(hex_to_rgb(COLOURS[name]))).abs().max() < 0.02, name


@pytest.mark.parametrize("shape,motion,camera,x,y,extra", [
    ("circle", "left", "static", 0.7, 0.5, dict(amount=0.4)),
    ("square", "right", "pan right", 0.3, 0.4, dict(amount=0.3, angle=0.4)),
    ("triangle", "up", "pan left", 0.3, 0.7, dict(amount=0.4)),
    ("diamond", "down", "zoom in", 0.45, 0.3, dict(amount=0.3)),
    ("circle", "bounce", "static", 0.5, 0.3, {}),
    ("star", "orbit", "zoom out", 0.7, 0.5, dict(amount=1.5 * math.pi)),
    ("star", "spin", "pan right", 0.6, 0.5, dict(amount=0.75)),
    ("diamond", "grow", "static", 0.5, 0.5, {}),
    ("triangle", "shrink", "pan left", 0.4, 0.5, {}),
])
def test_centroid_follows_the_screen_track(shape, motion, camera, x, y, extra):
    o = obj(shape, motion=motion, scale=0.12, x=x, y=y, **extra)
    T = 8
    track = screen_track(o, camera, T)
    assert (track.x - track.scale / 2 > 0).all() and (track.x + track.scale / 2 < 1).all()  # stays in frame
    video = render_clips([clip(o, camera=camera)], size=128, frames=T)[0]
    cx, cy = centroid(red_alpha(video))
    assert (cx - torch.tensor(track.x, dtype=torch.float32)).abs().max() * 128 < 1.0
    assert (cy - torch.tensor(track.y, dtype=torch.float32)).abs().max() * 128 < 1.0


def test_left_object_moves_left():
    rng = random.Random(3)
    for _ in range(3):
        c = sample_clip(rng, objects=[dict(motion="left", colour="red")], n_objects=1, background="plain",
                        background_colour="white", style="flat", camera="static", weather="none", light="normal")
        cx, cy = centroid(red_alpha(render_clips([c], size=64, frames=8)[0]))
        assert cx[-1] - cx[0] < -0.15
        assert abs(cy[-1] - cy[0]) < 0.01


def test_shape_areas_match_the_spec_geometry():
    S, scale = 128, 0.4
    R = scale * S / 2
    inner = 0.45 * R
    areas = {
        "circle": math.pi * R * R,
        "square": (2 * R) ** 2,
        "triangle": 3 * math.sqrt(3) / 4 * R * R,
        "star": 5 * R * inner * math.sin(math.pi / 5),
        "diamond": 2 * (0.75 * R) * R,
    }
    clips = [clip(obj(s, scale=scale, angle=0.3)) for s in areas]
    alpha = red_alpha(render_clips(clips, size=S, frames=1)[:, 0])  # (5, S, S)
    for (shape, area), a in zip(areas.items(), alpha):
        assert abs(a.sum().item() / area - 1) < 0.015, shape


def test_diamond_is_a_tall_rhombus_and_square_is_square():
    clips = [clip(obj("diamond", scale=0.5)), clip(obj("square", scale=0.5))]
    alpha = red_alpha(render_clips(clips, size=128, frames=1)[:, 0]) > 0.5
    ratios = []
    for a in alpha:
        cols, rows = a.any(0).nonzero(), a.any(1).nonzero()
        ratios.append((cols.max() - cols.min() + 1).item() / (rows.max() - rows.min() + 1).item())
    assert abs(ratios[0] - 0.75) < 0.04 and abs(ratios[1] - 1.0) < 0.04


def test_triangle_points_up():
    alpha = red_alpha(render_clips([clip(obj("triangle", scale=0.5))], size=128, frames=1)[0, 0])
    _, cy = centroid(alpha[None])
    upper = alpha[: round(cy.item() * 128)].sum() / alpha.sum()  # the centroid is at y = 64 px
    assert abs(upper.item() - 4 / 9) < 0.02  # an apex-up triangle has 4/9 of its area above the centroid


def test_pixel_art_is_blocky():
    rng = random.Random(4)
    clips = [sample_clip(rng, style="pixel art") for _ in range(6)]
    video = render_clips(clips, size=128, frames=4)  # (6, 4, 3, 128, 128)
    blocks = video.view(6, 4, 3, 16, 8, 16, 8)
    assert (blocks.amax((4, 6)) - blocks.amin((4, 6))).max() < 1e-6
    assert (video[:, :, :, :, 1:] != video[:, :, :, :, :-1]).any()  # not one flat colour


def test_light():
    base = clip(obj("circle", "blue"), background="sky")
    normal, dim, bright = render_clips([base, replace(base, light="dim"), replace(base, light="bright")],
                                       size=64, frames=2)
    assert torch.allclose(dim, 0.55 * normal, atol=1e-5)
    assert torch.allclose(bright, (1.2 * normal).clamp(max=1), atol=1e-5)


def test_fog_moves_pixels_toward_gray():
    base = clip(obj("circle", "blue"), background="sunset")
    clear, fog = render_clips([base, replace(base, weather="fog")], size=64, frames=2)
    gray = torch.tensor(hex_to_rgb("#BDBDBD"))[:, None, None]
    assert torch.allclose(fog, 0.6 * clear + 0.4 * gray, atol=1e-5)
    assert ((fog - gray).abs() <= (clear - gray).abs() + 1e-6).all()


def test_night_has_still_stars():
    video = render_background([clip(obj(), background="night", seed=s) for s in range(3)], size=128, frames=4)
    stars = (video.min(2).values > 0.8)  # (3, 4, S, S) white pixels
    count = stars.sum((-1, -2))
    assert (count >= 20).all() and (count <= 40 * 4).all()
    assert (stars == stars[:, :1]).all()  # a static camera keeps them put


def test_pan_left_moves_the_background_right():
    # S = 100, T = 4: the pan shifts content by exactly 10 px a frame.
    c = clip(obj(), background="plain", background_colour="gray", style="realistic", camera="pan left")
    video = render_background([c], size=100, frames=4)[0]
    assert video[0].std() > 0.005  # the realistic background has texture
    assert (video[3, :, :, 30:] - video[0, :, :, :70]).abs().max() < 1e-4


def test_zoom_in_moves_the_horizon_down():
    video = render_background([clip(obj(), background="meadow", camera="zoom in")], size=128, frames=4)[0]
    ground = torch.tensor(hex_to_rgb("#66BB6A"))
    is_ground = ((video[:, :, :, 64] - ground[:, None]).abs().max(1).values < 0.02)  # (T, S) along column 64
    horizon = is_ground.float().argmax(1)  # first ground row
    assert abs(horizon[0].item() - 0.6 * 128) <= 1 and abs(horizon[-1].item() - 0.65 * 128) <= 1


@pytest.mark.parametrize("weather", ["rain", "snow"])
def test_weather_particles_move(weather):
    base = clip(obj("circle", "red", scale=0.12, x=0.2, y=0.2), background="plain", background_colour="blue", seed=7)
    clear, wet = render_clips([base, replace(base, weather=weather)], size=128, frames=4)
    marks = (wet - clear).abs().sum(1) > 0.1  # (T, S, S)
    count = marks.sum((-1, -2))
    assert (count >= 30 * 4).all()  # at least 30 particles of several pixels each frame
    overlap = (marks[1:] & marks[:-1]).sum((-1, -2)).float() / count[1:]
    assert (overlap < 0.5).all()  # they moved between frames


def test_neon_background_is_near_black_and_shapes_glow():
    clips = []
    for b in BACKGROUNDS:
        bc = "white" if b == "plain" else None
        colour = allowed_object_colours(b, bc)[0]  # red on white first
        clips.append(clip(obj("square", colour, scale=0.4), background=b, background_colour=bc, style="neon"))
    bg = render_background(clips, size=64, frames=2)
    assert (bg.flatten(1).median(1).values < 0.07).all()
    video = render_clips(clips[:1], size=64, frames=1)[0, 0]
    edge = video[:, 19, 32]  # on the square's top edge
    assert edge[0] > 0.6 and edge[0] > 2 * edge[1]  # lit in the object's red
    assert video[:, 32, 32].max() < 0.1  # outline only: the middle stays dark


def test_sketch_draws_gray_outlines_on_paper_without_fill():
    video = render_clips([clip(obj("square", "red", scale=0.4), background="sky", style="sketch")], size=64,
                         frames=1)[0, 0]
    assert (video[:, 32, 32] - torch.tensor(effects.PAPER)).abs().max() < 0.05  # no fill
    edge = video[:, 19, 32]
    assert edge.max() < 0.7 and (edge.max() - edge.min()) < 0.05  # a gray line


def test_cartoon_outline_is_black():
    video = render_clips([clip(obj("circle", "red", scale=0.5), style="cartoon")], size=128, frames=1)[0, 0]
    ring = video[:, 64, 64 + 32]  # on the edge, radius 32 px
    assert ring.max() < 0.25
    assert (video[:, 64, 64] - RED).abs().max() < 0.02


def test_realistic_shadow_is_softer_in_soft_light():
    base = clip(obj("circle", "red", scale=0.3, y=0.4), style="realistic", background_colour="gray")
    bg, soft, hard = (render_clips([replace(base, light=l)], size=128, frames=1)[0, 0] for l in
                      ("normal", "soft", "hard"))
    row = round(0.91 * 128)
    clean = render_background([base], size=128, frames=1)[0, 0]

    def darkening(v):
        return (clean[:, row] - v[:, row]).mean(0)  # (S,)

    assert darkening(bg).max() > 0.1  # a shadow lies on the floor below the object
    assert (darkening(soft) > 0.01).sum() > (darkening(hard) > 0.01).sum() + 8
    mid = darkening(hard)[64]
    assert mid > darkening(soft)[64] - 1e-3  # the hard shadow is at least as dark at its centre


def test_vintage_is_sepia_with_a_vignette():
    video = render_background([clip(obj(), background="sky", style="vintage")], size=64, frames=2)[0]
    r, g, b = video.mean((0, 2, 3))
    assert r > g > b  # sky blue turned sepia
    centre = video[:, :, 24:40, 24:40].mean()
    corners = torch.stack([video[:, :, :8, :8].mean(), video[:, :, -8:, -8:].mean()]).mean()
    assert corners < centre - 0.1
    assert (video[0] - video[1]).abs().mean() > 0.01  # grain changes every frame


def test_background_render_matches_the_clip_away_from_objects():
    c = clip(obj("star", "red", scale=0.2, x=0.2, y=0.2), background="meadow", weather="rain", seed=3)
    full, empty = render_clips([c], size=64, frames=3)[0], render_background([c], size=64, frames=3)[0]
    assert torch.equal(full[:, :, 32:, 32:], empty[:, :, 32:, 32:])
    assert (full[:, :, 5:20, 5:20] - empty[:, :, 5:20, 5:20]).abs().max() > 0.3


def test_invalid_clip_names_the_field():
    with pytest.raises(ValueError, match="style"):
        render_clips([clip(obj(), style="oil paint")])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    rng = random.Random(5)
    clips = [sample_clip(rng) for _ in range(8)]
    cpu = render_clips(clips, size=64, frames=4)
    gpu = render_clips(clips, size=64, frames=4, device="cuda")
    assert gpu.device.type == "cuda"
    assert (gpu.cpu() - cpu).abs().mean() < 1e-3
