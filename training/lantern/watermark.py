"""Lantern's invisible watermark: the reference implementation (issue 14).

    embed(frames (T, H, W, 3) uint8, payload: 32-bit int) -> marked frames
    detect(frames (T, H, W, 3) uint8) -> {found, payload, score, bits, period}
    lantern_payload(model_id: str) -> the 32-bit payload Lantern marks with

Measured in bench/watermark_bench.py (table and command in bench/watermark.md).

Design: spread spectrum on one periodic luma tile, the same in every frame.
- A square TILE of N x N = 256 cells repeats over the frame with period
  P = TILE_FRACTION * min(H, W) px (64 px at 128 x 128: 4 px cells). The
  period follows the frame size, so a clip keeps its cells per frame at any
  resolution it is made or shown at. Periodicity makes crops harmless: a crop
  only shifts the tile cyclically, and the detector tries every cyclic shift
  at once with one FFT correlation per candidate scale.
- The 256 cell values are a Walsh-Hadamard transform of a sparse coefficient
  vector, scrambled by a keyed permutation and a keyed +-1 sign, so the 256
  possible patterns ("rows") are exactly orthogonal and look like white noise.
  Row 0 is the SYNC (presence, scale, shift). The payload uses 7 groups of 32
  rows; each group sends one 6-bit symbol: which of its rows, and the sign
  (biorthogonal signalling needs much less energy per bit than one +-1 pattern
  per bit). 7 x 6 = 42 bits = the 32-bit payload + a CRC-10 that rejects
  wrong decodings.
- Pixels interpolate the cells bilinearly (a smooth pattern whose energy sits
  at the low and middle frequencies that survive downscaling and H.264). The
  change goes into R, G, B in proportion to their luma weights (for a given
  MSE that moves luma 16% more than equal R = G = B changes; chroma, which
  codecs subsample, barely moves). Its strength is set so that the MSE against
  the unmarked frames is AMPLITUDE^2, PSNR_TARGET dB, clipping at 0 and 255
  included: a few passes rescale it from the exact integer error.
  (A texture-adaptive strength was measured too; it lost robustness, because
  H.264 at CRF 28 keeps the mark in flat areas better than in busy ones.)
- The detector averages the frames' luma (the mark is static, content and
  codec noise are not), high-passes it (minus a Gaussian blur of about one
  cell) and weights each pixel by 1 / (local residual energy + NOISE^2), so
  flat areas, where the mark is clean, count more than edges. For each
  candidate period (the unknown scale and crop) it folds the weighted residual
  into one tile and correlates it cyclically with the sync; at the best peaks
  it reads the 256 cells out (tent-weighted matched filter, then the inverse
  of the interpolation's cell-to-cell blur) and inverts the transform, which
  gives every row's correlation in units of the rows that carry nothing.
  Each symbol is its group's largest |correlation|; if the CRC fails, the
  runner-ups of the least certain symbols are tried (CRC-aided list decoding).
  score = sqrt(z_sync^2 + sum over symbols of (z^2 - its null mean)): all the
  mark's energy counts toward presence. found = score >= THRESHOLD, set from
  the null distribution measured on non-Lantern videos.

A port (TypeScript) must reproduce exactly: _rng, KEY, the permutation and
signs, the row layout, the CRC and the WHT (all integer maths), and for
bit-identical frames the embed's per-pixel float64 operations in the order
written here (a non-negative modulo in _axis, rounding as floor(x + 0.5));
the error sum in embed is an integer sum, exact in float64. The detector
need not match bit for bit: it is a statistical test. The port is
workers/provenance/watermark/, checked against fixtures from
watermark_fixtures.py in test/watermark.node.test.ts.
"""
from __future__ import annotations

import numpy as np

KEY = 0x4C414E54  # 'LANT': seeds the permutation and the signs
N = 16  # cells per tile side; N * N = 256 is the WHT size
TILE_FRACTION = 0.5  # tile period = TILE_FRACTION * min(H, W) px
SYNC_ENERGY = 0.3  # share of the mark's energy in the sync row
SYMBOLS, SYMBOL_ROWS = 7, 32  # 7 symbols of 6 bits: 5 bits of row, 1 of sign
CRC_BITS, CRC_POLY = 10, 0x233  # CRC-10/ATM, x^10+x^9+x^5+x^4+x+1
PSNR_TARGET = 40.5  # dB, marked against unmarked (the issue asks > 40)
AMPLITUDE = 2.4  # RMS change per channel, grey levels: 255 / 10^(PSNR_TARGET / 20), rounded
RGB = (0.7746, 1.5208, 0.2953)  # luma weights (BT.601) scaled to mean square 1
PATTERN_RMS = 2 / 3  # RMS of a bilinear interpolation of unit white cells
PASSES, MAX_BOOST = 3, 2.0  # strength rescaling passes; cap (saturated frames)
SAMPLES = 4  # detector: folded samples per cell
HP_SIGMA, ENERGY_SIGMA = 1.0, 0.5  # detector: blur widths, in cells
NOISE = 1.0  # detector: grey levels of noise assumed everywhere (weight floor)
EQ_REG, CELL_REG = 0.05, 0.3  # detector: regularisation of the readout
CROP_RANGE = (0.6, 1.05)  # detector: visible fraction of the original frame searched
SCALE_STEP = 0.015  # detector: relative step between candidate periods
CANDIDATES = 3  # detector: surface peaks read out in full (then refined)
LIST_TRIES = 16  # detector: CRC checks in list decoding (false accept ~ 16 / 1024)
NULL_MAX2 = 5.71  # E[max of 32 chi^2(1)]: a symbol's z^2 where there is no mark
THRESHOLD = 9.0  # presence: null scores measured mean 4.8, sd 0.9, max 7.4 (bench/watermark.md)
MARKER = 0x4C4E  # 'LN': the payload's high 16 bits say "made by Lantern"


def lantern_payload(model_id: str) -> int:
    """The payload Lantern marks a clip with: MARKER << 16 | the model's tag,
    the high 16 bits of FNV-1a-32 of its id in UTF-8 (a tag, not a secret:
    a verifier matches it against the ids it knows)."""
    h = 0x811C9DC5
    for byte in model_id.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return MARKER << 16 | h >> 16


def _rng(seed: int):
    """xorshift32: a stream of uint32 (shifts and xors only, so trivially portable)."""
    s = seed & 0xFFFFFFFF or 1
    while True:
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        yield s


def _keyed() -> tuple[np.ndarray, np.ndarray]:
    """(perm, sign): transform output j goes to cell perm[j], times sign[j]."""
    r = _rng(KEY)
    perm = list(range(N * N))
    for i in range(N * N - 1, 0, -1):  # Fisher-Yates
        j = next(r) % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm), np.array([1.0 if next(r) & 0x100 else -1.0 for _ in range(N * N)])


PERM, SIGN = _keyed()
GROUPS = 1 + np.arange(SYMBOLS * SYMBOL_ROWS).reshape(SYMBOLS, SYMBOL_ROWS)  # rows of each symbol


def _wht(v: np.ndarray) -> np.ndarray:
    """Unnormalised fast Walsh-Hadamard transform: _wht(_wht(v)) = len(v) * v."""
    v = np.asarray(v, np.float64)
    h = 1
    while h < len(v):
        v = v.reshape(-1, 2, h)
        v = np.stack([v[:, 0] + v[:, 1], v[:, 0] - v[:, 1]], axis=1).reshape(-1)
        h *= 2
    return v


def crc(bits: list[int]) -> int:
    r = 0
    for b in bits:
        top = (r >> (CRC_BITS - 1)) ^ b
        r = ((r << 1) & ((1 << CRC_BITS) - 1)) ^ (CRC_POLY if top else 0)
    return r


def to_bits(value: int, n: int) -> list[int]:
    return [(value >> (n - 1 - i)) & 1 for i in range(n)]


def from_bits(bits) -> int:
    return sum(int(b) << (len(bits) - 1 - i) for i, b in enumerate(bits))


def encode_symbols(payload: int) -> list[int]:
    """32-bit payload -> 7 six-bit symbols: the payload's bits, then its CRC-10."""
    bits = to_bits(payload, 32)
    bits += to_bits(crc(bits), CRC_BITS)
    return [from_bits(bits[6 * k:6 * k + 6]) for k in range(SYMBOLS)]


def decode_symbols(coef: np.ndarray) -> tuple[int | None, list[int]]:
    """Row correlations (256) -> (payload if a CRC check passes else None, 32 best-guess bits)."""
    options = []  # per symbol, its three best values with their |correlation|
    for g in GROUPS:
        order = np.argsort(-np.abs(coef[g]), kind="stable")[:3]
        options.append([(int(i) | (32 if coef[g][i] < 0 else 0), abs(float(coef[g][i]))) for i in order])
    # candidates with up to two symbols replaced by a runner-up, cheapest first
    # (cost: the |correlation| given up, i.e. squared distance in likelihood)
    cost = lambda k, r: options[k][0][1] ** 2 - options[k][r][1] ** 2
    subs = [(k, r) for k in range(SYMBOLS) for r in (1, 2)]
    tries = [(0.0, ())] + [(cost(*s), (s,)) for s in subs] + [
        (cost(*a) + cost(*b), (a, b)) for i, a in enumerate(subs) for b in subs[i + 1:] if a[0] != b[0]]
    tries.sort(key=lambda t: t[0])
    for _, t in tries[:LIST_TRIES]:
        pick = dict(t)
        bits = [b for k in range(SYMBOLS) for b in to_bits(options[k][pick.get(k, 0)][0], 6)]
        if crc(bits[:32]) == from_bits(bits[32:]):
            return from_bits(bits[:32]), bits[:32]
    return None, [b for k in range(SYMBOLS) for b in to_bits(options[k][0][0], 6)][:32]


def cells(payload: int) -> np.ndarray:
    """The tile's N x N cell values (RMS 1) that carry a payload."""
    s = np.zeros(N * N)
    s[0] = np.sqrt(SYNC_ENERGY)
    for k, sym in enumerate(encode_symbols(payload & 0xFFFFFFFF)):
        s[GROUPS[k][sym & 31]] = (-1.0 if sym & 32 else 1.0) * np.sqrt((1 - SYNC_ENERGY) / SYMBOLS)
    out = np.zeros(N * N)
    out[PERM] = SIGN * _wht(s)
    return out.reshape(N, N)


def _axis(n: int, period: float, samples: int = 1):
    """For pixels 0..n-1: the two grid points (cell centres at integers when
    samples = 1) around each pixel centre and the weight of the second."""
    t = (np.arange(n) + 0.5) * (N * samples) / period - 0.5
    f = np.floor(t)
    i0 = f.astype(np.int64) % (N * samples)
    return i0, (i0 + 1) % (N * samples), t - f


def pattern(h: int, w: int, c: np.ndarray) -> np.ndarray:
    """(H, W): the periodic, bilinearly interpolated tile of cells c."""
    y0, y1, fy = _axis(h, TILE_FRACTION * min(h, w))
    x0, x1, fx = _axis(w, TILE_FRACTION * min(h, w))
    fy, fx = fy[:, None], fx[None, :]
    top = c[y0][:, x0] * (1 - fx) + c[y0][:, x1] * fx
    bottom = c[y1][:, x0] * (1 - fx) + c[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def embed(frames: np.ndarray, payload: int) -> np.ndarray:
    """Mark (T, H, W, 3) uint8 frames with a 32-bit payload."""
    t, h, w, _ = frames.shape
    f = frames.astype(np.float64)
    d = pattern(h, w, cells(payload)) * (AMPLITUDE / PATTERN_RMS)  # (H, W)
    s, target = 1.0, AMPLITUDE * AMPLITUDE * f.size
    for _ in range(PASSES):
        out = np.clip(np.floor(f + (d * s)[None, :, :, None] * np.array(RGB) + 0.5), 0, 255)
        err = float(np.sum((out - f) ** 2))  # an integer: exact in any order
        if err == 0:
            break
        s = min(MAX_BOOST, s * np.sqrt(target / err))
    return out.astype(np.uint8)


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    r = max(1, int(np.ceil(3 * sigma)))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    p = np.pad(img, r, mode="reflect")
    p = np.apply_along_axis(np.convolve, 0, p, k, mode="valid")
    return np.apply_along_axis(np.convolve, 1, p, k, mode="valid")


def residual(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frames -> (residual, weight), both (H, W): the high-passed mean luma and
    the whitening weight 1 / (local residual energy + NOISE^2)."""
    f = frames.astype(np.float64)
    y = (0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]).mean(axis=0)
    cell = min(y.shape) * TILE_FRACTION / N  # cell size in px if nothing was cropped
    r = y - _blur(y, max(0.7, HP_SIGMA * cell))
    return r, 1.0 / (_blur(r * r, max(0.7, ENERGY_SIGMA * cell)) + NOISE ** 2)


def fold(res: np.ndarray, wgt: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Splat weight * residual, and the weight, bilinearly into one tile of
    (N * SAMPLES)^2 bins for a tile period of `period` px."""
    h, w = res.shape
    m = N * SAMPLES
    y0, y1, fy = _axis(h, period, SAMPLES)
    x0, x1, fx = _axis(w, period, SAMPLES)
    acc, tot = np.zeros(m * m), np.zeros(m * m)
    for yi, wy in ((y0, 1 - fy), (y1, fy)):
        for xi, wx in ((x0, 1 - fx), (x1, fx)):
            idx = (yi[:, None] * m + xi[None, :]).ravel()
            ww = (wy[:, None] * wx[None, :] * wgt).ravel()
            acc += np.bincount(idx, ww * res.ravel(), m * m)
            tot += np.bincount(idx, ww, m * m)
    return acc.reshape(m, m), tot.reshape(m, m)


def _upsample(c: np.ndarray) -> np.ndarray:
    """Cells -> the folded grid, bilinear, cell centres at multiples of SAMPLES."""
    t = np.arange(N * SAMPLES) / SAMPLES
    i0 = np.floor(t).astype(int)
    i1, f = (i0 + 1) % N, t - i0
    rows = c[i0] * (1 - f)[:, None] + c[i1] * f[:, None]
    return rows[:, i0] * (1 - f)[None, :] + rows[:, i1] * f[None, :]


def _equaliser() -> np.ndarray:
    """(N, N) circulant: the regularised inverse of the cell-to-cell blur that
    bilinear interpolation then the tent readout make (1/6, 2/3, 1/6)."""
    b = np.zeros(N)
    b[0], b[1], b[-1] = 2 / 3, 1 / 6, 1 / 6
    e = np.real(np.fft.ifft(1 / (np.real(np.fft.fft(b)) + EQ_REG)))
    return np.array([np.roll(e, i) for i in range(N)])


_SYNC = np.zeros(N * N)
_SYNC[PERM] = SIGN  # row 0 alone: the WHT of e_0 is all ones
SYNC_F = np.conj(np.fft.fft2(_upsample(_SYNC.reshape(N, N))))
EQ = _equaliser()
TENT = 1 - np.abs(np.arange(-SAMPLES + 1, SAMPLES)) / SAMPLES


def _cell_sums(tile: np.ndarray) -> np.ndarray:
    """Tent-weighted sums of the folded grid around each cell centre: (N, N)."""
    m, c = N * SAMPLES, np.arange(N) * SAMPLES
    out = np.zeros((N, N))
    for dy, wy in zip(range(-SAMPLES + 1, SAMPLES), TENT):
        for dx, wx in zip(range(-SAMPLES + 1, SAMPLES), TENT):
            out += wy * wx * tile[np.ix_((c + dy) % m, (c + dx) % m)]
    return out


def _readout(res, wgt, period: float, shift) -> tuple[float, np.ndarray]:
    """(score, row correlations in noise units) at one period and cyclic shift."""
    acc, tot = (np.roll(a, (-shift[0], -shift[1]), axis=(0, 1)) for a in fold(res, wgt, period))
    a, w = _cell_sums(acc), _cell_sums(tot)
    v = EQ @ (a / (w + CELL_REG * w.mean() + 1e-12)) @ EQ.T
    coef = _wht(SIGN * v.ravel()[PERM])
    busy = [0] + [int(g[np.argmax(np.abs(coef[g]))]) for g in GROUPS]
    coef = coef / (np.sqrt(np.mean(np.delete(coef, busy) ** 2)) + 1e-12)
    energy = coef[0] * abs(coef[0]) + np.sum(coef[busy[1:]] ** 2) - SYMBOLS * NULL_MAX2
    return float(np.sign(energy) * np.sqrt(abs(energy))), coef


def _peak(res, wgt, period: float) -> tuple[float, tuple[int, int]]:
    """Best cyclic shift of the sync at one period: (peak / RMS of the surface, shift)."""
    acc, tot = fold(res, wgt, period)
    corr = np.real(np.fft.ifft2(np.fft.fft2(acc / (tot.mean() + 1e-12)) * SYNC_F))
    i = np.unravel_index(np.argmax(corr), corr.shape)
    return float(corr[i] / (np.sqrt(np.mean(corr ** 2)) + 1e-12)), (int(i[0]), int(i[1]))


def detect(frames: np.ndarray) -> dict:
    """Look for the mark in (T, H, W, 3) uint8 frames of unknown scale and crop."""
    res, wgt = residual(frames)
    periods, k = [], CROP_RANGE[1]
    while k >= CROP_RANGE[0]:
        periods.append(TILE_FRACTION * min(res.shape) / k)
        k /= 1 + SCALE_STEP
    peaks = sorted(((*_peak(res, wgt, p), p) for p in periods), key=lambda q: -q[0])[:CANDIDATES]
    best = max(((*_readout(res, wgt, p, sh), p) for _, sh, p in peaks), key=lambda q: q[0])
    for j in (-0.5, -0.25, 0.25, 0.5):  # refine the period between grid points
        p = best[2] * (1 + SCALE_STEP) ** j
        best = max(best, (*_readout(res, wgt, p, _peak(res, wgt, p)[1]), p), key=lambda q: q[0])
    score, coef, period = best
    payload, bits = decode_symbols(coef)
    found = score >= THRESHOLD
    return {"found": found, "payload": payload if found else None, "score": score,
            "bits": bits, "period": period}
