#!/usr/bin/python3
"""Reference figures for the zoo tests, computed from torchvision itself.

Run with Debian's Python, which has torchvision (apt-get install python3-torchvision):

    /usr/bin/python3 tests/reference/make_reference.py > tests/NetGen.Models.Tests/Reference/torchvision.json

For every torchvision model that the zoo implements it records, built with weights=None in eval mode:
the parameter count, the state_dict keys with their shapes (in PyTorch's order), the output shape for
one sample at the native resolution, and the multiply-accumulates of Conv2d and Linear layers
(conv: output elements x in_channels/groups x kh x kw; linear: output elements x in_features).
Tests read only the JSON; they never need Python.
"""
import json
import sys

import torch
import torchvision

# Generated class name -> (torchvision constructor, keyword arguments, input resolution).
MODELS = {
    "AlexNet": ("alexnet", {}, 224),
    "VGG11": ("vgg11", {}, 224),
    "VGG11_BN": ("vgg11_bn", {}, 224),
    "VGG13": ("vgg13", {}, 224),
    "VGG16": ("vgg16", {}, 224),
    "VGG16_BN": ("vgg16_bn", {}, 224),
    "VGG19": ("vgg19", {}, 224),
    "VGG19_BN": ("vgg19_bn", {}, 224),
    "ResNet18": ("resnet18", {}, 224),
    "ResNet34": ("resnet34", {}, 224),
    "ResNet50": ("resnet50", {}, 224),
    "ResNet101": ("resnet101", {}, 224),
    "ResNet152": ("resnet152", {}, 224),
    "WideResNet50_2": ("wide_resnet50_2", {}, 224),
    "WideResNet101_2": ("wide_resnet101_2", {}, 224),
    "ResNeXt50_32x4d": ("resnext50_32x4d", {}, 224),
    "ResNeXt101_32x8d": ("resnext101_32x8d", {}, 224),
}


def macs_of(model, resolution):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, torch.nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        output = model(torch.zeros(1, 3, resolution, resolution))
    for handle in handles:
        handle.remove()
    return total, list(output.shape[1:])


def main():
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": {}}
    for name, (constructor, kwargs, resolution) in MODELS.items():
        model = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
        macs, output_shape = macs_of(model, resolution)
        state_dict = model.state_dict()
        result["models"][name] = {
            "torchvision": constructor,
            "parameters": sum(p.numel() for p in model.parameters()),
            "state_dict_entries": len(state_dict),
            "state_dict": [[key, list(value.shape)] for key, value in state_dict.items()],
            "input_shape": [3, resolution, resolution],
            "output_shape": output_shape,
            "macs": macs,
        }
        print(name, result["models"][name]["parameters"], file=sys.stderr)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
