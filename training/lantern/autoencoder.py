"""The video autoencoder: 4 frames x 8 x 8 pixels -> one latent vector.

A clip is cut into chunks of `temporal` frames (4); each chunk is encoded
on its own, its frames stacked as channels, by a strided 2-D conv stack that
divides each side by 8. So a 16 x 128 x 128 clip becomes a latent of
4 x 16 x 16 x C, 96x fewer numbers per channel, and the denoiser sees 256
tokens instead of the thousands a pixel-space model would.

Chunks are independent on purpose: the first latent frame of a clip
depends only on its first four frames, which is what image-to-video (a
still image repeated four times) and scene continuation (the last chunk of
the previous clip) condition on, and the browser can decode a live preview
chunk by chunk.

The autoencoder is deterministic (no KL term, only a small L2 pull on the
latent); the diffusion model works on latents normalised by per-channel
statistics measured after training (`LatentStats`).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class AutoencoderConfig:
    latent_channels: int = 12  # enough for four frames of flat shapes per 8x8 cell
    temporal: int = 4  # frames per latent frame
    widths: tuple[int, int, int] = (32, 64, 128)  # encoder widths at S/2, S/4, S/spatial
    decoder_widths: tuple[int, int, int, int] = (128, 64, 32, 16)  # at S/spatial, S/4, S/2, S
    # Training only: the decoder learns from latents with Gaussian noise of up
    # to this fraction of each channel's spread added, so the small errors a
    # denoiser leaves decode as a clean clip, not as 8x8-cell speckle.
    decoder_noise: float = 0.1
    # Spatial compression, 8 or 4. At 8 a small object is about two latent
    # pixels across and its shape does not survive the round trip (the
    # judge's shape score on the shipped autoencoder's reconstructions is 36%);
    # 4 keeps four times the positions (the denoiser's patch can double to
    # keep its token count). With 4 the third encoder stage and the first
    # decoder stage run at S/4 without a stride or an upsampling.
    spatial: int = 8
    # Training only: weight of an L1 loss on the clip's horizontal and
    # vertical pixel differences (its edges). Plain L1 is content with a blur
    # that rounds a small star's points and a square's corners, which is the
    # shape the judge reads; an edge term charges for every softened step.
    edge_weight: float = 0.0
    # Temporal residual blocks at the start of the decoder, each mixing a
    # latent pixel with the same pixel up to two latent frames before and after.
    # 0 decodes each latent frame alone, so the object is redrawn from scratch
    # every `temporal` frames and may change between them (the judge's
    # consistency); the encoder stays per chunk either way (continuations
    # rely on it: engine/conditioning.ts).
    decoder_temporal: int = 0

    def __post_init__(self):
        if self.spatial not in (4, 8):
            raise ValueError(f"Unsupported spatial compression {self.spatial}. Must be one of: 4, 8.")


class ResBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.silu(self.conv1(F.silu(x))))


class TemporalResBlock(nn.Module):
    """A residual block over latent frames: two convs of kernel 3 along the
    frames (so a reach of two frames each way), 1 in space, zero-padded at
    the clip's ends. Written as a Conv2d over (frames, pixels) rather than a
    Conv3d: the same maths, and every ONNX runtime the engine uses has it."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, (3, 1), padding=(1, 0))
        self.conv2 = nn.Conv2d(channels, channels, (3, 1), padding=(1, 0))
        nn.init.zeros_(self.conv2.weight)  # starts as the identity: a trained decoder can take it on
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, frames: int) -> torch.Tensor:
        """x (B*F, C, h, w), the F latent frames of each clip consecutive."""
        bf, c, h, w = x.shape
        y = x.reshape(bf // frames, frames, c, h * w).transpose(1, 2)  # (B, C, F, h*w)
        y = self.conv2(F.silu(self.conv1(F.silu(y))))
        return x + y.transpose(1, 2).reshape(bf, c, h, w)


class VideoEncoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig):
        super().__init__()
        self.cfg = cfg
        w1, w2, w3 = cfg.widths
        third = (nn.Conv2d(w2, w3, 4, stride=2, padding=1) if cfg.spatial == 8  # S/8
                 else nn.Conv2d(w2, w3, 3, padding=1))  # spatial 4: stays at S/4
        self.net = nn.Sequential(
            nn.Conv2d(3 * cfg.temporal, w1, 4, stride=2, padding=1), nn.SiLU(),  # S/2
            nn.Conv2d(w1, w2, 4, stride=2, padding=1), ResBlock(w2),  # S/4
            third, ResBlock(w3), ResBlock(w3),  # S/spatial
            nn.SiLU(), nn.Conv2d(w3, cfg.latent_channels, 1),
        )
        # Linear shortcut: each cell's pixels of the four frames (768 numbers
        # for an 8x8 cell) projected straight to the latent. With the
        # decoder's mirror it forms a linear patch autoencoder that gets every
        # cell's colour right within a few hundred steps; the conv stacks add edges.
        self.shortcut = nn.Conv2d(3 * cfg.temporal * cfg.spatial ** 2, cfg.latent_channels, 1)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        """video (B, T, 3, S, S) in [0, 1] -> latent (B, C, T/4, S/s, S/s), s = cfg.spatial."""
        b, t, c, hs, ws = video.shape
        k = self.cfg.temporal
        if t % k:
            raise ValueError(f"frame count {t} is not a multiple of {k}")
        chunks = (video * 2 - 1).reshape(b * t // k, k * c, hs, ws)  # (B*F, 4*3, H, W)
        z = self.net(chunks) + self.shortcut(F.pixel_unshuffle(chunks, self.cfg.spatial))  # (B*F, C, H/s, W/s)
        return z.reshape(b, t // k, *z.shape[1:]).transpose(1, 2)  # (B, C, F, h, w)


class VideoDecoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig):
        super().__init__()
        self.cfg = cfg
        d0, d1, d2, d3 = cfg.decoder_widths
        up = lambda a, b: nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(a, b, 3, padding=1))
        first = up(d0, d1) if cfg.spatial == 8 else nn.Conv2d(d0, d1, 3, padding=1)  # spatial 4: stays at S/4
        self.net = nn.Sequential(
            nn.Conv2d(cfg.latent_channels, d0, 3, padding=1), ResBlock(d0), ResBlock(d0),  # S/spatial
            first, ResBlock(d1),  # S/4
            up(d1, d2), nn.SiLU(),  # S/2
            up(d2, d3), nn.SiLU(),  # S
            nn.Conv2d(d3, 3 * cfg.temporal, 3, padding=1),
        )
        self.shortcut = nn.Conv2d(cfg.latent_channels, 3 * cfg.temporal * cfg.spatial ** 2, 1)  # mirror of the encoder's
        self.temporal = nn.ModuleList(TemporalResBlock(d0) for _ in range(cfg.decoder_temporal))

    def raw(self, z: torch.Tensor) -> torch.Tensor:
        """latent (B, C, F, h, w) -> unclamped video (B, 4F, 3, sh, sw), about [0, 1]."""
        b, c, f, h, w = z.shape
        z = z.transpose(1, 2).reshape(b * f, c, h, w)
        x = self.net[:3](z)  # (B*F, d0, h, w): the first conv and the two blocks at latent resolution
        for block in self.temporal:
            x = block(x, f)
        x = self.net[3:](x) + F.pixel_shuffle(self.shortcut(z), self.cfg.spatial)  # (B*F, 4*3, sh, sw)
        x = x.reshape(b, f * self.cfg.temporal, 3, *x.shape[-2:])
        return (x + 1) / 2

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """latent (B, C, F, h, w) -> video (B, 4F, 3, sh, sw) in [0, 1]."""
        return self.raw(z).clamp(0, 1)


class VideoAutoencoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = VideoEncoder(cfg)
        self.decoder = VideoDecoder(cfg)

    def loss(self, video: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        """Reconstruction loss on a batch of clips or crops (B, T, 3, H, W).

        L1 on the unclamped output (a clamp would stop the gradient of every
        pixel pushed past black or white), weighted up where a pixel differs
        from its row's median (the objects and their edges), because objects
        cover a few percent of the frame and their shape is what the judge
        and users see. The network is fully convolutional, so training on
        crops teaches the same weights at a fraction of the cost."""
        z = self.encoder(video)  # (B, C, F, h, w)
        recon = self.decoder.raw(with_decoder_noise(z, self.cfg.decoder_noise))
        err = (recon - video).abs().mean(2)  # (B, T, S, S)
        row_median = video.median(dim=-1, keepdim=True).values  # (B, T, 3, S, 1)
        salient = ((video - row_median).abs().amax(2) > 0.08).float()  # (B, T, S, S)
        l1 = err.mean()
        weighted = (err * (1 + 4 * salient)).mean()
        latent_l2 = z.pow(2).mean()
        loss = weighted + 1e-4 * latent_l2
        metrics = {"l1": l1.item(), "weighted_l1": weighted.item(), "latent_rms": latent_l2.sqrt().item()}
        if self.cfg.edge_weight > 0:
            edge = edge_l1(recon, video)
            loss = loss + self.cfg.edge_weight * edge
            metrics["edge_l1"] = edge.item()
        return loss, metrics


def edge_l1(recon: torch.Tensor, video: torch.Tensor) -> torch.Tensor:
    """Mean L1 between the horizontal and vertical pixel differences of two
    clips (B, T, 3, H, W): zero only when every edge is as sharp as the clip's."""
    dx = lambda v: v[..., :, 1:] - v[..., :, :-1]
    dy = lambda v: v[..., 1:, :] - v[..., :-1, :]
    return (dx(recon) - dx(video)).abs().mean() + (dy(recon) - dy(video)).abs().mean()


def with_decoder_noise(z: torch.Tensor, scale: float) -> torch.Tensor:
    """z plus noise of a random size per clip, up to `scale` times each
    channel's standard deviation in the batch (none when scale is 0)."""
    if scale <= 0:
        return z
    spread = z.detach().std(dim=(0, 2, 3, 4), keepdim=True)  # (1, C, 1, 1, 1)
    size = torch.rand(z.shape[0], 1, 1, 1, 1, device=z.device, dtype=z.dtype) * scale
    return z + torch.randn_like(z) * spread * size


@dataclass
class LatentStats:
    """Per-channel mean and std of encoded training clips; the denoiser sees
    (z - mean) / std so that its latents have unit variance like the noise."""
    mean: list[float]
    std: list[float]

    def normalise(self, z: torch.Tensor) -> torch.Tensor:
        m, s = self._tensors(z)
        return (z - m) / s

    def denormalise(self, z: torch.Tensor) -> torch.Tensor:
        m, s = self._tensors(z)
        return z * s + m

    def _tensors(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        shape = (1, -1, 1, 1, 1)  # (B, C, F, h, w)
        return (torch.tensor(self.mean, device=z.device, dtype=z.dtype).reshape(shape),
                torch.tensor(self.std, device=z.device, dtype=z.dtype).reshape(shape))

    @staticmethod
    def measure(z: torch.Tensor) -> "LatentStats":
        flat = z.transpose(0, 1).reshape(z.shape[1], -1)  # (C, B*F*h*w)
        return LatentStats(mean=flat.mean(1).tolist(), std=flat.std(1).clamp_min(1e-3).tolist())
