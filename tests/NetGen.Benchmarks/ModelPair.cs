using System;
using System.Collections.Generic;
using TorchSharp;
using NetGen.Examples;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Benchmarks;

/// <summary>One architecture twice: generated from the zoo, and hand-written in TorchSharp's TorchVision.</summary>
/// <param name="MinimumResolution">The smallest input the network takes (Inception v3's stem and reductions need 75x75).</param>
public sealed record ModelPair(string Name, int Resolution, Func<Net> Generated, Func<Net> HandWritten, int MinimumResolution = 32)
{
    /// <summary>
    /// The five networks of issue 6. TorchVision 0.107's GoogLeNet has no auxiliary heads, so it is
    /// paired with the zoo's GoogLeNetNoAux; its Inception v3 registers AuxLogits, as the zoo's
    /// InceptionV3 does (the same state_dict either way, checked before timing).
    /// </summary>
    public static IReadOnlyList<ModelPair> All { get; } = new ModelPair[]
    {
        new("ResNet50", 224, () => new ResNet50(), () => torchvision.models.resnet50()),
        new("VGG16", 224, () => new VGG16(), () => torchvision.models.vgg16()),
        new("GoogLeNet", 224, () => new GoogLeNetNoAux(), () => torchvision.models.googlenet()),
        new("InceptionV3", 299, () => new InceptionV3(), () => torchvision.models.inception_v3(), MinimumResolution: 75),
        new("ResNeXt50_32x4d", 224, () => new ResNeXt50_32x4d(), () => torchvision.models.resnext50_32x4d()),
    };
}
