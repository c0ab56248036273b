"""The Shapes World judge: does a generated clip show what its prompt says?

    judge_clip(frames, expected, trust="prompt") -> ClipVerdict

`frames` is one clip, (T, 3, S, S) or (T, S, S, 3), floats in [0, 1];
`expected` is the EvalPrompt it was generated from. Each attribute of the
verdict is True, False, or None: not named by the prompt (motion,
background), or not judgeable in this clip (below). A clip passes an
attribute when every object passes it, fails it when any object fails it.
The verdict also carries what was measured (colour name and CIELAB, shape
guess and profile distances, track, displacement, area ratio, rotation).

How it decides (tests from ../shared/shapes-world.md, "judge's test"):
- Scene (features.analyse): a vignette is undone, film grain
  smoothed; the background is one colour per row (per frame when the rows
  change, as under a zoom); foreground is what lies far from it in CIELAB.
- Look: light, fog, style and zoom are what the prompt names (trust
  'prompt', for generated clips; trust 'clip' takes them all from
  expected.clip, right only for renders of it). The rest is estimated: the
  row profile is compared with every candidate background rendered under
  every remaining look (reference), and every look whose best fit is
  within BACKGROUND_SLACK of the best stays plausible. Pixel blocks and a
  vignette are seen directly (pixel art, vintage; film grain alone admits
  vintage); realistic needs the background's noise texture.
- Background (when named): True when the expected candidate, at its best
  look, fits the rows at least as well as any other; False when another
  fits better by more than BACKGROUND_SLACK; None in between (an unnamed
  look can make two alike: white in dim light and fog is gray). Only looks
  under which the expected background differs from every other by
  BACKGROUND_AMBIGUITY count; when a look that hides it (neon's black,
  sketch's paper) explains the clip clearly best, None.
- Objects (segment): drop shadows and, in pixel art, rain, snow and
  star blocks are set aside; thin and small things are dropped; pieces go
  to the expected colour they are nearest.
- Colour: the object's deepest pixels (all its pixels in pixel art)
  compared with the nearest mix of their background and each named colour
  as rendered under each plausible look, penalised by how much background
  the mix needs (_colour_scores); the best (colour, look) names it. None in
  sketch, which draws no colour.
- Shape: the radial profile (outermost boundary distance per angle from the
  centroid) against each shape's profile rendered in the plausible styles
  at the nearest size, at the best rotation and template variant, averaged
  over the frames where the object is at least MIN_RADIUS, clear of the
  frame edge and of other objects. Pixel art: the profile is traced on the
  blocks' interpolated coverage; shapes within PIXEL_ART_ALIKE of the best
  cannot be told apart, so the expected shape among them is None.
- Motion (when named): in SCENE coordinates, undoing spec.camera_transform,
  since a pan or zoom moves everything on screen. A named camera is undone
  as named; an unnamed one is read both as the clip's sampled camera and as
  static (the generator was not told), and passing either way counts.
  Frames where the object is cut by the frame edge or touches another
  object and has lost a fifth of its area are left out; the rest must
  cover half the clip (else None if the object left the view or was
  hidden, False if it vanished). still: the centroid stays within
  0.05 of its start and the area ratio is in [0.7, 1.4]; left/right/up/
  down: net displacement that way > 0.15 and > 2x the orthogonal one;
  bounce: the lowest point is interior, at least 0.1 below the start, and
  the object rises 0.03 after it; spin: the centroid stays within 0.05 and
  the profile turns more than 90 degrees over the clip (None when the
  object is too small to see its shape); grow/shrink: area ratio last/first
  > 1.4 / < 0.7; orbit: the path sweeps more than 180 degrees around the
  centre of the circle fitted to it, over a path longer than 0.2.
- Consistency: the object is found in at least 90% of the frames in which
  it is in view (not in view: missing next to a frame where it touches the
  frame edge, or where another object covers its last position); and in
  at least 90% of the frames where each is judged, the frame agrees with
  the clip's colour (the clip's name is within COLOUR_MARGIN of the frame's
  best, or the frame's colour is within COLOUR_DRIFT of the clip's median)
  and with its shape (the clip's guess is within SHAPE_MARGIN of the
  frame's best, PIXEL_ART_SHAPE_MARGIN in pixel art, or the frame's profile
  is within SHAPE_DRIFT + SHAPE_DRIFT_PX / radius of the medoid frame's, at
  the best rotation).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import ndimage

from . import features as jf
from . import reference as jr
from . import segment as js
from ..world.spec import COLOUR_NAMES, LINEAR_MOTIONS, SHAPES, STYLES, EvalPrompt, ObjectSpec, camera_transform

ATTRIBUTES = ("colour", "shape", "motion", "background", "consistency")
BACKGROUND_SLACK = 2.0  # CIELAB: conditions whose background fits this close to the best stay plausible
ZOOM_MARGIN = 0.5  # CIELAB: a zoom must fit the rows this much better than a still camera
BACKGROUND_AMBIGUITY = 4.0  # CIELAB: backgrounds rendering closer than this cannot be told apart
CONSISTENT_FRACTION = 0.9
COLOUR_MARGIN = 5.0  # CIELAB: a frame agrees with the clip's colour if it is this close to the frame's best
SHAPE_MARGIN = 0.03  # profile distance: likewise for the shape
COLOUR_DRIFT = 10.0  # CIELAB: a frame this close to the clip's median colour agrees (red to pink is 20)
SHAPE_DRIFT = 0.05  # profile distance: a frame this close to the medoid frame's profile agrees (square to circle
SHAPE_DRIFT_PX = 0.5  # is 0.1), plus this many px (at S = 128) over the object's radius: small ones are coarse
PIXEL_ART_SHAPE_MARGIN = 0.05  # a few blocks across, two shapes can pixelate alike
COVER_WEIGHT = 10.0  # CIELAB per unit of background in the mix that explains an object's colour
PIXEL_ART_ALIKE = 0.01  # pixel art: shapes this close to the best are not told apart
MIN_RADIUS = 3.5  # px at S = 128, of the disc of equal area: smaller blobs are not shape-judged
PIXEL_ART_MIN_RADIUS = 1.0  # blocks, likewise
SYMMETRY = {"circle": 0, "square": 4, "triangle": 3, "star": 5, "diamond": 2}
TRUSTS = ("prompt", "clip")


@dataclass
class ObjectVerdict:
    expected: dict  # shape, colour, motion
    colour: bool | None = None
    shape: bool | None = None
    motion: bool | None = None
    consistency: bool | None = None
    found_frames: int = 0
    in_view_frames: int = 0
    colour_name: str | None = None
    colour_lab: list | None = None
    colour_frames_agree: float | None = None  # fraction of frames agreeing with colour_name
    colour_drift: list = field(default_factory=list)  # per found frame: CIELAB distance from the clip's median
    shape_guess: str | None = None
    shape_distance: dict = field(default_factory=dict)  # shape -> profile distance
    shape_frames_agree: float | None = None
    shape_drift: list = field(default_factory=list)  # per judged frame: profile distance from the medoid frame
    camera: str | None = None  # the camera reading the motion was judged under
    track: list = field(default_factory=list)  # per frame [x, y] in scene units, or None
    displacement: list | None = None  # [dx, dy] first to last
    max_excursion: float | None = None  # farthest centroid distance from the first frame's
    area_ratio: float | None = None
    rotation_deg: float | None = None
    turning_deg: float | None = None
    notes: list = field(default_factory=list)


@dataclass
class ClipVerdict:
    prompt: str
    colour: bool | None
    shape: bool | None
    motion: bool | None
    background: bool | None
    consistency: bool | None
    objects: list[ObjectVerdict]
    background_guess: str | None
    background_distance: float | None  # CIELAB, mean over rows, of the best fit
    conditions: list[str]  # plausible (light, fog, style, zoom)
    notes: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def judge_clip(frames: np.ndarray, expected: EvalPrompt, trust: str = "prompt") -> ClipVerdict:
    """Judge one clip against the prompt it was generated from (see the module
    docstring). trust='prompt' takes from expected.clip only what the prompt
    names; trust='clip' takes everything (for renders of expected.clip)."""
    if trust not in TRUSTS:
        raise ValueError(f"Unsupported trust {trust!r}. Must be one of: {', '.join(TRUSTS)}.")
    clip = expected.clip
    known = {"background", "camera", "light", "weather", "style", "motion"} if trust == "clip" \
        else set(expected.mentioned)
    scene = jf.analyse(frames)
    notes: list[str] = []

    # Condition and background.
    conds = _hypotheses(expected, known, scene)
    fits = _background_fits(scene, conds)  # (C, K)
    expected_key = ("plain", clip.background_colour) if clip.background == "plain" else (clip.background, None)
    k_expected = jr.BACKGROUND_KEYS.index(expected_key)
    best_c, best_k = np.unravel_index(np.argmin(fits), fits.shape)
    zoomed = np.array([c.zoom != "static" for c in conds])
    if zoomed.any() and (zoomed.all() or fits[zoomed].min() + ZOOM_MARGIN < fits[~zoomed].min()):
        scene.use_rows(per_frame=True)  # a zoom explains the rows: measure each frame against its own
    background = None
    if "background" in known:
        background = _background_verdict(scene, conds, fits, k_expected, notes)
    column = fits[:, k_expected] if background else fits.min(1)
    plausible = [conds[i] for i in np.argsort(column) if column[i] <= column.min() + BACKGROUND_SLACK]  # best first

    # Objects.
    objects = list(clip.objects)
    colours = [o.colour for o in objects]
    tracks = js.segment(scene, plausible, colours, clip.light if "light" in known else None)
    union = np.stack([js.stack(t, scene) for t in tracks])  # (N, T, S, S)
    others = [union[np.arange(len(objects)) != i].any(0) for i in range(len(objects))]
    verdicts = [_judge_object(scene, expected, known, plausible, o, tracks[i], others[i])
                for i, o in enumerate(objects)]
    verdicts = _best_matching(scene, expected, known, plausible, objects, tracks, others, verdicts)

    def combine(name: str) -> bool | None:
        values = [getattr(v, name) for v in verdicts]
        if any(v is False for v in values):
            return False
        return True if values and all(v is True for v in values) else None

    return ClipVerdict(
        prompt=expected.prompt, colour=combine("colour"), shape=combine("shape"), motion=combine("motion"),
        background=background, consistency=combine("consistency"), objects=verdicts,
        background_guess=jr.background_label(jr.BACKGROUND_KEYS[best_k]),
        background_distance=float(fits.min()), conditions=[_cond_label(c) for c in plausible], notes=notes)


def _cond_label(c: jr.Condition) -> str:
    return f"{c.light}/{'fog' if c.fog else 'clear'}/{c.style}/{c.zoom}"


def _hypotheses(expected: EvalPrompt, known: set[str], scene: jf.Scene) -> list[jr.Condition]:
    """Conditions consistent with what the prompt names and what the pixels
    plainly show (pixel blocks, a vignette, a changing row profile)."""
    exact = jr.Condition.of(expected.clip)
    lights = [exact.light] if "light" in known else list(jr.GAINS)
    fogs = [exact.fog] if "weather" in known else [False, True]
    if "style" in known:
        styles = [exact.style]
    elif scene.pixel_art:
        styles = ["pixel art"]
    elif scene.vignette >= 0.3:
        styles = ["vintage"]
    else:  # grain allows vintage (a dark vignette does not show); realistic backgrounds carry a texture
        styles = [s for s in STYLES if s != "pixel art" and (s != "vintage" or scene.grainy)
                  and (s != "realistic" or scene.noise >= 0.1)]
    zooms = [exact.zoom] if "camera" in known else list(jr.ZOOMS)
    return [jr.Condition(light, fog, style, zoom)
            for light, fog, style, zoom in itertools.product(lights, fogs, styles, zooms)]


def _background_verdict(scene: jf.Scene, conds: list[jr.Condition], fits: np.ndarray, k_expected: int,
                        notes: list[str]) -> bool | None:
    """True when the expected background fits the rows at least as well as
    any other, False when another fits better by BACKGROUND_SLACK, None in
    between. Only looks under which the expected background can be told
    from every other (its rows at least BACKGROUND_AMBIGUITY from theirs)
    count: under neon or sketch every background fits a black or paper
    clip alike. When such a hiding look explains the clip clearly best, the
    answer is None."""
    hides = np.zeros(len(conds), bool)
    for i, c in enumerate(conds):
        rows = jr.background_rows(c, scene.size, scene.frames)  # (K, T', S, 3)
        d = np.linalg.norm(rows - rows[k_expected], axis=-1).mean((1, 2))
        hides[i] = np.delete(d, k_expected).min() < BACKGROUND_AMBIGUITY
    if hides.all() or (hides.any() and fits[hides].min() + BACKGROUND_SLACK < fits[~hides].min()):
        best = conds[int(np.flatnonzero(hides)[fits[hides].min(1).argmin()])]
        notes.append(f"background hidden by the look ({_cond_label(best)})")
        return None
    own, other = fits[~hides, k_expected].min(), np.delete(fits[~hides], k_expected, axis=1).min()
    if own <= other:
        return True
    if own > other + BACKGROUND_SLACK:
        return False
    notes.append(f"background {own:.1f} from its best look, another {other:.1f}: too close to call")
    return None


def _background_fits(scene: jf.Scene, conds: list[jr.Condition]) -> np.ndarray:
    """(C, K): mean CIELAB distance between the clip's rows and each candidate
    background's rows under each condition: under a zoom, frame by frame;
    else the clip's median rows (robust to objects)."""
    still = scene.still_rows(scene.lab)[None]  # (1, S, 3)
    out = np.zeros((len(conds), len(jr.BACKGROUND_KEYS)))
    for i, c in enumerate(conds):
        refs = jr.background_rows(c, scene.size, scene.frames)  # (K, T', S, 3)
        observed = still if c.zoom == "static" else scene.rows
        out[i] = np.linalg.norm(refs - observed[None], axis=-1).mean((1, 2))
    return out


def _best_matching(scene, expected, known, plausible, objects, tracks, others, verdicts):
    """Objects of one colour look alike: give each the track of its colour
    that satisfies it best."""
    by_colour: dict[str, list[int]] = {}
    for i, o in enumerate(objects):
        by_colour.setdefault(o.colour, []).append(i)
    for members in by_colour.values():
        if len(members) < 2:
            continue
        best, best_score = None, -1
        for perm in itertools.permutations(members):
            trial = [_judge_object(scene, expected, known, plausible, objects[i], tracks[j], others[j])
                     for i, j in zip(members, perm)]
            score = sum(sum(getattr(v, a) is True for a in ATTRIBUTES if hasattr(v, a)) for v in trial)
            if score > best_score:
                best, best_score = trial, score
        for i, v in zip(members, best):
            verdicts[i] = v
    return verdicts


# ----------------------------------------------------------------------------
# One object


def _judge_object(scene: jf.Scene, expected: EvalPrompt, known: set[str], plausible: list[jr.Condition],
                  o: ObjectSpec, masks: list[np.ndarray | None], others: np.ndarray) -> ObjectVerdict:
    """One expected object against its per-frame masks; `others` (T, S, S)
    is every other object's pixels, to tell occlusion from flicker."""
    v = ObjectVerdict(expected={"shape": o.shape, "colour": o.colour, "motion": o.motion})
    S, T = scene.size, scene.frames
    if not any(m is not None for m in masks):
        v.colour = v.shape = v.consistency = False
        v.motion = False if "motion" in known else None
        v.notes.append("object not found")
        return v

    # Colour: per frame, each name's distance at its best plausible condition.
    named = [c for c in plausible if c.style != "sketch"]
    colour_scores: list[np.ndarray | None] = [None] * T
    if named:
        samples = [_sample(scene, f, m) if m is not None else None for f, m in enumerate(masks)]
        colour_scores = [_colour_scores(scene, f, m, x, named) if m is not None else None
                         for f, (m, x) in enumerate(zip(masks, samples))]
        mean = np.mean([c for c in colour_scores if c is not None], axis=0)
        v.colour_name = COLOUR_NAMES[int(mean.argmin())]
        v.colour = v.colour_name == o.colour
        v.colour_lab = [round(float(a), 1) for a in np.median([x[0] for x in samples if x is not None], axis=0)]
    else:
        v.notes.append("colour not drawn in sketch style")
    soft: list[np.ndarray | None] = [None] * T
    if scene.pixel_art and v.colour_name is not None:
        masks, soft = js.pixel_art_masks(scene, masks, named[0], v.colour_name)
    blobs = [jf.measure_blob(m, s) if m is not None else None for m, s in zip(masks, soft)]
    v.found_frames = sum(b is not None for b in blobs)

    # Shape: per frame, each shape's profile distance at its best style, size and rotation.
    styles = sorted({"flat" if c.style in ("realistic", "vintage") else c.style for c in plausible})
    templates = [jr.shape_templates(s, S) for s in styles]
    r_min = PIXEL_ART_MIN_RADIUS * jf.PIXEL_BLOCK if scene.pixel_art else MIN_RADIUS * S / 128
    shape_scores: list[np.ndarray | None] = [None] * T
    touching = [b is not None and others[f].any() and bool((ndimage.binary_dilation(masks[f], iterations=2)
                                                             & others[f]).any()) for f, b in enumerate(blobs)]
    for f, b in enumerate(blobs):
        if b is None or b.touches_edge or touching[f] or math.sqrt(b.area / math.pi) < r_min:
            continue  # touching another object: one of them is partly hidden
        shape_scores[f] = np.min([_shape_scores(b, *t) for t in templates], axis=0)
    judged = [d for d in shape_scores if d is not None]
    if judged:
        total = np.mean(judged, axis=0)
        v.shape_distance = {s: round(float(d), 3) for s, d in zip(SHAPES, total)}
        v.shape_guess = SHAPES[int(total.argmin())]
        v.shape = v.shape_guess == o.shape
        alike = [s for s, d in zip(SHAPES, total) if d <= total.min() + PIXEL_ART_ALIKE]
        if scene.pixel_art and o.shape in alike and len(alike) > 1:
            v.shape = None
            v.notes.append(f"pixelated, {' and '.join(alike)} look alike")
    else:
        v.notes.append("too small, cut by the frame edge or touching another object in every frame")

    # Motion.
    if "motion" in known:
        cameras = [expected.clip.camera] if "camera" in known else list(dict.fromkeys([expected.clip.camera,
                                                                                       "static"]))
        left_view = not _in_view(blobs, others).all()
        results = [(_motion(o.motion, blobs, touching, shape_scores, v.shape_guess, cam, S, T, left_view), cam)
                   for cam in cameras]
        passed = [r for r in results if r[0][0]]
        (ok, details), cam = (passed or results)[0]
        v.motion, v.camera = ok, cam
        for key, value in details.items():
            if key == "notes":
                v.notes.extend(value)
            else:
                setattr(v, key, value)

    # Consistency: each frame agrees with the clip in colour and in shape.
    in_view = _in_view(blobs, others)
    v.in_view_frames = int(in_view.sum())
    found = v.found_frames >= CONSISTENT_FRACTION * v.in_view_frames
    colour_ok = shape_ok = True
    if v.colour_name is not None:
        k = COLOUR_NAMES.index(v.colour_name)
        labs = [x[0] for x in samples if x is not None]
        drift = [float(np.linalg.norm(x - np.median(labs, axis=0))) for x in labs]
        scores = [c for c in colour_scores if c is not None]
        agree = [c[k] <= c.min() + COLOUR_MARGIN or d <= COLOUR_DRIFT for c, d in zip(scores, drift)]
        v.colour_drift = [round(d, 1) for d in drift]
        v.colour_frames_agree = round(float(np.mean(agree)), 3)
        colour_ok = v.colour_frames_agree >= CONSISTENT_FRACTION
    if v.shape_guess is not None:
        k = SHAPES.index(v.shape_guess)
        margin = PIXEL_ART_SHAPE_MARGIN if scene.pixel_art else SHAPE_MARGIN
        profiles = np.stack([blobs[f].profile for f in range(T) if shape_scores[f] is not None])
        pairwise = np.stack([jf.match_profiles(q, profiles)[0] for q in profiles])  # (n, n), rotation-free
        drift = pairwise[pairwise.sum(1).argmin()]  # from the medoid frame
        sizes = [math.sqrt(blobs[f].area / math.pi) * 128 / S for f in range(T) if shape_scores[f] is not None]
        agree = [d[k] <= d.min() + margin or r <= SHAPE_DRIFT + SHAPE_DRIFT_PX / z
                 for d, r, z in zip(judged, drift, sizes)]
        v.shape_drift = [round(float(r), 3) for r in drift]
        v.shape_frames_agree = round(float(np.mean(agree)), 3)
        shape_ok = v.shape_frames_agree >= CONSISTENT_FRACTION
    v.consistency = bool(found and colour_ok and shape_ok)
    return v


def _sample(scene: jf.Scene, f: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An object's colour in frame f: the median CIELAB and sRGB of its
    deepest foreground pixels (a neon outline's hollow middle is
    background), and the median sRGB background of their rows."""
    own = scene.raw()[f] & mask
    ys, xs = jf.deep_pixels(own if own.sum() >= 4 else mask)
    return (np.median(scene.lab[f, ys, xs], axis=0), np.median(scene.rgb[f, ys, xs], axis=0),
            np.median(scene.background_rgb[f, ys], axis=0))


def _colour_scores(scene: jf.Scene, f: int, mask: np.ndarray, sample: tuple[np.ndarray, np.ndarray, np.ndarray],
                   named: list[jr.Condition]) -> np.ndarray:
    """(12,) CIELAB distance of the object in frame f to each named colour,
    at the plausible look that fits it best: to the nearest mix of the
    background and the colour, plus COVER_WEIGHT per unit of background in
    the mix. A blur (or a small object) leaves even the deepest pixels part
    background, which mixes green on blue into cyan; a colour between the
    background and the true one (black for gray on white) explains the
    pixels only as a weaker mix. Pixel art averages blocks, so there every
    pixel of the object is compared and the median counts, with the
    penalty taken at the most covered blocks (90th percentile)."""
    if scene.pixel_art:
        ys, xs = np.nonzero(mask & scene.raw()[f])
        if len(ys) == 0:
            ys, xs = np.nonzero(mask)
        p, b, target = scene.rgb[f, ys, xs], scene.background_rgb[f, ys], scene.lab[f, ys, xs]
        looks = {jr.Condition(c.light, c.fog, "flat", "static") for c in named}
    else:
        target, p, b = (x[None] for x in sample)
        looks = set(named)
    out = []
    for c in looks:
        colours = jr.palette_rgb(c, scene.size)[None]  # (1, 12, 3)
        direction = colours - b[:, None, :]
        alpha = np.clip((direction * (p - b)[:, None, :]).sum(-1) / np.maximum((direction ** 2).sum(-1), 1e-6),
                        0.25, 1.0)  # (n, 12)
        model = b[:, None, :] + alpha[..., None] * direction  # (n, 12, 3)
        fit = np.median(np.linalg.norm(jf.to_lab(model) - target[:, None, :], axis=-1), axis=0)  # (12,)
        out.append(fit + COVER_WEIGHT * (1 - np.percentile(alpha, 90, axis=0)))
    return np.min(out, axis=0)


def _shape_scores(blob: jf.Blob, profiles: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(5,) profile distance to each shape's nearest-size templates, at the
    best template variant and rotation."""
    with np.errstate(divide="ignore"):  # a template too small to draw has radius 0: never nearest
        nearest = np.abs(np.log(radii / blob.radius)).argmin(0)  # (shapes,) scale index per shape
    chosen = profiles[nearest, np.arange(len(SHAPES))]  # (shapes, variants, bins)
    d, _ = jf.match_profiles(blob.profile, chosen.reshape(-1, chosen.shape[-1]))
    return d.reshape(chosen.shape[:2]).min(1)


def _in_view(blobs: list[jf.Blob | None], others: np.ndarray) -> np.ndarray:
    """Frames in which the object should be visible: all but runs of missing
    frames next to a frame where it touches the edge (it left or entered the
    frame), and missing frames where another object covers where it was
    last or next seen (occlusion; others is (T, S, S))."""
    T = len(blobs)
    view = np.ones(T, bool)
    f = 0
    while f < T:
        if blobs[f] is not None:
            f += 1
            continue
        end = f
        while end < T and blobs[end] is None:
            end += 1
        near = [b for b in (blobs[f - 1] if f > 0 else None, blobs[end] if end < T else None) if b is not None]
        if any(b.touches_edge for b in near):
            view[f:end] = False
        for g in range(f, end):
            ys, xs = np.nonzero(others[g])
            if len(ys) and any(np.hypot(ys - b.cy, xs - b.cx).min() <= b.radius + 2 for b in near):
                view[g] = False
        f = end
    return view


def _motion(motion: str, blobs: list[jf.Blob | None], touching: list[bool], dists: list, shape: str | None,
            camera: str, S: int, T: int, left_view: bool) -> tuple[bool | None, dict]:
    """Whether the track shows `motion` under `camera`, and what was
    measured. None when it cannot be seen: the object was out of view
    (left_view) for most of the clip, or it spins too small to see turn."""
    shift, zoom = camera_transform(camera, T)
    xy = np.full((T, 2), np.nan)
    area = np.full(T, np.nan)
    for f, b in enumerate(blobs):
        if b is not None:
            sx, sy = (b.cx + 0.5) / S, (b.cy + 0.5) / S
            xy[f] = [0.5 + (sx - 0.5 - shift[f]) / zoom[f], 0.5 + (sy - 0.5) / zoom[f]]
            area[f] = b.area / (S * zoom[f]) ** 2
    clear = [area[f] for f, b in enumerate(blobs) if b is not None and not b.touches_edge and not touching[f]]
    typical = float(np.median(clear)) if clear else 0.0
    for f, b in enumerate(blobs):
        if b is not None and (b.touches_edge or touching[f]) and area[f] < 0.8 * typical:
            xy[f], area[f] = np.nan, np.nan  # cut by the frame edge or partly hidden by another object
    valid = np.nonzero(~np.isnan(xy[:, 0]))[0]
    details: dict = {"track": [None if np.isnan(p[0]) else [round(float(p[0]), 3), round(float(p[1]), 3)]
                               for p in xy]}
    if len(valid) < 3 or valid[-1] - valid[0] < (T - 1) / 2:
        if left_view or any(touching):
            details["notes"] = ["out of view or hidden for most of the clip"]
            return None, details
        details["notes"] = ["tracked over too little of the clip to judge motion"]
        return False, details
    p = xy[valid]
    d = p[-1] - p[0]
    excursion = float(np.linalg.norm(p - p[0], axis=1).max())
    head, tail = area[valid[:2]].mean(), area[valid[-2:]].mean()
    ratio = float(tail / head)
    rotation = _rotation(dists, blobs, shape, T)
    sweep, length = _sweep(p)
    details.update(displacement=[round(float(d[0]), 3), round(float(d[1]), 3)],
                   max_excursion=round(excursion, 3), area_ratio=round(ratio, 3),
                   rotation_deg=None if rotation is None else round(math.degrees(rotation), 1),
                   turning_deg=round(math.degrees(sweep), 1))
    ok: bool | None
    if motion == "still":
        ok = excursion < 0.05 and 0.7 <= ratio <= 1.4
    elif motion in LINEAR_MOTIONS:
        axis, sign = {"left": (0, -1), "right": (0, 1), "up": (1, -1), "down": (1, 1)}[motion]
        along, across = sign * d[axis], abs(d[1 - axis])
        ok = along > 0.15 and along > 2 * across
    elif motion == "bounce":
        y = p[:, 1]
        low = int(np.argmax(y[1:-1])) + 1 if len(y) > 2 else 0
        ok = 0 < low < len(y) - 1 and y[low] - y[0] > 0.1 and y[low] - y[low + 1:].min() > 0.03
    elif motion == "spin":
        if shape is None:
            ok = None
            details["notes"] = ["too small to see it turn"]
        else:
            ok = excursion < 0.05 and rotation is not None and abs(rotation) > math.radians(90)
    elif motion == "grow":
        ok = ratio > 1.4
    elif motion == "shrink":
        ok = ratio < 0.7
    elif motion == "orbit":
        ok = sweep > math.pi and length > 0.2
    else:
        raise ValueError(f"Unsupported motion {motion!r}.")
    return ok if ok is None else bool(ok), details


def _sweep(p: np.ndarray) -> tuple[float, float]:
    """The angle (radians) the path (n, 2) sweeps around the centre of the
    circle fitted to it (0 for a straight path), and its length."""
    length = float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum())
    a = np.column_stack([p, np.ones(len(p))])
    try:
        (dd, ee, ff), *_ = np.linalg.lstsq(a, -(p ** 2).sum(1), rcond=None)  # x^2 + y^2 + D x + E y + F = 0
    except np.linalg.LinAlgError:
        return 0.0, length
    centre = np.array([-dd / 2, -ee / 2])
    radius = math.sqrt(max(float(centre @ centre - ff), 0.0))
    if not 0.03 < radius < 1.0:
        return 0.0, length
    angles = np.unwrap(np.arctan2(p[:, 1] - centre[1], p[:, 0] - centre[0]))
    return float(abs(angles[-1] - angles[0])), length


def _rotation(dists: list[np.ndarray | None], blobs: list[jf.Blob | None], shape: str | None,
              T: int) -> float | None:
    """Signed rotation over the clip: the mean step between consecutive
    judged frames (each the smallest modulo the guessed shape's symmetry)
    times the clip's T - 1 steps; None for a circle or when no two
    consecutive frames were judged."""
    if shape is None or SYMMETRY[shape] == 0:
        return None
    period = jf.ANGLE_BINS // SYMMETRY[shape]
    steps = [jf.rotation_between(blobs[f].profile, blobs[f + 1].profile, period)
             for f in range(len(blobs) - 1) if dists[f] is not None and dists[f + 1] is not None]
    return float(np.mean(steps)) * (T - 1) if steps else None
