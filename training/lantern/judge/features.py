"""What the judge measures in a clip's pixels (verdict.py decides from it).

Everything here is image processing with numpy and scipy.ndimage, no model:
- `Scene`: the frames in CIELAB after undoing a vignette, the background
  (one colour per row: every Shapes World background is a function of y
  alone apart from stars, textures and weather; per frame under a zoom) and
  each pixel's CIELAB distance from it.
- `foreground`: pixels far from the background, with holes filled (neon and
  sketch draw outlines only) and thin things removed (rain, stars, snow).
- `radial_profile`: the outermost boundary distance from the centroid per
  angle, sampled along rays with sub-pixel steps; its shape up to rotation
  is what the shape judge compares with rendered templates.
- `deep_pixels`: an object's deepest pixels, which skip anti-aliased edges
  and cartoon outlines and land on a neon line's middle.

Lengths in pixels are for S = 128 and scale with S.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage


ANGLE_BINS = 96
PIXEL_BLOCK = 8  # pixel art: each low-resolution pixel is an 8 x 8 block
VIGNETTE_STRENGTHS = (0.0, 0.15, 0.3, 0.45, 0.6)  # 1 - k r^2, r = 1 at the corners
FRAME_STRUCTURE = np.zeros((3, 3, 3), bool)
FRAME_STRUCTURE[1] = True  # 8-connectivity within a frame, nothing across frames
OPEN_STRUCTURE = np.ones((1, 3, 3), bool)  # a 3x3 square per frame


_XYZ = (np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        / np.array([0.95047, 1.0, 1.08883])[:, None]).T.astype(np.float32)


_LUT_SIZE = 4096
_LINEAR = np.where(np.linspace(0, 1, _LUT_SIZE) > 0.04045, ((np.linspace(0, 1, _LUT_SIZE) + 0.055) / 1.055) ** 2.4,
                   np.linspace(0, 1, _LUT_SIZE) / 12.92).astype(np.float32)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """spec.srgb_to_lab in float32, the sRGB curve from a 4096-entry table
    (several times faster; within 0.1 CIELAB)."""
    c = np.clip(np.asarray(rgb, dtype=np.float32), 0.0, 1.0)
    c = _LINEAR[(c * (_LUT_SIZE - 1) + 0.5).astype(np.int32)]
    xyz = c @ _XYZ
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def to_thwc(frames: np.ndarray) -> np.ndarray:
    """(T, 3, S, S) or (T, S, S, 3) floats in [0, 1] -> (T, S, S, 3) float32."""
    x = np.asarray(frames, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"Unsupported frames shape {x.shape}. Must be (T, 3, S, S) or (T, S, S, 3).")
    if x.shape[1] == 3 and x.shape[-1] != 3:
        x = x.transpose(0, 2, 3, 1)
    if x.shape[-1] != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"Unsupported frames shape {frames.shape}. Must be (T, 3, S, S) or (T, S, S, 3), square.")
    return np.clip(x, 0.0, 1.0)


def vignette_field(size: int, strength: float) -> np.ndarray:
    """(S, S) brightness factor 1 - k r^2 with r^2 = 1 at the corners."""
    u = (np.arange(size, dtype=np.float32) + 0.5) / size - 0.5
    return 1.0 - strength * (u[None, :] ** 2 + u[:, None] ** 2) / 0.5


def blockiness(rgb: np.ndarray) -> float:
    """How much of the horizontal change happens across the borders of
    PIXEL_BLOCK-wide blocks (1/8 for a smooth image, 1 for pixel art, which
    renders at S/8 and upscales)."""
    S = rgb.shape[1]
    block = PIXEL_BLOCK
    d = np.abs(np.diff(rgb, axis=2)).sum(-1)  # (T, S, S-1)
    across = (np.arange(S - 1) % block) == block - 1
    total = d.sum()
    return float(d[:, :, across].sum() / total) if total > 1e-6 else 0.0


@dataclass
class Scene:
    rgb: np.ndarray  # (T, S, S, 3) sRGB, vignette undone, smoothed when grainy
    lab: np.ndarray  # (T, S, S, 3) CIELAB of rgb
    rows: np.ndarray  # (T, S, 3) CIELAB median of each row in each frame
    rows_rgb: np.ndarray  # (T, S, 3) the same in sRGB
    vignette: float  # the strength undone
    pixel_art: bool
    grainy: bool
    # Set by use_rows: the background the foreground is measured against.
    zooming: bool = False  # True: each frame's own rows (a zoom); False: the clip's (robust to objects)
    background: np.ndarray = field(init=False)  # (T, S, 3) CIELAB
    background_rgb: np.ndarray = field(init=False)  # (T, S, 3) sRGB
    distance: np.ndarray = field(init=False)  # (T, S, S) CIELAB distance from the row's background
    threshold: float = field(init=False)  # foreground threshold on `distance`
    noise: float = field(init=False)  # median of `distance`
    _raw: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.lab.shape[1]

    @property
    def frames(self) -> int:
        return self.lab.shape[0]

    def use_rows(self, per_frame: bool) -> None:
        """Measure the foreground against each frame's rows (a zooming
        camera changes them) or against the whole clip's median rows, which
        objects covering half a row for a while do not disturb."""
        self.zooming = per_frame
        if per_frame:
            self.background, self.background_rgb = self.rows, self.rows_rgb
        else:
            self.background = np.broadcast_to(self.still_rows(self.lab), self.rows.shape).copy()
            self.background_rgb = np.broadcast_to(self.still_rows(self.rgb), self.rows.shape).copy()
        self.distance = np.linalg.norm(self.lab - self.background[:, :, None, :], axis=-1)
        # Texture and grain, as a median would measure them (1.7x the 20th percentile of a 3-D
        # Gaussian's norm), from the quietest fifth of the pixels: objects may cover most of the frame.
        self.noise = 1.7 * float(np.percentile(self.distance, 20))
        self.threshold = max(4.0, 2.0 + 5.0 * self.noise)
        self._raw = None

    def still_rows(self, image: np.ndarray) -> np.ndarray:
        """(S, 3): each row's median over all frames and the outer fifth of
        the columns, where objects seldom are (a grown object can cover most
        of the frame's middle)."""
        S = image.shape[2]
        band = max(2, S // 10)
        return np.median(np.concatenate([image[:, :, :band], image[:, :, -band:]], axis=2), axis=(0, 2))

    def raw(self) -> np.ndarray:
        """(T, S, S) bool: pixels far from their row's background."""
        if self._raw is None:
            self._raw = self.distance > self.threshold
        return self._raw


def analyse(frames: np.ndarray) -> Scene:
    """Undo a vignette, smooth film grain, measure rows; the foreground is
    measured against the clip's median rows until `Scene.use_rows` says
    otherwise (verdict.py does, when a zoom fits the rows best)."""
    rgb = to_thwc(frames)
    T, S = rgb.shape[:2]
    vignette = vignette_strength(rgb)
    if vignette > 0:
        rgb = np.clip(rgb / vignette_field(S, vignette)[None, :, :, None], 0.0, 1.0)
    probe = rgb[:: max(1, T // 3)]
    pixel_art = blockiness(rgb) > 0.6
    grain = float(np.median(np.abs(np.diff(probe, axis=2)).sum(-1)))  # pixel to pixel: film grain, not smooth texture
    grainy = grain > 0.04 and not pixel_art
    if grainy:  # film grain: smooth it away before thresholding
        rgb = ndimage.gaussian_filter(rgb, sigma=(0, 0.8 * S / 128, 0.8 * S / 128, 0))
    lab = to_lab(rgb)
    scene = Scene(rgb=rgb, lab=lab, rows=np.median(lab, axis=2), rows_rgb=np.median(rgb, axis=2),
                  vignette=vignette, pixel_art=pixel_art, grainy=grainy)
    scene.use_rows(per_frame=False)
    return scene


def vignette_strength(rgb: np.ndarray) -> float:
    """The strength whose correction leaves rows most constant."""
    T, S = rgb.shape[:2]
    probe = rgb[[0, T - 1]] if T > 1 else rgb
    best, vignette = None, 0.0
    for k in VIGNETTE_STRENGTHS:
        corrected = probe / vignette_field(S, k)[None, :, :, None]
        resid = np.abs(corrected - np.median(corrected, axis=2, keepdims=True)).mean()
        if best is None or resid < best - 1e-4:
            best, vignette = resid, k
    return vignette


def foreground(scene: Scene, min_area: float | None = None) -> np.ndarray:
    """(T, S, S) bool: objects, filled, without rain, snow, stars or specks."""
    return clean(scene.raw(), min_piece(scene) if min_area is None else min_area)


def clean(raw: np.ndarray, min_area: float) -> np.ndarray:
    """Fill holes (outlines become shapes), cut 1 px wide vertical lines
    (rain, also where a streak touches an object), and keep the pieces big
    enough to hold a 3 x 3 square and min_area pixels. Pieces are kept whole,
    so thin star tips survive."""
    filled = np.stack([ndimage.binary_fill_holes(f) for f in raw])
    side = np.zeros_like(filled)
    side[:, :, 1:] |= filled[:, :, :-1]
    side[:, :, :-1] |= filled[:, :, 1:]
    filled &= side
    return keep_solid(filled, min_area)


def min_piece(scene: Scene) -> float:
    """Fewest pixels an object piece has: most of a block in pixel art, else
    12 px at S = 128."""
    return (0.9 * PIXEL_BLOCK ** 2) if scene.pixel_art else 12.0 * (scene.size / 128) ** 2


def keep_solid(mask: np.ndarray, min_area: float) -> np.ndarray:
    """(T, S, S): the pieces of each frame that hold a 3 x 3 square and
    at least min_area pixels, whole."""
    cores = ndimage.binary_erosion(mask, structure=OPEN_STRUCTURE)
    labels, n = ndimage.label(mask, structure=FRAME_STRUCTURE)
    if n == 0:
        return mask
    keep = np.zeros(n + 1, bool)
    keep[np.unique(labels[cores])] = True
    keep &= np.bincount(labels.ravel(), minlength=n + 1) >= min_area
    keep[0] = False
    return keep[labels]


def coverage(rgb2d: np.ndarray, rows2d: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(S, S): how much of each pixel a flat `colour` covers, reading the
    pixel as a mix of its row's background (rows2d, (S, 3) sRGB) and the
    colour, as pixel art's block averaging makes it."""
    b = rows2d[:, None, :]
    direction = colour[None, None, :] - b
    return ((rgb2d - b) * direction).sum(-1) / np.maximum((direction ** 2).sum(-1), 1e-6)


def block_coverage(alpha: np.ndarray) -> np.ndarray:
    """Pixel art: the blocks' coverage (constant over each block) bilinearly
    interpolated between block centres, so its 0.5 contour traces the shape
    the blocks average instead of their staircase. (S, S)."""
    S = alpha.shape[0]
    n = S // PIXEL_BLOCK
    centres = alpha[PIXEL_BLOCK // 2::PIXEL_BLOCK, PIXEL_BLOCK // 2::PIXEL_BLOCK][:n, :n]
    grid = (np.arange(S) + 0.5) / PIXEL_BLOCK - 0.5  # pixel centres in block-centre units
    gy, gx = np.meshgrid(grid, grid, indexing="ij")
    return ndimage.map_coordinates(centres, [gy, gx], order=1, mode="nearest")


def components(mask2d: np.ndarray) -> list[np.ndarray]:
    """Connected components of one frame, largest first."""
    labels, n = ndimage.label(mask2d, structure=np.ones((3, 3), bool))
    if n == 0:
        return []
    areas = np.bincount(labels.ravel())[1:]
    return [labels == (i + 1) for i in np.argsort(-areas)]


def deep_pixels(mask2d: np.ndarray, depth: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(ys, xs) of the mask's pixels more than `depth` px (scaled) inside its
    edge, or of the deepest ones when none is that deep: an object's own
    colour, past its anti-aliased edge and a cartoon's outline (and on a neon
    line's middle)."""
    ys, xs = np.nonzero(mask2d)
    if len(ys) == 0:
        return ys, xs
    S = mask2d.shape[0]
    y0, x0 = max(ys.min() - 1, 0), max(xs.min() - 1, 0)
    inner = ndimage.distance_transform_edt(mask2d[y0:ys.max() + 2, x0:xs.max() + 2])
    py, px = np.nonzero(inner >= min(1.0 + depth * S / 128, inner.max()))
    return py + y0, px + x0


# ----------------------------------------------------------------------------
# Shape: radial profiles


@dataclass(frozen=True)
class Blob:
    """One object's mask in one frame, measured."""
    area: float  # pixels
    cx: float  # centroid, pixels
    cy: float
    profile: np.ndarray  # (ANGLE_BINS,) boundary distance / its mean; angle counter-clockwise from +x
    radius: float  # mean boundary distance, pixels
    touches_edge: bool


def measure_blob(mask2d: np.ndarray, soft: np.ndarray | None = None) -> Blob | None:
    """Area, centroid and radial profile of a mask; the profile is traced on
    `soft` (an (S, S) inside-ness, 0.5 on the edge) when given."""
    ys, xs = np.nonzero(mask2d)
    if len(xs) < 3:
        return None
    S = mask2d.shape[0]
    cy, cx = ys.mean(), xs.mean()
    profile, radius = radial_profile(mask2d if soft is None else soft, cx, cy)
    edge = bool(xs.min() == 0 or ys.min() == 0 or xs.max() == S - 1 or ys.max() == S - 1)
    return Blob(area=float(len(xs)), cx=float(cx), cy=float(cy), profile=profile, radius=radius,
                touches_edge=edge)


def radial_profile(mask2d: np.ndarray, cx: float, cy: float) -> tuple[np.ndarray, float]:
    """Outermost distance from (cx, cy) at which each ray leaves the mask
    (bilinear, so sub-pixel), normalised by its mean: (ANGLE_BINS,), mean."""
    ys, xs = np.nonzero(mask2d >= 0.5)
    reach = float(np.sqrt(((xs - cx) ** 2 + (ys - cy) ** 2).max())) + 2.0 + PIXEL_BLOCK
    y0, y1 = max(int(cy - reach) - 1, 0), min(int(cy + reach) + 2, mask2d.shape[0])
    x0, x1 = max(int(cx - reach) - 1, 0), min(int(cx + reach) + 2, mask2d.shape[1])
    crop = mask2d[y0:y1, x0:x1].astype(np.float32)
    theta = np.arange(ANGLE_BINS) * (2 * np.pi / ANGLE_BINS)
    radii = np.arange(0.0, reach, 0.25, dtype=np.float32)
    # Screen y points down, so counter-clockwise on screen is -sin.
    py = (cy - y0) - np.sin(theta)[:, None] * radii[None, :]
    px = (cx - x0) + np.cos(theta)[:, None] * radii[None, :]
    vals = ndimage.map_coordinates(crop, [py, px], order=1, mode="constant", cval=0.0)  # (bins, R)
    inside = vals >= 0.5
    last = inside.shape[1] - 1 - np.argmax(inside[:, ::-1], axis=1)
    r = np.where(inside.any(1), radii[last] + 0.125, 0.125)
    mean = float(r.mean())
    return (r / mean).astype(np.float32), mean


def match_profiles(profile: np.ndarray, templates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMS distance of `profile` (B,) to each template (K, B) at its best
    rotation, and that rotation in bins (template rolled by it matches)."""
    f = np.fft.rfft(profile)
    g = np.fft.rfft(templates, axis=1)
    corr = np.fft.irfft(f[None, :] * np.conj(g), n=profile.shape[0], axis=1)  # (K, B)
    shift = corr.argmax(1)
    sq = (profile ** 2).sum() + (templates ** 2).sum(1) - 2 * corr.max(1)
    return np.sqrt(np.maximum(sq, 0.0) / profile.shape[0]), shift


def rotation_between(a: np.ndarray, b: np.ndarray, period_bins: int) -> float:
    """Signed rotation (radians, counter-clockwise) taking profile a to
    profile b, the smallest one modulo the shape's symmetry period."""
    f, g = np.fft.rfft(a), np.fft.rfft(b)
    corr = np.fft.irfft(g * np.conj(f), n=a.shape[0])  # corr[s] = sum b[i] a[i - s]
    half = period_bins // 2
    lags = np.arange(-half, half + 1)
    values = corr[lags % a.shape[0]]
    k = int(values.argmax())
    # Parabolic refinement of the peak.
    offset = 0.0
    if 0 < k < len(values) - 1:
        l, c, r = values[k - 1], values[k], values[k + 1]
        denom = l - 2 * c + r
        offset = 0.5 * (l - r) / denom if abs(denom) > 1e-9 else 0.0
    return float((lags[k] + offset) * 2 * np.pi / a.shape[0])
