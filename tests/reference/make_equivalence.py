#!/usr/bin/python3
"""Equivalence fixtures: torchvision's outputs for deterministic weights and inputs.

Run with Debian's Python (apt-get install python3-torchvision), from the repository root:

    /usr/bin/python3 tests/reference/make_equivalence.py tests/NetGen.Models.Tests/Fixtures

Every state_dict tensor is filled from its key and element index by an integer hash that C# computes
bit for bit (tests/NetGen.Models.Tests/DeterministicWeights.cs), scaled per tensor so activations
neither vanish nor explode; inputs are filled the same way. Only outputs are stored (no weights).
The script asserts that different inputs give clearly different outputs: with careless patterns the
logits depend only on the last biases, and the C# test would check nothing.

It writes:
  equivalence.json  eval-mode logits of each network for one input at its native resolution;
  train_step.json   ResNet-18 after one train-mode forward and backward on a fixed batch: BatchNorm
                    running statistics and a few gradients;
  tiny.pt, tiny.json  a small network's torch.save state_dict (random init) and its output, to
                    prove a real PyTorch file loads strictly and reproduces PyTorch's result.
"""
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


def pattern(key, shape):
    """The value of every element of a state_dict tensor, chosen by its key and shape alone."""
    count = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, count)
    if key.endswith("num_batches_tracked"):
        return np.zeros(count)
    # Norms keep the signal's scale (gain about 1) so deep networks neither lose nor blow up the input.
    if key.endswith("running_var"):
        return 1.0 + 0.1 * u
    if key.endswith("fc2.bias"):
        # Squeeze-and-excitation gates open (sigmoid about 0.9), or they halve the signal at every block.
        return 2.0 + 0.02 * u
    if key.endswith("running_mean") or key.endswith(".bias"):
        return 0.02 * u
    if key.endswith(".bn3.weight"):
        # The last norm of a bottleneck's residual branch: damped, or activations grow with depth
        # until the logits hardly depend on the input (torchvision's zero_init_residual in spirit).
        return 0.2 + 0.02 * u
    if len(shape) == 1:
        return 1.0 + 0.1 * u
    fan_in = int(np.prod(shape[1:]))
    return u * math.sqrt(6.0 / fan_in)


def fill(model):
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            values = pattern(key, list(tensor.shape)).reshape(tensor.shape)
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
}


def equivalence(folder):
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "networks": {}}
    for name, (constructor, kwargs, resolution) in NETWORKS.items():
        model = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
        fill(model)
        shape = [1, 3, resolution, resolution]
        with torch.no_grad():
            out = model(deterministic_input("input", shape))
            other = model(deterministic_input("other input", shape))
        spread = (out - other).abs().max().item()
        scale = out.abs().max().item()
        # The fixture is only worth something if the output depends on the input: another input must
        # move the output by far more than the C# test's tolerance, 1e-3 * (1 + |ref|).
        tolerance = 1e-3 * (1 + scale)
        assert spread > 5 * tolerance, f"{name}: output barely depends on the input ({spread} vs tolerance {tolerance})"
        result["networks"][name] = {"input_name": "input", "input_shape": shape, "output": short(out)}
        print(f"{name}: |out| max {scale:.4f}, another input moves it by {spread:.4f} = {spread / tolerance:.0f}x the tolerance", file=sys.stderr)
    with open(os.path.join(folder, "equivalence.json"), "w") as f:
        json.dump(result, f)


def short(tensor):
    """A tensor's values as float32 text (9 significant digits round-trip a float32)."""
    return [float(f"{v:.9g}") for v in tensor.flatten().tolist()]


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
    x = deterministic_input("tiny input", [2, 1, 28, 28])
    with torch.no_grad():
        out = model(x)
    with open(os.path.join(folder, "tiny.json"), "w") as f:
        json.dump({"input_name": "tiny input", "input_shape": [2, 1, 28, 28], "output": short(out)}, f)


if __name__ == "__main__":
    folder = sys.argv[1]
    tiny(folder)
    train_step(folder)
    equivalence(folder)
