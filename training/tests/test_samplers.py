"""The samplers of lantern/flow.py: Euler unchanged, the cost of each, and the
maths of Heun and DPM-Solver++(2M) checked on flows whose answer is known,
not only ported (the browser's port is pinned by test/engine-solvers.node.test.ts)."""
import math

import pytest
import torch

from lantern.flow import (SAMPLERS, denoiser_evaluations, dpmpp2m_step, euler_step, guided, integrate, noisy, sample,
                          sample_schedule)


def tiny_denoiser(seed=0):
    """A fixed random denoiser for (2B, 2C+1, F, h, w) inputs, C = 2: v depends on x_in and t."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(2, 5, generator=g) * 0.3  # (C, 2C+1)
    return lambda x_in, t: torch.einsum("oc,bcfhw->bofhw", w, x_in) + t.reshape(-1, 1, 1, 1, 1) * 0.5


def old_euler_sample(denoise, noise, cond, mask, steps, shift, guidance, start_latent=None, strength=1.0, on_step=None):
    """flow.sample before the samplers came, copied: Euler must stay bit for bit."""
    ts = sample_schedule(steps, shift, strength)
    x = noise if start_latent is None else noisy(start_latent, noise, torch.full((noise.shape[0],), ts[0]))
    cond_in = torch.cat([cond * mask, mask], 1)
    for i in range(steps):
        t, t_next = ts[i], ts[i + 1]
        x_in = torch.cat([x, cond_in], 1).repeat(2, 1, 1, 1, 1)
        v_cond, v_uncond = denoise(x_in, torch.full((x_in.shape[0],), t)).chunk(2)
        v = guided(v_cond, v_uncond, guidance)
        if on_step is not None:
            on_step(i, x - t * v)
        x = euler_step(x, v, t, t_next)
    return x * (1 - mask) + cond * mask


@pytest.mark.parametrize("strength", [1.0, 0.6])
def test_euler_is_unchanged_bit_for_bit(strength):
    g = torch.Generator().manual_seed(1)
    noise, cond, start = (torch.randn(2, 2, 3, 4, 4, generator=g) for _ in range(3))  # (B, C, F, h, w)
    mask = torch.zeros(2, 1, 3, 4, 4)
    mask[:, :, :1] = 1
    edit = start if strength < 1 else None
    old, new = [], []
    a = old_euler_sample(tiny_denoiser(), noise, cond, mask, 5, 2.0, 4.0, edit, strength, lambda i, x0: old.append(x0))
    b = sample(tiny_denoiser(), noise, cond, mask, 5, 2.0, 4.0, edit, strength, lambda i, x0: new.append(x0))
    assert torch.equal(a, b)
    assert len(old) == len(new) == 5 and all(torch.equal(p, q) for p, q in zip(old, new))


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("steps", [1, 2, 5])
def test_denoiser_calls_are_as_documented(sampler, steps):
    calls = []
    denoise = tiny_denoiser()
    x = torch.randn(1, 2, 2, 2, 2)
    previews = []
    sample(lambda x_in, t: calls.append(t[0].item()) or denoise(x_in, t), x, torch.zeros_like(x), torch.zeros(1, 1, 2, 2, 2),
           steps, 2.0, 3.0, on_step=lambda i, x0: previews.append(i), sampler=sampler)
    assert len(calls) == denoiser_evaluations(sampler, steps) == (2 * steps - 1 if sampler == "heun" else steps)
    assert previews == list(range(steps)) and 0.0 not in calls  # nothing is evaluated at t = 0


def test_unknown_sampler_is_a_named_error():
    x = torch.randn(1, 2, 2, 2, 2)
    with pytest.raises(ValueError, match="Sampler 'ddim' is not allowed. It must be one of: euler, heun, dpmpp2m."):
        sample(tiny_denoiser(), x, x, torch.zeros(1, 1, 2, 2, 2), 4, 2.0, 3.0, sampler="ddim")
    with pytest.raises(ValueError, match="steps must be at least 1"):
        denoiser_evaluations("heun", 0)


def test_dpmpp2m_first_order_is_euler_and_the_last_step_gives_x0():
    g = torch.Generator().manual_seed(2)
    x, v, x0_prev = (torch.randn(64, generator=g, dtype=torch.float64) for _ in range(3))
    t, t_next = 0.7, 0.45
    x0 = x - t * v
    assert torch.allclose(dpmpp2m_step(x, x0, None, None, t, t_next), euler_step(x, v, t, t_next), atol=1e-14)
    assert torch.allclose(dpmpp2m_step(x, x0, x0_prev, 1.0, t, t_next), euler_step(x, v, t, t_next), atol=1e-14)  # after t = 1
    assert torch.equal(dpmpp2m_step(x, x0, x0_prev, 0.9, t, 0.0), x0)


def test_dpmpp2m_equals_k_diffusion_form_in_ve_coordinates():
    """The same method written independently as k-diffusion's sample_dpmpp_2m
    does it, for x_ve = x / alpha with sigma_ve = sigma / alpha = t / (1 - t)
    (DPM-Solver++ is the same in both). Starts below t = 1, where sigma_ve is
    finite."""
    velocity = gaussian_flow(0.5, 0.5)
    z = torch.randn(256, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    ts = sample_schedule(7, 2.0, 0.8)
    x = (1 - ts[0]) * 0.3 + ts[0] * z
    ours = integrate(velocity, x, ts, "dpmpp2m")
    sig = [t / (1 - t) for t in ts]
    lam = [-math.log(s) if s > 0 else math.inf for s in sig]  # k-diffusion's t_fn
    xv, old = x / (1 - ts[0]), None
    for i in range(len(ts) - 1):
        denoised = xv * (1 - ts[i]) - ts[i] * velocity(xv * (1 - ts[i]), ts[i])  # x0 from the flow's v
        if old is None or sig[i + 1] == 0:
            d = denoised
        else:
            r = (lam[i] - lam[i - 1]) / (lam[i + 1] - lam[i])
            d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
        xv = d if sig[i + 1] == 0 else (sig[i + 1] / sig[i]) * xv - math.expm1(-(lam[i + 1] - lam[i])) * d
        old = denoised
    assert torch.allclose(ours, xv, atol=1e-12)


def gaussian_flow(mu, s):
    """The exact velocity of rectified flow for data N(mu, s^2) per element:
    v = (x - E[x0 | x_t]) / t, and -x at t = 0. Its ODE from x_1 = z ends at mu + s z."""
    def velocity(x, t):
        if t == 0:
            return -x
        var = (1 - t) ** 2 * s ** 2 + t ** 2
        return (x - (mu + (1 - t) * s ** 2 * (x - (1 - t) * mu) / var)) / t
    return velocity


def mixture_flow(m, s):
    """The exact velocity for data 0.5 N(-m, s^2) + 0.5 N(m, s^2): nonlinear in x."""
    def velocity(x, t):
        if t == 0:
            return -x
        var = (1 - t) ** 2 * s ** 2 + t ** 2
        logp = [-0.5 * (x - (1 - t) * mu) ** 2 / var for mu in (-m, m)]
        means = [mu + (1 - t) * s ** 2 * (x - (1 - t) * mu) / var for mu in (-m, m)]
        w = torch.sigmoid(logp[1] - logp[0])
        return (x - ((1 - w) * means[0] + w * means[1])) / t
    return velocity


def rms(a):
    return a.pow(2).mean().sqrt().item()


def test_higher_order_samplers_converge_faster_than_euler():
    """Float64 on the Gaussian flow (shift 2, the model's): error against the
    exact end point at 4, 8 and 16 steps. Euler halves its error per doubling
    (first order); Heun and DPM-Solver++(2M) do better than that and are well
    below Euler at 8 steps. The first-order final step into t = 0 (from
    t = 0.22 at 8 steps) is most of what they have left."""
    z = torch.randn(4096, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    velocity = gaussian_flow(0.5, 0.5)
    exact = 0.5 + 0.5 * z
    euler200 = integrate(velocity, z, sample_schedule(200, 2.0), "euler")
    assert rms(euler200 - exact) < 0.01
    err = {s: {n: rms(integrate(velocity, z, sample_schedule(n, 2.0), s) - exact) for n in (4, 8, 16)} for s in SAMPLERS}
    vs200 = {s: {n: rms(integrate(velocity, z, sample_schedule(n, 2.0), s) - euler200) for n in (4, 8, 16)} for s in SAMPLERS}
    print("\nRMS error vs exact (vs Euler-200):", {s: {n: f"{err[s][n]:.4f} ({vs200[s][n]:.4f})" for n in err[s]} for s in SAMPLERS})
    for s in SAMPLERS:
        assert err[s][4] > err[s][8] > err[s][16]
    assert 1.8 < err["euler"][8] / err["euler"][16] < 2.2
    assert err["heun"][8] / err["heun"][16] > 3 and err["dpmpp2m"][8] / err["dpmpp2m"][16] > 3
    assert err["heun"][8] < 0.6 * err["euler"][8] and err["dpmpp2m"][8] < 0.7 * err["euler"][8]
    assert err["heun"][16] < err["euler"][16] / 3 and err["dpmpp2m"][16] < err["euler"][16] / 5
    for s in ("heun", "dpmpp2m"):
        assert vs200[s][8] < 0.7 * vs200["euler"][8]


def test_higher_order_samplers_win_on_a_nonlinear_flow_given_enough_steps():
    """A two-mode mixture (sharp: modes at +-1, s = 0.2) against Euler at 4000
    steps. Both are second order here too, but the switch between modes makes
    DPM-Solver++(2M)'s extrapolation in lambda uneven at few steps (at 16 it is
    no better than Euler); at 64 steps both are far ahead."""
    z = torch.randn(4096, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    velocity = mixture_flow(1.0, 0.2)
    reference = integrate(velocity, z, sample_schedule(4000, 2.0), "euler")
    err = {s: {n: rms(integrate(velocity, z, sample_schedule(n, 2.0), s) - reference) for n in (8, 64)} for s in SAMPLERS}
    print("\nRMS error vs Euler-4000:", {s: {n: f"{e:.5f}" for n, e in d.items()} for s, d in err.items()})
    assert err["heun"][8] < err["euler"][8] and err["dpmpp2m"][8] < err["euler"][8]
    assert err["heun"][64] < err["euler"][64] / 4 and err["dpmpp2m"][64] < err["euler"][64] / 4
