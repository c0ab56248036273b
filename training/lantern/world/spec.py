"""Shapes World v1: the vocabulary, a clip's ground-truth attributes, and
their per-frame tracks.

This module is the contract between the renderer (training data), the
captions, the judge and the app's tests (../shared/shapes-world.md). Every
list is a runtime tuple so validators and types cannot drift apart.
Positions are normalised: x from 0 (left) to 1 (right), y from 0 (top) to 1
(bottom); sizes are fractions of the frame side S.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

WORLD_VERSION = 1

COLOURS: dict[str, str] = {
    "red": "#E53935", "orange": "#FB8C00", "yellow": "#FDD835", "green": "#43A047",
    "blue": "#1E88E5", "purple": "#8E24AA", "pink": "#EC407A", "white": "#F5F5F5",
    "black": "#212121", "brown": "#6D4C41", "cyan": "#00ACC1", "gray": "#9E9E9E",
}
COLOUR_NAMES = tuple(COLOURS)
SHAPES = ("circle", "square", "triangle", "star", "diamond")
SIZES: dict[str, float] = {"small": 0.12, "medium": 0.20, "large": 0.30}
MOTIONS = ("still", "left", "right", "up", "down", "bounce", "spin", "grow", "shrink", "orbit")
LINEAR_MOTIONS = ("left", "right", "up", "down")
SPEEDS = ("slowly", "normal", "quickly")
BACKGROUNDS = ("plain", "sky", "meadow", "night", "sunset", "desert")
CAMERAS = ("static", "pan left", "pan right", "zoom in", "zoom out")
LIGHTS = ("normal", "dim", "bright", "soft", "hard")
WEATHERS = ("none", "rain", "snow", "fog")
STYLES = ("flat", "cartoon", "pixel art", "realistic", "neon", "sketch", "vintage")

Shape = Literal["circle", "square", "triangle", "star", "diamond"]

FLOOR_Y = 0.9  # the floor a bouncing object lands on
ORBIT_RADIUS = 0.2
EDGE_MARGIN = 0.04  # linear motion is clipped this far inside the frame edge
MIN_BACKGROUND_DISTANCE = 25.0  # CIELAB distance an object keeps from its background

# Colours each background shows, sampled along its gradients, for the
# colour-versus-background rule of the spec.
BACKGROUND_SWATCHES: dict[str, tuple[str, ...]] = {
    "sky": ("#90CAF9", "#BAD9F9", "#E3F2FD"),
    "meadow": ("#90CAF9", "#C6E1FA", "#66BB6A"),
    "night": ("#0D1B2A", "#F5F5F5"),
    "sunset": ("#FF7043", "#AE528A", "#5E35B1"),
    "desert": ("#FFE0B2", "#D7A86E"),
}


def hex_to_rgb(hex_colour: str) -> tuple[float, float, float]:
    """'#RRGGBB' -> sRGB floats in [0, 1]."""
    return tuple(int(hex_colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1], shape (..., 3) -> CIELAB (D65), shape (..., 3)."""
    c = np.asarray(rgb, dtype=np.float64)
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


NAMED_LAB = srgb_to_lab(np.array([hex_to_rgb(h) for h in COLOURS.values()]))  # (12, 3)


def background_swatches(background: str, background_colour: str | None) -> tuple[str, ...]:
    if background == "plain":
        assert background_colour is not None
        return (COLOURS[background_colour],)
    return BACKGROUND_SWATCHES[background]


def allowed_object_colours(background: str, background_colour: str | None) -> tuple[str, ...]:
    """Named colours an object may take in front of this background."""
    swatches = srgb_to_lab(np.array([hex_to_rgb(h) for h in background_swatches(background, background_colour)]))
    distance = np.linalg.norm(NAMED_LAB[:, None, :] - swatches[None, :, :], axis=-1).min(1)
    return tuple(n for n, d in zip(COLOUR_NAMES, distance) if d >= MIN_BACKGROUND_DISTANCE)


@dataclass(frozen=True)
class ObjectSpec:
    shape: str
    colour: str
    size: str  # small | medium | large
    scale: float  # diameter or side as a fraction of S, after the +-10% jitter
    motion: str
    speed: str = "normal"  # slowly | normal | quickly; only linear motions use it
    x: float = 0.5  # start centroid
    y: float = 0.5
    angle: float = 0.0  # start rotation, radians
    direction: int = 1  # spin and orbit: +1 counter-clockwise on screen, -1 clockwise
    amount: float = 0.0  # linear: distance; spin: turns; orbit: turned angle (radians)


@dataclass(frozen=True)
class ClipSpec:
    objects: tuple[ObjectSpec, ...]
    background: str = "plain"
    background_colour: str | None = "white"  # only for plain backgrounds
    camera: str = "static"
    light: str = "normal"
    weather: str = "none"
    style: str = "flat"
    seed: int = 0  # drives stars, rain, snow, grain and noise

    def validate(self) -> None:
        """Raise ValueError naming the bad field if the clip breaks the spec."""
        _check("background", self.background, BACKGROUNDS)
        if self.background == "plain":
            _check("background_colour", self.background_colour, COLOUR_NAMES)
        elif self.background_colour is not None:
            raise ValueError(f"background_colour must be None for background '{self.background}'")
        _check("camera", self.camera, CAMERAS)
        _check("light", self.light, LIGHTS)
        _check("weather", self.weather, WEATHERS)
        _check("style", self.style, STYLES)
        if not 1 <= len(self.objects) <= 3:
            raise ValueError(f"a clip has 1 to 3 objects, got {len(self.objects)}")
        allowed = allowed_object_colours(self.background, self.background_colour)
        for o in self.objects:
            _check("shape", o.shape, SHAPES)
            _check("colour", o.colour, allowed)
            _check("size", o.size, tuple(SIZES))
            _check("motion", o.motion, MOTIONS)
            _check("speed", o.speed, SPEEDS)
            if o.motion == "spin" and o.shape == "circle":
                raise ValueError("a circle cannot spin (it would look still); use another motion")


def _check(name: str, value: object, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"Unsupported {name} {value!r}. Must be one of: {', '.join(map(str, allowed))}.")


# ----------------------------------------------------------------------------
# Per-frame tracks


@dataclass(frozen=True)
class Track:
    """An object's state in each frame, before the camera: shape (T,) arrays."""
    x: np.ndarray
    y: np.ndarray
    scale: np.ndarray  # fraction of S
    angle: np.ndarray  # radians


def object_track(o: ObjectSpec, frames: int) -> Track:
    u = np.linspace(0.0, 1.0, frames)  # clip progress, 0 at the first frame and 1 at the last
    x = np.full(frames, o.x)
    y = np.full(frames, o.y)
    scale = np.full(frames, o.scale)
    angle = np.full(frames, o.angle)
    if o.motion in LINEAR_MOTIONS:
        dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[o.motion]
        half = o.scale / 2
        x = np.clip(o.x + dx * o.amount * u, EDGE_MARGIN + half, 1 - EDGE_MARGIN - half)
        y = np.clip(o.y + dy * o.amount * u, EDGE_MARGIN + half, 1 - EDGE_MARGIN - half)
    elif o.motion == "bounce":
        y = _bounce_track(o.y, FLOOR_Y - o.scale / 2, frames)
    elif o.motion == "spin":
        angle = o.angle + o.direction * 2 * math.pi * o.amount * u
    elif o.motion in ("grow", "shrink"):
        factor = 1.8 if o.motion == "grow" else 0.55
        scale = o.scale * factor ** u
    elif o.motion == "orbit":
        start = math.atan2(o.y - 0.5, o.x - 0.5)
        theta = start - o.direction * o.amount * u  # screen y points down: -theta is counter-clockwise
        x = 0.5 + ORBIT_RADIUS * np.cos(theta)
        y = 0.5 + ORBIT_RADIUS * np.sin(theta)
    elif o.motion == "still":
        pass
    return Track(x=x, y=y, scale=scale, angle=angle)


def _bounce_track(y0: float, rest_y: float, frames: int) -> np.ndarray:
    """Falls from y0 under gravity, lands on rest_y about a third of the way
    into the clip and bounces with restitution 0.75 (simulated in substeps)."""
    drop = max(rest_y - y0, 1e-3)
    first_landing = 0.3 * (frames - 1)  # in frames
    gravity = 2 * drop / first_landing ** 2  # y units per frame^2
    substeps = 16
    y, vy, out = y0, 0.0, [y0]
    for _ in range(frames - 1):
        for _ in range(substeps):
            dt = 1.0 / substeps
            vy += gravity * dt
            y += vy * dt
            if y > rest_y:
                y = rest_y - (y - rest_y)
                vy = -0.75 * abs(vy)
        out.append(y)
    return np.array(out)


def camera_transform(camera: str, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame (shift_x, zoom): a scene point p appears at
    0.5 + zoom * (p - 0.5) + shift_x. A pan left moves content right."""
    u = np.linspace(0.0, 1.0, frames)
    shift = np.zeros(frames)
    zoom = np.ones(frames)
    if camera == "pan left":
        shift = 0.3 * u
    elif camera == "pan right":
        shift = -0.3 * u
    elif camera == "zoom in":
        zoom = 1.5 ** u
    elif camera == "zoom out":
        zoom = 0.67 ** u
    return shift, zoom


def screen_track(o: ObjectSpec, camera: str, frames: int) -> Track:
    """The object's track as seen through the camera."""
    t = object_track(o, frames)
    shift, zoom = camera_transform(camera, frames)
    return Track(x=0.5 + zoom * (t.x - 0.5) + shift, y=0.5 + zoom * (t.y - 0.5),
                 scale=t.scale * zoom, angle=t.angle)


# ----------------------------------------------------------------------------
# Sampling


@dataclass
class SamplingWeights:
    """How often each nuisance attribute departs from its default. The
    defaults dominate so that short prompts ('a red ball') see plain scenes
    most, but every option is common enough to be learned."""
    objects: tuple[float, float, float] = (0.6, 0.28, 0.12)
    camera_static: float = 0.7
    light_normal: float = 0.7
    weather_none: float = 0.7
    style_flat: float = 0.45
    plain_background: float = 0.35
    extra: dict = field(default_factory=dict)


# The curriculum's world (TrainConfig.curriculum): one object, a static
# camera, normal light, no weather, flat style; backgrounds as usual, since
# the background is one of the four attributes every prompt names.
SIMPLE_WEIGHTS = SamplingWeights(objects=(1.0, 0.0, 0.0), camera_static=1.0, light_normal=1.0,
                                 weather_none=1.0, style_flat=1.0)


def sample_object(rng: random.Random, colours: tuple[str, ...], shape: str | None = None,
                  colour: str | None = None, motion: str | None = None, size: str | None = None,
                  speed: str | None = None) -> ObjectSpec:
    shape = shape or rng.choice(SHAPES)
    colour = colour or rng.choice(colours)
    motions = MOTIONS if shape != "circle" else tuple(m for m in MOTIONS if m != "spin")
    motion = motion or rng.choice(motions)
    size = size or rng.choice(tuple(SIZES))
    scale = SIZES[size] * rng.uniform(0.9, 1.1)
    speed = speed or (rng.choice(SPEEDS) if motion in LINEAR_MOTIONS else "normal")
    half = scale / 2
    lo, hi = EDGE_MARGIN + half, 1 - EDGE_MARGIN - half
    x, y = rng.uniform(lo, hi), rng.uniform(lo, hi)
    angle = rng.uniform(0, 2 * math.pi) if shape != "circle" else 0.0
    direction = rng.choice((-1, 1))
    amount = 0.0
    if motion in LINEAR_MOTIONS:
        amount = rng.uniform(0.35, 0.6) * {"slowly": 0.5, "normal": 1.0, "quickly": 2.0}[speed]
        travel = min(amount, hi - lo)
        along = {"left": -1, "right": 1, "up": -1, "down": 1}[motion]
        start = rng.uniform(lo + travel, hi) if along < 0 else rng.uniform(lo, hi - travel)
        if motion in ("left", "right"):
            x = start
        else:
            y = start
    elif motion == "bounce":
        y = rng.uniform(max(lo, 0.15), 0.45)
        angle = 0.0 if shape != "triangle" else angle
    elif motion == "spin":
        amount = rng.uniform(0.5, 1.0)  # turns
        x, y = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
    elif motion in ("grow", "shrink"):
        grown = scale * (1.8 if motion == "grow" else 1.0) / 2
        x, y = rng.uniform(0.05 + grown, 0.95 - grown), rng.uniform(0.05 + grown, 0.95 - grown)
    elif motion == "orbit":
        start = rng.uniform(0, 2 * math.pi)
        x, y = 0.5 + ORBIT_RADIUS * math.cos(start), 0.5 + ORBIT_RADIUS * math.sin(start)
        amount = rng.uniform(1.1, 1.8) * math.pi
    return ObjectSpec(shape=shape, colour=colour, size=size, scale=scale, motion=motion, speed=speed,
                      x=x, y=y, angle=angle, direction=direction, amount=amount)


def sample_clip(rng: random.Random, weights: SamplingWeights | None = None, **fixed) -> ClipSpec:
    """A random clip. Keyword arguments fix attributes: background,
    background_colour, camera, light, weather, style, n_objects, and
    objects=[dict(shape=..., colour=..., motion=...), ...] for partial objects."""
    w = weights or SamplingWeights()
    style = fixed.get("style") or (
        "flat" if rng.random() < w.style_flat else rng.choice(STYLES[1:]))
    background = fixed.get("background") or (
        "plain" if rng.random() < w.plain_background else rng.choice(BACKGROUNDS[1:]))
    background_colour = None
    if background == "plain":
        background_colour = fixed.get("background_colour") or rng.choice(COLOUR_NAMES)
    camera = fixed.get("camera") or ("static" if rng.random() < w.camera_static else rng.choice(CAMERAS[1:]))
    if "light" in fixed:
        light = fixed["light"]
    else:
        lights = LIGHTS[1:] if style == "realistic" else ("dim", "bright")
        light = "normal" if rng.random() < w.light_normal else rng.choice(lights)
    weather = fixed.get("weather") or ("none" if rng.random() < w.weather_none else rng.choice(WEATHERS[1:]))
    colours = allowed_object_colours(background, background_colour)
    partial = list(fixed.get("objects", []))
    n = fixed.get("n_objects") or max(len(partial), rng.choices((1, 2, 3), w.objects)[0])
    partial += [{}] * (n - len(partial))
    objects = tuple(sample_object(rng, colours, **p) for p in partial)
    clip = ClipSpec(objects=objects, background=background, background_colour=background_colour,
                    camera=camera, light=light, weather=weather, style=style, seed=rng.randrange(2 ** 31))
    clip.validate()
    return clip


def with_seed(clip: ClipSpec, seed: int) -> ClipSpec:
    return replace(clip, seed=seed)


@dataclass(frozen=True)
class EvalPrompt:
    """A prompt with the clip it describes truly. Attributes the prompt leaves
    out were sampled at random, so the judge scores only what is mentioned."""
    prompt: str
    clip: ClipSpec
    # Clip-level attributes the prompt names: any of 'background', 'camera',
    # 'light', 'weather', 'style'; 'motion' when every object's motion is named,
    # 'size' when every object's size is. Shape and colour are always named.
    mentioned: frozenset[str]
