"""The manifest's sampler block: the defaults the engine gives a request
without sampler settings are one of the page's Speed presets, and every
preset is a sampler flow.py has (workers/model-files/manifest-sampler.ts
refuses a manifest otherwise)."""
from types import SimpleNamespace

from lantern.flow import SAMPLERS
from lantern.manifest import DEFAULT_SPEED, SPEEDS, sampler_block


def test_the_default_is_a_preset_and_every_preset_is_a_known_sampler():
    block = sampler_block(SimpleNamespace(flow=SimpleNamespace(shift=2.0, default_guidance=4.0)))
    default = {"sampler": block["defaultSampler"], "steps": block["defaultSteps"], "shift": block["defaultShift"]}
    assert default == SPEEDS[DEFAULT_SPEED]
    assert set(block["speeds"]) == {"quality", "fast"}
    assert len({tuple(p.values()) for p in SPEEDS.values()}) == 2
    for preset in SPEEDS.values():
        assert preset["sampler"] in SAMPLERS and preset["steps"] >= 1 and 0 < preset["shift"] <= 100
    assert block["shift"] == 2.0  # the model's own schedule: recipes from before presets had shifts use it
