#!/usr/bin/python3
"""Equivalence fixtures: torchvision's outputs for deterministic weights and inputs.

Run with Debian's Python (apt-get install python3-torchvision), from the repository root:

    /usr/bin/python3 tests/reference/make_equivalence.py tests/NetGen.Models.Tests/Fixtures

Every state_dict tensor is filled from its key and element index by an integer hash that C# computes
bit for bit (tests/NetGen.Models.Tests/DeterministicWeights.cs), scaled per tensor so activations
neither vanish nor explode; inputs are filled the same way. Only outputs are stored (no weights).
The script asserts that different inputs give outputs far apart compared with the C# check's tolerance:
with careless patterns the logits depend only on the last biases, and the C# test would check nothing.

It writes:
  equivalence.json  eval-mode logits of each network at its native resolution, computed in float64 (the
                    reference), for two inputs, and torch's float32 error against it (the floor of the
                    C# check); plus mutated networks the check must reject;
  train_step.json   ResNet-18 after one train-mode forward and backward on a fixed batch: BatchNorm
                    running statistics and a few gradients; under "networks", the same for one network
                    of each family of issue 15 (dropout and stochastic depth off), in float64: the loss,
                    first and last BatchNorm statistics, three gradients (the last parameter's is the
                    classifier bias, softmax minus targets, so it checks the train-mode logits);
  tiny.pt, tiny.json  a small network's torch.save state_dict (random init) and its reference, to
                    prove a real PyTorch file loads strictly and reproduces PyTorch's result;
  features.json     torchvision's create_feature_extractor stage outputs (float64) of one network per
                    family with taps, for ForwardFeatures: each map's shape and 512 evenly spaced elements.

Names after the folder make only those fixtures: make_equivalence.py FOLDER features
"""
import argparse
import copy
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

MASK = 0xFFFFFFFF


def fnv1a(text):
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & MASK
    return h


def uniform(key, count):
    """count values in [-1, 1] from the key and the element index (exact in float64 on both sides)."""
    j = np.arange(count, dtype=np.uint64)
    x = (np.uint64(fnv1a(key)) ^ ((j * np.uint64(0x9E3779B1)) & np.uint64(MASK))) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(MASK)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    return ((x % np.uint64(2001)).astype(np.int64) - 1000).astype(np.float64) / 1000.0


def pattern(key, shape, damped=()):
    """The value of every element of a state_dict tensor, chosen by its key and shape alone (and by the
    fixture's list of damped keys)."""
    count = int(np.prod(shape)) if len(shape) else 1
    return scaled(key, shape, uniform(key, count), damped)


def scaled(key, shape, u, damped=()):
    """A tensor's values from u, uniform in [-1, 1], scaled by the tensor's role (its key and shape)."""
    offset, factor = role(key, shape, damped)
    return offset + factor * u


def role(key, shape, damped=()):
    """(offset, factor) of a tensor's role (its key and shape): its values are offset + factor * u."""
    if key.endswith("num_batches_tracked"):
        return 0.0, 0.0
    # Norms keep the signal's scale (gain about 1) so deep networks neither lose nor blow up the input.
    if key.endswith("running_var"):
        return 1.0, 0.1
    if key.endswith("fc2.bias"):
        # Squeeze-and-excitation gates open (sigmoid about 0.9), or they halve the signal at every block.
        return 2.0, 0.02
    if key.endswith("running_mean") or key.endswith(".bias"):
        return 0.0, 0.02
    if key.endswith(".bn3.weight") or key in damped:
        # The last norm of a bottleneck's residual branch: damped, or activations grow with depth
        # until the logits hardly depend on the input (torchvision's zero_init_residual in spirit).
        # Other networks name the keys to damp (see DAMPED).
        return 0.2, 0.02
    if len(shape) == 1:
        return 1.0, 0.1
    fan_in = int(np.prod(shape[1:]))
    return 0.0, math.sqrt(6.0 / fan_in)


def fill(model, damped=()):
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            values = pattern(key, list(tensor.shape), damped).reshape(tensor.shape)
            tensor.copy_(torch.from_numpy(values).to(tensor.dtype))


def deterministic_input(name, shape):
    return torch.from_numpy(uniform(name, int(np.prod(shape))).reshape(shape)).float()


# Generated class -> (torchvision constructor, keyword arguments, resolution)
NETWORKS = {
    "AlexNet": ("alexnet", {}, 224),
    "VGG16": ("vgg16", {}, 224),
    "ResNet18": ("resnet18", {}, 224),
    "ResNet50": ("resnet50", {}, 224),
    "GoogLeNetNoAux": ("googlenet", {"aux_logits": False, "init_weights": False}, 224),
    "InceptionV3NoAux": ("inception_v3", {"aux_logits": False, "init_weights": False}, 299),
    "DenseNet121": ("densenet121", {}, 224),
    "EfficientNetB0": ("efficientnet_b0", {}, 224),
    "ResNeXt50_32x4d": ("resnext50_32x4d", {}, 224),
    "WideResNet50_2": ("wide_resnet50_2", {}, 224),
    "VGG16_BN": ("vgg16_bn", {}, 224),
    # One network per family of issue 15, at a reduced resolution (all end in adaptive pooling) to keep
    # the C# tests fast.
    "MobileNetV2": ("mobilenet_v2", {}, 96),
    "MobileNetV3Large": ("mobilenet_v3_large", {}, 96),
    "SqueezeNet1_1": ("squeezenet1_1", {}, 96),
    "ShuffleNetV2_x1_0": ("shufflenet_v2_x1_0", {}, 96),
    "MNASNet1_0": ("mnasnet1_0", {}, 96),
    "RegNetY_400MF": ("regnet_y_400mf", {}, 96),
    "ConvNeXtTiny": ("convnext_tiny", {}, 96),
    "EfficientNetV2S": ("efficientnet_v2_s", {}, 96),
}

# Networks whose residual branches end in a damped norm, as ResNets' ".bn3.weight" (the keys are stored in the
# fixture as "damped"): EfficientNetV2-S stacks 40 residual blocks, and undamped its activations grow 1.3 to
# 1.7 times per block to 1e5, where float32 noise hides the input.
DAMPED = {"EfficientNetV2S"}


def damped_keys(name, model):
    """The weight of the last BatchNorm of every residual branch (torchvision's blocks with use_res_connect)."""
    if name not in DAMPED:
        return []
    keys = []
    for path, module in model.named_modules():
        if getattr(module, "use_res_connect", False):
            norms = [n for n, m in module.block.named_modules() if isinstance(m, nn.BatchNorm2d)]
            keys.append(f"{path}.block.{norms[-1]}.weight")
    return keys


# Networks checked after one train-mode forward and backward (train_step.json's "networks"), on a batch
# of two at this resolution.
TRAIN_NETWORKS = ["MobileNetV2", "MobileNetV3Large", "SqueezeNet1_1", "ShuffleNetV2_x1_0", "MNASNet1_0",
                  "RegNetY_400MF", "ConvNeXtTiny", "EfficientNetV2S"]
TRAIN_RESOLUTION = 64
TRAIN_TARGETS = [3, 7]

# The train-step check of EquivalenceTests.cs runs in float64 on both sides (weights filled in float32, then
# widened): |C# - reference| <= TRAIN_TOLERANCE * max |reference| per compared tensor. In float32, libtorch
# 2.10's convolution backward alone differs from torch 1.13's by up to 1e-2 of a first layer's gradient
# (MNASNet, SqueezeNet); in float64 the two agree to the 9 digits stored.
TRAIN_TOLERANCE = 1e-6


# The equivalence check of EquivalenceTests.cs: |C# float32 - reference| <= SPREAD_TOLERANCE * (max - min of
# the reference) + FLOOR_FACTOR * (torch's own float32 error against its float64 run). Measured with libtorch
# 2.10: the generated networks' float32 error is at most torch 1.13's on every network, oneDNN on or off.
SPREAD_TOLERANCE = 1e-5
FLOOR_FACTOR = 4


def outputs(model, x):
    """The model's float32 output and its float64 output (a double copy of the same weights)."""
    with torch.no_grad():
        single = model(x.float())
        double = copy.deepcopy(model).double()(x.double())
    return single, double


def tolerance(reference, float32_error):
    return SPREAD_TOLERANCE * (reference.max() - reference.min()).item() + FLOOR_FACTOR * float32_error


def fixture(model, shape, input_name="input"):
    """Reference outputs for two deterministic inputs, and the float32 floor; asserts input sensitivity."""
    single, double = outputs(model, deterministic_input(input_name, shape))
    float32_error = (single.double() - double).abs().max().item()
    _, other = outputs(model, deterministic_input("other " + input_name, shape))
    allowed = tolerance(double, float32_error)
    moved = (other - double).abs().max().item()
    # Only an input-sensitive fixture checks anything: with careless weights the logits depend on the last
    # biases alone. Another input must move the output far beyond the tolerance (EquivalenceTests repeats this).
    assert moved > 100 * allowed, f"output barely depends on the input ({moved} vs tolerance {allowed})"
    return {"input_name": input_name, "other_input_name": "other " + input_name, "input_shape": shape, "float32_error": float32_error,
            "reference": exact(double), "other_reference": exact(other)}, allowed, moved


def equivalence(folder):
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__,
              "spread_tolerance": SPREAD_TOLERANCE, "floor_factor": FLOOR_FACTOR, "networks": {}, "mutations": {}}
    for name, (constructor, kwargs, resolution) in NETWORKS.items():
        model = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
        damped = damped_keys(name, model)
        fill(model, damped)
        entry, allowed, moved = fixture(model, [1, 3, resolution, resolution])
        if damped:
            entry["damped"] = damped
        result["networks"][name] = entry
        print(f"{name}: float32 error {entry['float32_error']:.2e}, tolerance {allowed:.2e}, another input moves it by {moved:.3f} = {moved / allowed:.0f}x", file=sys.stderr)
    # A mutation the check must reject: torchvision's EfficientNet-B0 with MobileNetV3's hardsigmoid in its
    # squeeze-and-excitation gates, against the generated network's sigmoid (the C# test expects a failure).
    model = torchvision.models.efficientnet_b0(weights=None).eval()
    for module in model.modules():
        if isinstance(module, torchvision.ops.SqueezeExcitation):
            module.scale_activation = nn.Hardsigmoid()
    fill(model)
    entry, _, _ = fixture(model, [1, 3, 224, 224])
    result["mutations"]["EfficientNetB0 with hardsigmoid gates"] = dict(entry, network="EfficientNetB0")
    with open(os.path.join(folder, "equivalence.json"), "w") as f:
        json.dump(result, f)


def exact(tensor):
    """A float64 tensor's values as shortest round-trip text."""
    return [float(repr(v)) for v in tensor.flatten().tolist()]


def short(tensor):
    """A tensor's values as float32 text (9 significant digits round-trip a float32)."""
    return [float(f"{v:.9g}") for v in tensor.flatten().tolist()]


def train_mode(model):
    """Train mode with dropout and stochastic depth off: BatchNorm uses (and updates) batch statistics,
    and nothing random runs, so C# can reproduce the step (its random numbers are not PyTorch's)."""
    model.train()
    for module in model.modules():
        if isinstance(module, (nn.Dropout, torchvision.ops.StochasticDepth)):
            module.eval()
    return model


def one_step(model, x, target):
    """One train-mode forward and backward: loss, state_dict after the step, parameters with gradients."""
    loss = nn.functional.cross_entropy(model(x), target)
    loss.backward()
    return loss.detach(), model.state_dict(), dict(model.named_parameters())


def checked_tensors(model):
    """What the train-step check compares besides the loss: the first and last BatchNorm statistics
    (none without BatchNorm), and the gradients of the first parameter, of a vector (a norm's weight or a
    bias) halfway down, and of the last parameter."""
    keys = [k for k in model.state_dict() if k.endswith("running_mean") or k.endswith("running_var")]
    buffers = sorted(set(keys[:2] + keys[-2:]), key=keys.index)
    names = [n for n, _ in model.named_parameters()]
    vectors = [n for n, p in model.named_parameters() if p.dim() == 1]
    gradients = [names[0], vectors[len(vectors) // 2], names[-1]]
    return buffers, gradients


def network_train_step(name):
    """One train-mode step in float64 of weights filled in float32 (as the C# test fills and widens them)."""
    constructor, kwargs, _ = NETWORKS[name]
    model = getattr(torchvision.models, constructor)(weights=None, **kwargs)
    damped = damped_keys(name, model)
    fill(model, damped)
    buffers, gradients = checked_tensors(model)
    input_name = "train input " + name
    shape = [2, 3, TRAIN_RESOLUTION, TRAIN_RESOLUTION]
    x = deterministic_input(input_name, shape).double()
    loss, state, parameters = one_step(train_mode(model.double()), x, torch.tensor(TRAIN_TARGETS))
    checks = ([{"what": "loss", "key": None, "reference": short(loss)}]
              + [{"what": "buffer", "key": k, "reference": short(state[k])} for k in buffers]
              + [{"what": "gradient", "key": k, "reference": short(parameters[k].grad)} for k in gradients])
    print(f"train step {name}: loss {loss.item():.6f}", file=sys.stderr)
    entry = {"input_name": input_name, "input_shape": shape, "targets": TRAIN_TARGETS, "tolerance": TRAIN_TOLERANCE,
             "checks": checks}
    if damped:
        entry["damped"] = damped
    return entry


def train_step(folder):
    model = torchvision.models.resnet18(weights=None)
    fill(model)
    model.train()
    x = deterministic_input("train input", [2, 3, 64, 64])
    target = torch.tensor([3, 7])
    loss = nn.functional.cross_entropy(model(x), target)
    loss.backward()
    state = model.state_dict()
    params = dict(model.named_parameters())
    result = {
        "loss": loss.item(),
        "buffers": {k: short(state[k]) for k in ["bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_mean", "layer4.1.bn2.running_var", "layer2.0.downsample.1.running_var"]},
        "gradients": {k: short(params[k].grad) for k in ["conv1.weight", "bn1.weight", "layer4.1.bn2.weight", "fc.bias", "layer3.0.downsample.0.weight"]},
        "networks": {name: network_train_step(name) for name in TRAIN_NETWORKS},
    }
    with open(os.path.join(folder, "train_step.json"), "w") as f:
        json.dump(result, f)
    print(f"train step: loss {result['loss']:.6f}", file=sys.stderr)


class Tiny(nn.Module):
    """The same layout as dsl-examples/Networks/tiny.net.txt's TinyResNet (names included)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.block1 = Basic(16, 16, 1)
        self.block2 = Basic(16, 32, 2)
        self.block3 = Basic(32, 64, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)) if stride != 1 or cin != cout else None

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


def tiny(folder):
    torch.manual_seed(7)
    model = Tiny()
    # A few training steps give the BatchNorm statistics values other than the initial ones.
    model.train()
    with torch.no_grad():
        for step in range(3):
            model(torch.randn(8, 1, 28, 28))
    model.eval()
    torch.save(model.state_dict(), os.path.join(folder, "tiny.pt"))
    entry, _, _ = fixture(model, [2, 1, 28, 28], "tiny input")
    with open(os.path.join(folder, "tiny.json"), "w") as f:
        json.dump(entry, f)


# Networks whose ForwardFeatures is checked against torchvision's create_feature_extractor (features.json):
# the generated class's taps -> torchvision's node names, and the resolution.
FEATURE_NETWORKS = {
    "ResNet50": ({"c2": "layer1", "c3": "layer2", "c4": "layer3", "c5": "layer4"}, 224),
    "EfficientNetB0": ({"c2": "features.2", "c3": "features.3", "c4": "features.5", "c5": "features.7"}, 224),
    "ConvNeXtTiny": ({"c2": "features.1", "c3": "features.3", "c4": "features.5", "c5": "features.7"}, 96),
    "RegNetY_400MF": ({"c2": "trunk_output.block1", "c3": "trunk_output.block2", "c4": "trunk_output.block3",
                       "c5": "trunk_output.block4"}, 96),
}
# Elements of each map stored (evenly spaced over the flattened map), and the check's tolerance: float64 on
# both sides, |C# - reference| <= FEATURE_TOLERANCE * max |reference| per map.
FEATURE_SAMPLES = 512
FEATURE_TOLERANCE = 1e-9


def features(folder):
    from torchvision.models.feature_extraction import create_feature_extractor
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "samples": FEATURE_SAMPLES,
              "tolerance": FEATURE_TOLERANCE, "networks": {}}
    for name, (nodes, resolution) in FEATURE_NETWORKS.items():
        constructor, kwargs, _ = NETWORKS[name]
        model = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
        damped = damped_keys(name, model)
        fill(model, damped)
        extractor = create_feature_extractor(model.double(), return_nodes={node: tap for tap, node in nodes.items()})
        input_name = "features input " + name
        shape = [1, 3, resolution, resolution]
        with torch.no_grad():
            maps = extractor(deterministic_input(input_name, shape).double())
            others = extractor(deterministic_input("other " + input_name, shape).double())
        taps = {}
        for tap, node in nodes.items():
            flat = maps[tap].flatten()
            indices = np.linspace(0, flat.numel() - 1, FEATURE_SAMPLES).round().astype(np.int64)
            sample = flat[torch.from_numpy(indices)]
            moved = (others[tap].flatten()[torch.from_numpy(indices)] - sample).abs().max().item()
            allowed = FEATURE_TOLERANCE * sample.abs().max().item()
            # The same input-sensitivity guard as the logits' fixture: another input moves every map.
            assert moved > 1e6 * allowed, f"{name} {tap}: the map barely depends on the input"
            taps[tap] = {"node": node, "shape": list(maps[tap].shape[1:]), "indices": indices.tolist(), "reference": exact(sample),
                         "sum": flat.sum().item()}
            print(f"features {name} {tap} ({node}): {list(maps[tap].shape)}, another input moves it by {moved:.3g}", file=sys.stderr)
        entry = {"input_name": input_name, "input_shape": shape, "taps": taps}
        if damped:
            entry["damped"] = damped
        result["networks"][name] = entry
    with open(os.path.join(folder, "features.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    fixtures = {"tiny": tiny, "train_step": train_step, "equivalence": equivalence, "features": features}
    parser = argparse.ArgumentParser(description="Make the reference fixtures the model tests compare against.")
    parser.add_argument("folder", help="where the fixtures are written")
    parser.add_argument("fixtures", nargs="*", metavar="FIXTURE", help=f"only these, of {', '.join(fixtures)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.fixtures if name not in fixtures]
    if unknown:
        parser.error(f"unknown fixture {', '.join(unknown)}; the fixtures are {', '.join(fixtures)}")
    for name in args.fixtures or list(fixtures):
        fixtures[name](args.folder)
