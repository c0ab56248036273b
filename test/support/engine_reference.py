"""Reference values for the engine's pure parts (test/fixtures/engine/README.md),
computed by the training code: run from training/ with the output folder.
"""
import json, sys, numpy as np, torch
sys.path.insert(0, '.')
OUT = sys.argv[1]
from lantern.noise import mulberry32, gaussian_noise
from lantern.flow import sample_schedule, euler_step, guided, integrate, denoiser_evaluations, SAMPLERS
from lantern.tokenizer import build_tokenizer, encode, save_tokenizer
out = {}
f32 = lambda a: [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]
out['mulberry'] = {str(s): [float(v) for v in mulberry32(s, 6)] for s in (12345, 0, 7, 4294967295)}
n = gaussian_noise(7, (3,))
out['noise_odd'] = f32(n)
n = gaussian_noise(12345, (2, 2, 3, 3))
out['noise_small'] = f32(n)
big = gaussian_noise(7, (12, 4, 8, 8)).numpy()
out['noise_big'] = {'n': int(big.size), 'sum64': float(big.astype(np.float64).sum()), 'sumsq64': float((big.astype(np.float64)**2).sum()),
  'at': {str(i): float(big.reshape(-1)[i]) for i in (0, 1, 2, 1000, 3071)}}
out['schedule'] = {'s4_2': sample_schedule(4, 2.0), 's3_3_06': sample_schedule(3, 3.0, 0.6), 's5_1': sample_schedule(5, 1.0), 's1_2': sample_schedule(1, 2.0)}
g = torch.Generator().manual_seed(3)
x = torch.randn(2, 2, 2, 2, generator=g); v = torch.randn(2, 2, 2, 2, generator=g); vu = torch.randn(2, 2, 2, 2, generator=g)
ts = sample_schedule(4, 2.0)
out['euler'] = {'x': f32(x), 'v': f32(v), 'vu': f32(vu), 't': ts[1], 'tn': ts[2], 'out': f32(euler_step(x, v, ts[1], ts[2]))}
out['guided'] = {'g': 4.0, 'out': f32(guided(v, vu, 4.0))}
out['x0'] = f32(x - ts[1] * v)
# x_in: C=2, F=2, h=w=2, cond random, mask first frame
cond = torch.randn(1, 2, 2, 2, 2, generator=g)
mask = torch.zeros(1, 1, 2, 2, 2); mask[:, :, :1] = 1
xb = x[None]
x_in = torch.cat([xb, torch.cat([cond * mask, mask], 1)], 1).repeat(2, 1, 1, 1, 1)
out['x_in'] = {'cond': f32(cond), 'shape': list(x_in.shape), 'out': f32(x_in), 'restored': f32(xb * (1 - mask) + cond * mask)}
# preview: latent (C=2,F=2,h=2,w=2) -> per cell [z,1] @ M (3x3)
M = torch.tensor([[0.25, -0.5, 0.125], [0.1, 0.2, 0.3], [0.5, 0.4, 0.45]], dtype=torch.float64)
z = x.double().permute(1, 2, 3, 0).reshape(-1, 2)
rgb = torch.cat([z, torch.ones(z.shape[0], 1, dtype=torch.float64)], 1) @ M  # (F*h*w, 3)
out['preview'] = {'matrix': M.tolist(), 'rgb': [float(v) for v in rgb.reshape(-1)]}
tok = build_tokenizer()
save_tokenizer(f'{OUT}/tokenizer/tokenizer.json', tok)
prompts = ["a red ball bounces on a meadow", "", "A RED Ball, bouncing!!! on the Meadow...", "a purple xylophone zorbles 42 times", "the  cube\tslides   left; then 7 circles spin?",
  "Ｆｕｌｌｗｉｄｔｈ red ＢＡＬＬ", "café naïve résumé ball", " ".join(["red ball"] * 30), " ".join(f"word{i}" for i in range(60))]
ids, m = encode(tok, prompts)
out['tokens'] = [{'text': p, 'ids': ids[i].tolist(), 'mask': m[i].int().tolist()} for i, p in enumerate(prompts)]
tok2 = build_tokenizer(); tok2.no_truncation(); tok2.no_padding()
for i, p in enumerate(prompts): out['tokens'][i]['untruncated'] = len(tok2.encode(p).ids)
json.dump(out, open(f'{OUT}/reference.json', 'w'), indent=1)
# solvers.json: every sampler's trajectory (flow.integrate) on a (2, 2, 2, 2) latent with an
# analytic denoiser v = a x + b t + c (element-wise, float32), each velocity call recorded
g = torch.Generator().manual_seed(16)
a = -0.5 + 0.3 * torch.randn(2, 2, 2, 2, generator=g); b = torch.randn(2, 2, 2, 2, generator=g); c = torch.randn(2, 2, 2, 2, generator=g)
x = torch.randn(2, 2, 2, 2, generator=g)
sol = {'denoiser': {'a': f32(a), 'b': f32(b), 'c': f32(c)}, 'x': f32(x), 'runs': []}
for sampler in SAMPLERS:
  for steps, shift, start in ((3, 2.0, 1.0), (5, 2.0, 1.0), (5, 3.0, 0.6)):
    calls, states, x0s = [], [], []
    def velocity(xt, t):
      v = a * xt + b * t + c
      calls.append({'t': t, 'x': f32(xt), 'v': f32(v)})
      return v
    ts = sample_schedule(steps, shift, start)
    integrate(velocity, x, ts, sampler, lambda i, xn, x0: (states.append(f32(xn)), x0s.append(f32(x0))))
    assert len(calls) == denoiser_evaluations(sampler, steps)
    sol['runs'].append({'sampler': sampler, 'steps': steps, 'shift': shift, 'start': start, 'times': ts,
                        'evaluations': denoiser_evaluations(sampler, steps), 'calls': calls, 'states': states, 'x0': x0s})
json.dump(sol, open(f'{OUT}/solvers.json', 'w'), indent=1)
print(f'written to {OUT}')
