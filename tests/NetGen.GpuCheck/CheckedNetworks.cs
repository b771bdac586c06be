using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.GpuCheck;

/// <summary>
/// A network the check measures: its torchvision name (what ref.py builds and the files are named after), the zoo
/// class generated from the same architecture, and TorchSharp's hand-written TorchVision model where it has one.
/// </summary>
public sealed record CheckedNetwork(string Name, string ZooName, Func<Net> Generated, Func<Net>? TorchVision)
{
    /// <summary>
    /// One network per family that matters on a GPU: bottleneck residuals, depthwise convolutions with squeeze and
    /// excitation, dense concatenation, large-kernel blocks with LayerNorm, hard-swish gates and grouped
    /// convolutions. TorchSharp's TorchVision 0.107 has ResNet50 and MobileNetV3Large of these.
    /// </summary>
    public static IReadOnlyList<CheckedNetwork> All { get; } = new CheckedNetwork[]
    {
        new("resnet50", "ResNet50", () => new ResNet50(), () => torchvision.models.resnet50()),
        new("efficientnet_b0", "EfficientNetB0", () => new EfficientNetB0(), null),
        new("densenet121", "DenseNet121", () => new DenseNet121(), null),
        new("convnext_tiny", "ConvNeXtTiny", () => new ConvNeXtTiny(), null),
        new("mobilenet_v3_large", "MobileNetV3Large", () => new MobileNetV3Large(), () => torchvision.models.mobilenet_v3_large()),
        new("regnet_y_1_6gf", "RegNetY_1_6GF", () => new RegNetY_1_6GF(), null),
    };

    /// <summary>The torchvision names, in <see cref="All"/>'s order.</summary>
    public static string[] Names => All.Select(n => n.Name).ToArray();

    /// <summary>The network named <paramref name="name"/> (a torchvision name; the command line accepts only these).</summary>
    public static CheckedNetwork Named(string name) => All.Single(n => n.Name == name);
}
