"""The Shapes World judge: does a generated clip show what its prompt says?

    judge_clip(frames, expected, trust="prompt") -> ClipVerdict

- verdict.py: judge_clip and the decisions per attribute (colour, shape,
  motion, background, consistency), and the thresholds they use;
- features.py: what is measured in a clip's pixels (scene, background,
  foreground, radial profiles, colours);
- reference.py: what a clip is compared with, rendered by world/render.py
  and measured with features.py (background rows, palette, shape templates);
- segment.py: finding the expected objects in a clip and tracking them.
"""
from .verdict import ATTRIBUTES, TRUSTS, ClipVerdict, judge_clip

__all__ = ["ATTRIBUTES", "TRUSTS", "ClipVerdict", "judge_clip"]
