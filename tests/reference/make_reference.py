#!/usr/bin/python3
"""Reference figures for the zoo tests, computed from torchvision itself.

Run with Debian's Python, which has torchvision (apt-get install python3-torchvision):

    /usr/bin/python3 tests/reference/make_reference.py > tests/NetGen.Models.Tests/Reference/torchvision.json

For every torchvision model that the zoo implements it records, built with weights=None in eval mode:
the parameter count, the state_dict keys with their shapes (in PyTorch's order), the output shape for
one sample at the native resolution, and the multiply-accumulates of Conv2d and Linear layers
(conv: output elements x in_channels/groups x kh x kw; linear: output elements x in_features).
The C# tests read only the JSON; the PyTorch target's Python half (tests/NetGen.Models.Tests/Python/pytorch_target.py)
imports MODELS and BUILT to build the same torchvision networks.
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
    "GoogLeNet": ("googlenet", {"aux_logits": True, "init_weights": False}, 224),
    "GoogLeNetNoAux": ("googlenet", {"aux_logits": False, "init_weights": False}, 224),
    "InceptionV3": ("inception_v3", {"aux_logits": True, "init_weights": False}, 299),
    "InceptionV3NoAux": ("inception_v3", {"aux_logits": False, "init_weights": False}, 299),
    "DenseNet121": ("densenet121", {}, 224),
    "DenseNet161": ("densenet161", {}, 224),
    "DenseNet169": ("densenet169", {}, 224),
    "DenseNet201": ("densenet201", {}, 224),
    "EfficientNetB0": ("efficientnet_b0", {}, 224),
    "EfficientNetB1": ("efficientnet_b1", {}, 240),
    "EfficientNetB2": ("efficientnet_b2", {}, 260),
    "EfficientNetB3": ("efficientnet_b3", {}, 300),
    "EfficientNetB4": ("efficientnet_b4", {}, 380),
    "EfficientNetB5": ("efficientnet_b5", {}, 456),
    "EfficientNetB6": ("efficientnet_b6", {}, 528),
    "EfficientNetB7": ("efficientnet_b7", {}, 600),
    "ResNeXt101_64x4d": ("resnext101_64x4d", {}, 224),
    "MobileNetV2": ("mobilenet_v2", {}, 224),
    "MobileNetV3Large": ("mobilenet_v3_large", {}, 224),
    "MobileNetV3Small": ("mobilenet_v3_small", {}, 224),
    "SqueezeNet1_0": ("squeezenet1_0", {}, 224),
    "SqueezeNet1_1": ("squeezenet1_1", {}, 224),
    "ShuffleNetV2_x0_5": ("shufflenet_v2_x0_5", {}, 224),
    "ShuffleNetV2_x1_0": ("shufflenet_v2_x1_0", {}, 224),
    "ShuffleNetV2_x1_5": ("shufflenet_v2_x1_5", {}, 224),
    "ShuffleNetV2_x2_0": ("shufflenet_v2_x2_0", {}, 224),
    "MNASNet0_5": ("mnasnet0_5", {}, 224),
    "MNASNet0_75": ("mnasnet0_75", {}, 224),
    "MNASNet1_0": ("mnasnet1_0", {}, 224),
    "MNASNet1_3": ("mnasnet1_3", {}, 224),
    "RegNetX_400MF": ("regnet_x_400mf", {}, 224),
    "RegNetX_800MF": ("regnet_x_800mf", {}, 224),
    "RegNetX_1_6GF": ("regnet_x_1_6gf", {}, 224),
    "RegNetX_3_2GF": ("regnet_x_3_2gf", {}, 224),
    "RegNetX_8GF": ("regnet_x_8gf", {}, 224),
    "RegNetX_16GF": ("regnet_x_16gf", {}, 224),
    "RegNetX_32GF": ("regnet_x_32gf", {}, 224),
    "RegNetY_400MF": ("regnet_y_400mf", {}, 224),
    "RegNetY_800MF": ("regnet_y_800mf", {}, 224),
    "RegNetY_1_6GF": ("regnet_y_1_6gf", {}, 224),
    "RegNetY_3_2GF": ("regnet_y_3_2gf", {}, 224),
    "RegNetY_8GF": ("regnet_y_8gf", {}, 224),
    "RegNetY_16GF": ("regnet_y_16gf", {}, 224),
    "RegNetY_32GF": ("regnet_y_32gf", {}, 224),
    "RegNetY_128GF": ("regnet_y_128gf", {}, 224),
    "ConvNeXtTiny": ("convnext_tiny", {}, 224),
    "ConvNeXtSmall": ("convnext_small", {}, 224),
    "ConvNeXtBase": ("convnext_base", {}, 224),
    "ConvNeXtLarge": ("convnext_large", {}, 224),
    "EfficientNetV2S": ("efficientnet_v2_s", {}, 384),
    "EfficientNetV2M": ("efficientnet_v2_m", {}, 480),
    "EfficientNetV2L": ("efficientnet_v2_l", {}, 480),
}

# Networks torchvision lacks, built from torchvision's own classes (state_dict and counts as above).
BUILT = {
    "DenseNet264": (lambda: torchvision.models.DenseNet(32, (6, 12, 64, 48), 64), 224),
}

# Networks whose reference code is not available here: parameter counts only, transcribed from
# shared/reference/other-architectures.json, which computed them from the named sources.
COUNTS_ONLY = {
    "EfficientNetL2": (480309308, "torchvision EfficientNet blocks, _efficientnet_conf(width_mult=4.3, depth_mult=5.3), 1000 classes"),
    "BiT_M_R50x1": (25549352, "google-research/big_transfer@140de6e bit_pytorch/models.py KNOWN_MODELS['BiT-M-R50x1'](head_size=1000)"),
    "BiT_M_R50x1_21k": (68256659, "google-research/big_transfer@140de6e bit_pytorch/models.py KNOWN_MODELS['BiT-M-R50x1'](head_size=21843)"),
    "BiT_M_R152x4": (936533224, "google-research/big_transfer@140de6e bit_pytorch/models.py KNOWN_MODELS['BiT-M-R152x4'](head_size=1000)"),
    "BiT_M_R152x4_21k": (1107299923, "google-research/big_transfer@140de6e bit_pytorch/models.py KNOWN_MODELS['BiT-M-R152x4'](head_size=21843)"),
    "InceptionV2": (11295240, "Cadene/pretrained-models.pytorch@8aae3d8 pretrainedmodels/models/bninception.py BNInception(1000)"),
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


def describe(name, model, source, resolution):
    macs, output_shape = macs_of(model, resolution)
    state_dict = model.state_dict()
    return {
        "torchvision": source,
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict_entries": len(state_dict),
        "state_dict": [[key, list(value.shape)] for key, value in state_dict.items()],
        "input_shape": [3, resolution, resolution],
        "output_shape": output_shape,
        "macs": macs,
    }


def main():
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": {}, "counts": {}}
    for name, (build, resolution) in BUILT.items():
        result["models"][name] = describe(name, build().eval(), name, resolution)
        print(name, result["models"][name]["parameters"], file=sys.stderr)
    for name, (count, source) in COUNTS_ONLY.items():
        result["counts"][name] = {"parameters": count, "source": source}
    for name, (constructor, kwargs, resolution) in MODELS.items():
        model = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
        result["models"][name] = describe(name, model, constructor, resolution)
        print(name, result["models"][name]["parameters"], file=sys.stderr)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
