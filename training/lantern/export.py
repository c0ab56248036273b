"""Export a trained checkpoint for the browser: ONNX graphs, tokenizer,
manifest. `python -m lantern.export --checkpoint DIR --out public/models/lantern-tiny`.

Graphs (batch axis dynamic everywhere; weights embedded, int8 weight-only
unless --float):
  text_encoder   ids (B, L) int64, mask (B, L) int64 -> text (B, L, Dt)
  encoder        video (B, T, 3, S, S) in [0, 1] -> normalised latent (B, C, F, h, w)
  decoder        normalised latent -> video in [0, 1]
  denoiser       x_in (B, 2C+1, F, h, w), t (B,), text -> v (B, C, F, h, w); the whole
                 graph, the reference and the WASM path
  dit_text_kv    text -> cross-attention keys and values of every block (once per clip)
  dit_stage_NN   the denoiser between attention calls; the manifest's `plan` lists them
                 in order with the attention calls between them, which the browser
                 runs with its own kernels (see ARCHITECTURE.md). With
                 `--cross-attention matmul` each block's cross-attention runs
                 inside its stage graph (against the once-per-clip text keys), so a
                 step is 1 + depth session runs instead of 1 + 2 x depth.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn as nn

from .dit import DiT, apply_rope, attention
from .pipeline import LanternModel, load_checkpoint

OPSET = 17


class Graph(nn.Module):
    """One exported graph: `fn`, computed with the modules of `owner`
    (registered here, so the trace names their weights), as the nn.Module
    torch.onnx.export takes."""

    def __init__(self, owner: nn.Module, fn: Callable[..., Any]):
        super().__init__()
        self.owner, self.fn = owner, fn

    def forward(self, *args: torch.Tensor) -> Any:
        return self.fn(*args)


def embed_stage(dit: DiT) -> Graph:
    """embed + block 0 up to its self-attention."""
    def run(x_in, t, text):
        x, c = dit.embed(x_in, t, text)
        return (x, c, *dit.blocks[0].pre_self(x, c))
    return Graph(dit, run)


def next_stage(dit: DiT, i: int) -> Graph:
    """block i from its cross-attention output to block i+1's self-attention,
    or, after the last block, to the velocity prediction."""
    def run(x, c, cross, *step):
        return after_cross(dit, i, dit.blocks[i].post_cross(x, c, cross), c, *step)
    return Graph(dit, run)


def after_cross(dit: DiT, i: int, x: torch.Tensor, c: torch.Tensor, *step: torch.Tensor) -> Any:
    """From block i's output to block i+1's self-attention inputs, or, after
    the last block, to v; step is (x_in, t) where the last stage turns an x0
    prediction into v (`last_stage_step_inputs`), else ()."""
    if i + 1 < len(dit.blocks):
        return (x, *dit.blocks[i + 1].pre_self(x, c))
    return dit.velocity(dit.final(x, c), *step) if step else dit.final(x, c)


def last_stage_step_inputs(dit: DiT) -> list[str]:
    """The step's own tensors the last stage also reads: x_in and t when
    the model predicts x0 (v = (x_t - x0) / t needs both), else none."""
    return ["x_in", "t"] if dit.cfg.prediction == "x" else []


def block_stage(dit: DiT, i: int) -> Graph:
    """block i from its self-attention output through its cross-attention
    (MatMul-Softmax-MatMul inside the graph) to what `after_cross` gives."""
    block = dit.blocks[i]

    def run(x, c, attn, k_text, v_text, *step):
        x, q_cross = block.pre_cross(x, c, attn)
        return after_cross(dit, i, block.post_cross(x, c, attention(q_cross, k_text, v_text, fast=False)), c, *step)
    return Graph(dit, run)


# Where the WebGPU plan computes cross-attention: the browser's kernel, or inside the stage graphs.
CROSS_ATTENTION = ("kernel", "matmul")


def denoiser_plan(dit: DiT, cross_attention: str = "kernel") -> tuple[list[dict], list[tuple[str, nn.Module, list[str], list[str]]]]:
    """The denoiser as an ordered plan of graph runs and attention calls,
    and the graphs to export: (name, module, input names, output names).
    Graph inputs and outputs are bound to plan tensors by `inputs`/`outputs`.
    cross_attention 'kernel' leaves every attention call to the browser's
    kernel (two stages a block); 'matmul' keeps cross-attention inside the
    stage graphs as MatMul-Softmax-MatMul (one stage a block, about half
    the session runs a step; ARCHITECTURE.md says why it is not the default)."""
    if cross_attention not in CROSS_ATTENTION:
        raise ValueError(f"Unsupported cross_attention {cross_attention!r}. Must be one of: {', '.join(CROSS_ATTENTION)}.")
    cfg = dit.cfg
    rope = {"grid": list(cfg.grid), "dims": list(cfg.rope_dims), "theta": cfg.rope_theta,
            "pairing": "interleaved", "order": "frame,row,column"}
    attn = lambda kind, q, k, v, out, keys, r: {
        "op": "attention", "kind": kind, "q": q, "k": k, "v": v, "out": out, "heads": cfg.heads,
        "headDim": cfg.head_dim, "queries": cfg.tokens, "keys": keys, "layout": "BHND",
        "scale": cfg.head_dim ** -0.5, "rope": r}
    kv_names = [f"{kv}_text_{i}" for i in range(cfg.depth) for kv in ("k", "v")]
    text_kv = Graph(dit, lambda text: tuple(t for block in dit.blocks for t in block.text_kv(text)))
    graphs = [("dit_text_kv", text_kv, ["text"], kv_names),
              ("dit_stage_00", embed_stage(dit), ["x_in", "t", "text"], ["x", "c", "q", "k", "v"])]
    plan = [{"op": "run", "graph": "dit_text_kv", "once": True, "inputs": {"text": "text"},
             "outputs": {n: n for n in kv_names}},
            {"op": "run", "graph": "dit_stage_00", "inputs": {"x_in": "x_in", "t": "t", "text": "text"},
             "outputs": {"x": "x", "c": "c", "q": "q", "k": "k", "v": "v"}}]
    for i in range(cfg.depth):
        plan.append(attn("self", "q", "k", "v", "attn", cfg.tokens, rope))
        last = i + 1 == cfg.depth
        outs = ["v_out"] if last else ["x_next", "q", "k", "v"]
        bind_outs = {"v_out": "v_out"} if last else {"x_next": "x", "q": "q", "k": "k", "v": "v"}
        step = last_stage_step_inputs(dit) if last else []
        if cross_attention != "kernel":
            stage = f"dit_stage_{i + 1:02d}"
            graphs.append((stage, block_stage(dit, i), ["x", "c", "attn", "k_text", "v_text", *step], outs))
            plan.append({"op": "run", "graph": stage, "inputs": {"x": "x", "c": "c", "attn": "attn", "k_text": f"k_text_{i}",
                                                                 "v_text": f"v_text_{i}", **{n: n for n in step}},
                         "outputs": bind_outs})
            continue
        cross, nxt = f"dit_stage_{2 * i + 1:02d}", f"dit_stage_{2 * i + 2:02d}"
        # block i from its self-attention output up to its cross-attention
        graphs.append((cross, Graph(dit.blocks[i], dit.blocks[i].pre_cross), ["x", "c", "attn"], ["x_next", "q_cross"]))
        plan.append({"op": "run", "graph": cross, "inputs": {"x": "x", "c": "c", "attn": "attn"},
                     "outputs": {"x_next": "x", "q_cross": "q_cross"}})
        plan.append(attn("cross", "q_cross", f"k_text_{i}", f"v_text_{i}", "cross", "text", None))
        graphs.append((nxt, next_stage(dit, i), ["x", "c", "cross", *step], outs))
        plan.append({"op": "run", "graph": nxt, "inputs": {"x": "x", "c": "c", "cross": "cross", **{n: n for n in step}},
                     "outputs": bind_outs})
    return plan, graphs


def run_plan(plan: list[dict], graphs: dict[str, nn.Module], inputs: dict[str, torch.Tensor],
             record: dict[str, tuple] | None = None) -> dict[str, torch.Tensor]:
    """Execute a plan in PyTorch with the reference attention: what the
    browser does with ONNX graphs and WGSL kernels. Returns every tensor by
    name (the prediction is 'v_out'); `record` collects each graph's inputs."""
    env = dict(inputs)
    for step in plan:
        if step["op"] == "run":
            args = tuple(env[step["inputs"][name]] for name in step["inputs"])
            if record is not None:
                record[step["graph"]] = args
            out = graphs[step["graph"]](*args)
            out = out if isinstance(out, tuple) else (out,)
            for target, value in zip(step["outputs"].values(), out):
                env[target] = value
        else:
            q, k, v = env[step["q"]], env[step["k"]], env[step["v"]]
            if step["rope"]:
                cos, sin = rope_cos_sin(step["rope"])
                q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            env[step["out"]] = attention(q, k, v, fast=False)
    return env


def rope_cos_sin(rope: dict) -> tuple[torch.Tensor, torch.Tensor]:
    from .dit import rope_tables

    return rope_tables(tuple(rope["grid"]), tuple(rope["dims"]), rope["theta"])


def example_inputs(model: LanternModel, batch: int = 2) -> dict[str, torch.Tensor]:
    cfg = model.cfg
    d = cfg.dit
    g = torch.Generator().manual_seed(0)
    return {
        "ids": torch.randint(4, cfg.text.vocab_size, (batch, cfg.text.max_tokens), generator=g),
        "mask": torch.ones(batch, cfg.text.max_tokens, dtype=torch.long),
        "video": torch.rand(batch, cfg.frames, 3, cfg.size, cfg.size, generator=g),
        "latent": torch.randn(batch, d.latent_channels, d.latent_frames, d.latent_size, d.latent_size, generator=g),
        "x_in": torch.randn(batch, d.in_channels, d.latent_frames, d.latent_size, d.latent_size, generator=g),
        "t": torch.rand(batch, generator=g),
        "text": torch.randn(batch, cfg.text.max_tokens, d.text_dim, generator=g),
    }


def export_graph(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str]) -> None:
    torch.onnx.export(module.eval(), args, str(path), input_names=inputs, output_names=outputs,
                      dynamic_axes={n: {0: "batch"} for n in inputs + outputs}, opset_version=OPSET,
                      dynamo=False, do_constant_folding=True)


@torch.no_grad()
def export_all(model: LanternModel, out: Path, quantize: bool = True, cross_attention: str = "kernel") -> dict:
    """Write every graph (quantized unless quantize=False) -> {name: info};
    cross_attention as in `denoiser_plan`."""
    import onnx

    from .quantize import quantize_weights

    model = model.eval().cpu()
    out.mkdir(parents=True, exist_ok=True)
    ex = example_inputs(model)
    plan, stage_graphs = denoiser_plan(model.dit, cross_attention)
    # Example inputs for the stage graphs come from running the plan once.
    stage_args: dict[str, tuple] = {}
    run_plan(plan, {name: m for name, m, _, _ in stage_graphs},
             {"x_in": ex["x_in"], "t": ex["t"], "text": ex["text"]}, record=stage_args)
    graphs = [
        ("text_encoder", Graph(model.text_encoder, lambda ids, mask: model.text_encoder(ids, mask > 0)),
         (ex["ids"], ex["mask"]), ["ids", "mask"], ["text"]),
        ("encoder", Graph(model, model.encode_video), (ex["video"],), ["video"], ["latent"]),
        ("decoder", Graph(model, model.decode_latent), (ex["latent"],), ["latent"], ["video"]),
        ("denoiser", Graph(model.dit, lambda x_in, t, text: model.dit(x_in, t, text, fast=False)),
         (ex["x_in"], ex["t"], ex["text"]), ["x_in", "t", "text"], ["v_out"]),
    ] + [(name, m, stage_args[name], ins, outs) for name, m, ins, outs in stage_graphs]
    # A folder exported before with the other plan keeps no stage graph this plan does not list.
    for stale in set(out.glob("dit_stage_*.onnx")) - {out / f"{name}.onnx" for name, *_ in stage_graphs}:
        stale.unlink()
    info = {}
    for name, module, args, ins, outs in graphs:
        path = out / f"{name}.onnx"
        export_graph(module, args, path, ins, outs)
        summary = {}
        if quantize:
            proto, summary = quantize_weights(onnx.load(str(path)))
            onnx.save(proto, str(path))
        info[name] = {"path": path.name, "inputs": ins, "outputs": outs, "bytes": path.stat().st_size, **summary}
    return {"graphs": info, "plan": plan}


def main(argv: list[str] | None = None) -> None:
    from .manifest import write_manifest

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="model folder, e.g. ../public/models/lantern-tiny")
    ap.add_argument("--manifest", type=Path, help="manifest path (default: ../models-manifest/<name>.json)")
    ap.add_argument("--float", action="store_true", help="keep float32 weights (no int8)")
    ap.add_argument("--cross-attention", choices=CROSS_ATTENTION, default="kernel",
                    help="where the WebGPU plan runs cross-attention: the browser's kernel (two stage graphs a "
                         "block), or inside the stage graphs as MatMul-Softmax-MatMul (one a block, about half "
                         "the session runs a step; slower on SwiftShader, see ARCHITECTURE.md)")
    args = ap.parse_args(argv)
    model, meta = load_checkpoint(args.checkpoint)
    exported = export_all(model, args.out, quantize=not args.float, cross_attention=args.cross_attention)
    manifest = args.manifest or Path(__file__).resolve().parents[2] / "models-manifest" / f"{model.cfg.name}.json"
    # The evaluation summary written by `lantern.score --out <manifest stem>`, if any.
    summary = manifest.with_name(f"{manifest.stem}.summary.json")
    evaluation = json.loads(summary.read_text()) if summary.exists() else None
    if evaluation:
        evaluation["report"] = f"{manifest.stem}.report.md"
    write_manifest(model, meta, exported, args.out, manifest, evaluation=evaluation)
    total = sum(g["bytes"] for g in exported["graphs"].values())
    print(f"exported {len(exported['graphs'])} graphs, {total / 1e6:.1f} MB, manifest {manifest}")


if __name__ == "__main__":
    main()
