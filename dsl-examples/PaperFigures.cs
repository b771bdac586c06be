using System.Collections.Generic;

namespace NetGen.Examples;

/// <summary>A network's figures as the literature reports them (the seed article's summary table).</summary>
/// <param name="Model">The name the article uses.</param>
/// <param name="Parameters">Parameters as reported.</param>
/// <param name="Top1">ImageNet top-1 accuracy as reported.</param>
/// <param name="Year">Year of publication.</param>
/// <param name="Note">Why the generated network's count differs from the reported one, where it does (docs/zoo.md has the detail).</param>
public sealed record PaperFigure(string Model, string Parameters, string Top1, int Year, string? Note = null);

/// <summary>The seed article's table, keyed by the generated class that implements each row.</summary>
public static class PaperFigures
{
    /// <summary>Rows in the article's order.</summary>
    public static IReadOnlyList<(string Network, PaperFigure Figure)> SeedTable { get; } = new (string, PaperFigure)[]
    {
        ("AlexNet", new("AlexNet", "60 M", "63.3 %", 2012, "torchvision's single-tower AlexNet (2014); the paper's two-GPU network of 2012 reports 60 M")),
        ("GoogLeNetNoAux", new("Inception V1", "5 M", "69.8 %", 2014, "the paper gives only \"12 times fewer than AlexNet\"; torchvision's layout, 1,025,000 of it in the classifier")),
        ("VGG16", new("VGG 16", "138 M", "74.4 %", 2014)),
        ("VGG19", new("VGG 19", "144 M", "74.5 %", 2014)),
        ("InceptionV2", new("Inception V2", "11.2 M", "74.8 %", 2015)),
        ("ResNet50", new("ResNet-50", "26 M", "77.15 %", 2015)),
        ("ResNet152", new("ResNet-152", "60 M", "78.57 %", 2015)),
        ("InceptionV3", new("Inception V3", "27 M", "78.8 %", 2015)),
        ("DenseNet121", new("DenseNet-121", "8 M", "74.98 %", 2016)),
        ("DenseNet264", new("DenseNet-264", "22 M", "77.85 %", 2016, "the paper's ImageNet configuration (k=32, 6-12-64-48) in torchvision's DenseNet; 22 M matches none we could derive")),
        ("BiT_M_R152x4", new("BiT-L (ResNet)", "928 M", "87.54 %", 2019, "ours includes a 1000-class head of 8,193,000; without it 928,340,224")),
        ("EfficientNetL2", new("NoisyStudent EfficientNet-L2", "480 M", "88.4 %", 2020)),
        ("EfficientNetL2", new("Meta Pseudo Labels", "480 M", "90.2 %", 2021)),
    };
}
