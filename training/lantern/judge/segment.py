"""How the judge finds the expected objects in a clip (verdict.py): drop
shadows and, in pixel art, weather and star blocks are set aside; what is
left is cleaned (features.clean) and shared among the expected
objects by colour; objects of one colour take that colour's largest
pieces, linked from frame to frame. Pixel art's silhouettes are then
redrawn from how much of each block the object covers."""
from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.optimize import linear_sum_assignment

from . import features as jf
from . import reference as jr
from ..world.effects import FOG
from ..world.spec import COLOUR_NAMES, FLOOR_Y, camera_transform



def references(plausible: list[jr.Condition], size: int, colours: list[str]) -> np.ndarray:
    """(G, C, 3) CIELAB of each distinct expected colour under each plausible
    condition."""
    groups = list(dict.fromkeys(colours))
    pal = np.stack([jr.palette(c, size) for c in plausible])  # (C, 12, 3)
    return pal[:, [COLOUR_NAMES.index(g) for g in groups]].transpose(1, 0, 2)


def clutter(scene: jf.Scene, raw: np.ndarray, d_obj: np.ndarray, plausible: list[jr.Condition],
             light_named: str | None) -> np.ndarray:
    """Raw pixels better explained as a background darkened by a drop shadow
    (on the floor band) or, in pixel art, lightened by rain, snow or stars
    (blocks there; elsewhere they are too thin or small to survive
    jf.clean) than by any expected colour (d_obj). A shadow is at most
    half dark (the renderer's opacity is 0.45), so dark objects are not
    taken for one. Shadows are looked for only where the realistic style
    (or soft or hard light) is plausible."""
    fog = np.asarray(FOG, np.float32)
    fogs = {c.fog for c in plausible}
    shadow = [np.zeros(3, np.float32)] + ([0.4 * fog] if True in fogs else [])
    light = [np.full(3, 0.96 * g, np.float32) for g in (0.55, 1.0, 1.2)] + [np.array([0.81, 0.85, 0.86], np.float32)]
    particles = light + ([0.6 * k + 0.4 * fog for k in light] if True in fogs else [])
    S, T = scene.size, scene.frames
    zooms = [z for c in plausible for z in camera_transform(c.zoom, T)[1]]
    floor = [(0.5 + z * (FLOOR_Y + 0.01 - 0.5)) * S for z in (min(zooms), max(zooms))]
    rows = np.arange(S)
    band = (rows >= floor[0] - 20 * S / 128) & (rows <= floor[1] + 20 * S / 128)  # (S,)
    out = np.zeros(d_obj.shape[0], bool)
    t, y, x = np.nonzero(raw)
    shadows = any(c.style == "realistic" for c in plausible) or light_named in ("soft", "hard")
    for targets, where, most in ((shadow, band[y] & shadows, 0.5), (particles, np.full(len(y), scene.pixel_art), 1.0)):
        if not where.any():
            continue
        idx = np.nonzero(where)[0]
        p = scene.rgb[t[idx], y[idx], x[idx]]  # (n, 3)
        b = scene.background_rgb[t[idx], y[idx]]  # (n, 3)
        best = np.full(len(idx), np.inf, np.float32)
        for k in targets:
            direction = k[None] - b
            alpha = np.clip((direction * (p - b)).sum(-1) / np.maximum((direction ** 2).sum(-1), 1e-6), 0, most)
            model = b + alpha[:, None] * direction
            best = np.minimum(best, np.linalg.norm(jf.to_lab(model) - scene.lab[t[idx], y[idx], x[idx]], axis=-1))
        explained = (best < 8.0) & (best + 6.0 < d_obj[idx].min(1))
        out[idx] |= explained
    return out


def mix_distance(p: np.ndarray, b: np.ndarray, lab: np.ndarray, plausible: list[jr.Condition], name: str,
                  size: int) -> np.ndarray:
    """(n,) CIELAB distance of pixels (sRGB p, CIELAB lab) to the nearest mix
    of their background b and the named colour (at least 25% colour), over
    the plausible lights and fogs: what pixel art's block averaging makes."""
    out = np.full(len(p), np.inf, np.float32)
    for c in {jr.Condition(c.light, c.fog, "flat", "static") for c in plausible}:
        colour = jr.palette_rgb(c, size)[COLOUR_NAMES.index(name)][None]
        direction = colour - b
        alpha = np.clip((direction * (p - b)).sum(-1) / np.maximum((direction ** 2).sum(-1), 1e-6), 0.25, 1.0)
        out = np.minimum(out, np.linalg.norm(jf.to_lab(b + alpha[:, None] * direction) - lab, axis=-1))
    return out


def segment(scene: jf.Scene, plausible: list[jr.Condition], colours: list[str],
             light_named: str | None = None) -> list[list[np.ndarray | None]]:
    """Per expected object, per frame: its (S, S) mask or None."""
    refs = references(plausible, scene.size, colours)  # (G, C, 3)
    groups = list(dict.fromkeys(colours))
    raw = scene.raw()
    t, y, x = np.nonzero(raw)
    pix = scene.lab[t, y, x]  # (n, 3)
    if scene.pixel_art:  # blocks mix object and background: distance to the nearest mix
        d_obj = np.stack([mix_distance(scene.rgb[t, y, x], scene.background_rgb[t, y], pix, plausible, g, scene.size)
                          for g in groups], 1)  # (n, G)
    else:
        d_obj = np.linalg.norm(pix[:, None, None, :] - refs[None], axis=-1).min(2)  # (n, G)
    keep = ~clutter(scene, raw, d_obj, plausible, light_named)
    raw_obj = np.zeros_like(raw)
    raw_obj[t[keep], y[keep], x[keep]] = True
    fg = jf.clean(raw_obj, jf.min_piece(scene))
    # Each raw pixel's nearest expected colour; G x (T, S, S) masks.
    cls = np.full(raw.shape, -1, np.int8)
    confident = d_obj.min(1) < 25.0
    cls[t[confident], y[confident], x[confident]] = d_obj[confident].argmin(1)
    group_masks = np.zeros((len(groups),) + raw.shape, bool)
    for f in range(scene.frames):
        if not fg[f].any():
            continue
        if len(groups) == 1:
            group_masks[0, f] = fg[f]
            continue
        labels, n = ndimage.label(fg[f], structure=np.ones((3, 3), bool))
        frame_cls = cls[f]
        # Unlabelled pixels inside the foreground take the nearest labelled pixel's colour.
        known = frame_cls >= 0
        if known.any():
            _, (iy, ix) = ndimage.distance_transform_edt(~known, return_indices=True)
            filled_cls = frame_cls[iy, ix]
        else:
            filled_cls = np.zeros_like(frame_cls)
        for lab_id in range(1, n + 1):
            comp = labels == lab_id
            votes = np.bincount(frame_cls[comp & known], minlength=len(groups))
            runner_up = np.sort(votes)[-2]
            if runner_up < max(jf.min_piece(scene), 0.05 * votes.sum()):  # one object (and its outline)
                group_masks[votes.argmax(), f] |= comp
            else:
                for g in range(len(groups)):
                    group_masks[g, f] |= comp & (filled_cls == g)
    out: list[list[np.ndarray | None]] = [[] for _ in colours]
    for g, name in enumerate(groups):
        members = [i for i, c in enumerate(colours) if c == name]
        cleaned = jf.keep_solid(group_masks[g], jf.min_piece(scene))
        for i, masks in zip(members, link(cleaned, len(members))):
            out[i] = masks
    return out


def link(masks: np.ndarray, m: int) -> list[list[np.ndarray | None]]:
    """The m largest pieces of each frame, linked into m tracks by nearest
    centroid."""
    tracks: list[list[np.ndarray | None]] = [[] for _ in range(m)]
    last: list[np.ndarray | None] = [None] * m
    for f in range(masks.shape[0]):
        pieces = jf.components(masks[f])[:m]
        slots: list[np.ndarray | None] = [None] * m
        if m == 1:
            slots[0] = pieces[0] if pieces else None
        elif pieces:
            centres = [np.array(ndimage.center_of_mass(p)) for p in pieces]
            cost = np.array([[0.0 if last[i] is None else float(np.linalg.norm(c - last[i])) for c in centres]
                             for i in range(m)])
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols):
                slots[r] = pieces[c]
                last[r] = centres[c]
        for i in range(m):
            tracks[i].append(slots[i])
    return tracks


def stack(masks: list[np.ndarray | None], scene: jf.Scene) -> np.ndarray:
    out = np.zeros((scene.frames, scene.size, scene.size), bool)
    for f, m in enumerate(masks):
        if m is not None:
            out[f] = m
    return out



def pixel_art_masks(scene: jf.Scene, masks: list[np.ndarray | None], cond: jr.Condition,
                     name: str) -> tuple[list[np.ndarray | None], list[np.ndarray | None]]:
    """Pixel art: the object's blocks hold how much of each block it covers
    (read against its named colour); the mask and the soft map whose 0.5
    contour is the shape are made from that coverage (jf.block_coverage),
    so that silhouettes compare with the templates whatever the contrast."""
    colour = jr.palette_rgb(jr.Condition(cond.light, cond.fog, "flat", "static"), scene.size)[COLOUR_NAMES.index(name)]
    out: list[np.ndarray | None] = []
    soft: list[np.ndarray | None] = []
    for f, m in enumerate(masks):
        if m is None:
            out.append(None), soft.append(None)
            continue
        near = ndimage.binary_dilation(m, iterations=jf.PIXEL_BLOCK)
        alpha = np.clip(jf.coverage(scene.rgb[f], scene.background_rgb[f], colour), 0, 1)
        b = scene.background_rgb[f][:, None, :]
        mix = jf.to_lab(b + alpha[..., None] * (colour - b))
        near &= np.linalg.norm(mix - scene.lab[f], axis=-1) < 12.0  # a mix of this colour, not snow or rain
        alpha = np.where(near, alpha, 0.0)
        smooth = jf.block_coverage(alpha)
        pieces = jf.components(smooth >= 0.5)
        out.append(pieces[0] if pieces else None)
        soft.append(smooth)
    return out, soft
