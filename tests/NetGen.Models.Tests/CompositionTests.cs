using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Examples;
using NetGen.Examples.Backbones;
using NetGen.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Generated networks inside other modules: wrapped the three usual ways they keep their own (torchvision's)
/// keys and load strictly; their typed members reach, replace and freeze what fine-tuning needs.
/// </summary>
public class CompositionTests
{
    /// <summary>A user's module the TorchSharp way: a field, then RegisterComponents.</summary>
    private sealed class Holder : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> backbone;

        public Holder(nn.Module<Tensor, Tensor> network)
            : base(nameof(Holder))
        {
            backbone = network;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => backbone.call(input);
    }

    public static IEnumerable<object[]> Networks() => NetworkCatalog.All.Select(n => new object[] { n.Name });

    [Theory]
    [MemberData(nameof(Networks))]
    public void An_instance_has_the_compiled_counts_and_torchvisions_keys_and_shapes_and_keeps_its_keys_wrapped_three_ways(string name)
    {
        var info = NetworkCatalog.All.Single(n => n.Name == name);
        using var network = info.Create();
        var bare = network.state_dict();

        // The compile-time figures the main job prints without building anything.
        Assert.Equal(info.StateDictEntries, bare.Count);
        Assert.Equal(info.ParameterCount, network.parameters().Sum(p => p.numel()));
        if (ReferenceData.TryGet(name, out var reference))
        {
            Assert.Equal(StateDictLines.Of(reference.StateDict.Select(e => (e.Key, (IEnumerable<long>)e.Shape))), StateDictLines.Of(network));
        }

        var wrappers = new (string Prefix, nn.Module Module)[]
        {
            ("backbone.", new Holder(network)),
            ("0.", nn.Sequential(("0", network))),
            ("net.", new Sequence(("net", network))),
        };
        foreach (var (prefix, wrapper) in wrappers)
        {
            var wrapped = wrapper.state_dict();
            Assert.Equal(bare.Keys.Select(k => prefix + k).OrderBy(k => k, StringComparer.Ordinal), wrapped.Keys.OrderBy(k => k, StringComparer.Ordinal));
            var source = bare.ToDictionary(e => prefix + e.Key, e => e.Value);
            var (missing, unexpected) = wrapper.load_state_dict(source, strict: true);
            Assert.Empty(missing);
            Assert.Empty(unexpected);
        }
    }

    [Fact]
    public void Typed_members_reach_the_stages_blocks_and_head_by_their_keys()
    {
        using var model = new ResNet18();
        Assert.Equal(new long[] { 1000, 512 }, model.Fc.weight!.shape);
        Assert.Equal(new long[] { 64, 3, 7, 7 }, model.Conv1.weight!.shape);
        Assert.Equal(2, model.Layer4.Count);
        Assert.Equal(new[] { "0", "1" }, model.Layer4.Names);
        Assert.Same(model.Layer4[1], model.Layer4["1"]);

        // The DSL's BasicBlock is a nested class, as in a hand-written ResNet.
        var first = Assert.IsType<ResNet18.BasicBlock>(model.Layer4[0]);
        Assert.Equal(new long[] { 512, 256, 3, 3 }, first.Conv1.weight!.shape);
        Assert.IsType<TorchSharp.Modules.Conv2d>(first.Downsample![0]);
        Assert.Null(Assert.IsType<ResNet18.BasicBlock>(model.Layer1[0]).Downsample);
        Assert.Same(model.Layer4, model.Get("layer4"));
        Assert.Same(first.Conv1, model.Get("layer4.0.conv1"));

        // A block whose calls differ in shape (EfficientNet's MBConv is residual only where it keeps the shape)
        // stays a runtime container.
        using var efficientNet = new EfficientNetB0();
        var stage = Assert.IsType<Sequence>(efficientNet.Features[2]);
        var mbconv = Assert.IsType<Residual>(stage[1]);
        Assert.Equal(2, mbconv.Body.Count);
        Assert.Null(mbconv.Shortcut);
        Assert.IsType<Sequence>(stage[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layer4[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layer4["conv1"]);
        Assert.Throws<ArgumentException>(() => model.Get("layer4.9"));

        using var googLeNet = new GoogLeNetNoAux();
        Assert.IsType<TorchSharp.Modules.Conv2d>(Assert.IsType<GoogLeNetNoAux.BasicConv2d>(googLeNet.Inception3a["branch1"]).Conv);
        Assert.Throws<KeyNotFoundException>(() => googLeNet.Inception3a["branch9"]);
    }

    [Fact]
    public void Replacing_the_head_keeps_every_key_and_the_order_of_the_children()
    {
        using var model = new ResNet18();
        var children = model.named_children().Select(c => c.name).ToList();
        model.Fc = nn.Linear(512, 10);
        Assert.Equal(children, model.named_children().Select(c => c.name).ToList());
        Assert.Equal(new long[] { 10, 512 }, model.state_dict()["fc.weight"].shape);
        model.eval();
        using (var output = model.call(randn(2, 3, 64, 64)))
        {
            Assert.Equal(new long[] { 2, 10 }, output.shape);
        }

        // torchvision's recipe for EfficientNet: replace the last layer of the classifier sequence.
        using var efficientNet = new EfficientNetB0();
        var keys = efficientNet.state_dict().Keys.ToList();
        efficientNet.Classifier[1] = nn.Linear(1280, 10);
        Assert.Equal(keys, efficientNet.state_dict().Keys.ToList());
        Assert.Equal(new long[] { 10, 1280 }, efficientNet.state_dict()["classifier.1.weight"].shape);
        efficientNet.eval();
        using var logits = efficientNet.call(randn(1, 3, 64, 64));
        Assert.Equal(new long[] { 1, 10 }, logits.shape);
    }

    [Fact]
    public void Freezing_by_path_stops_the_gradients_of_exactly_those_parameters()
    {
        using var model = new ResNet18(numClasses: 10);
        model.Freeze("conv1", "bn1", "layer1");
        foreach (var (key, parameter) in model.named_parameters())
        {
            var frozen = key.StartsWith("conv1.", StringComparison.Ordinal) || key.StartsWith("bn1.", StringComparison.Ordinal) || key.StartsWith("layer1.", StringComparison.Ordinal);
            Assert.Equal(!frozen, parameter.requires_grad);
        }

        var conv1 = model.Conv1.weight!.detach().clone();
        var fc = model.Fc.weight!.detach().clone();
        var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        model.train();
        using (var loss = nn.functional.cross_entropy(model.call(randn(4, 3, 32, 32)), tensor(new long[] { 1, 2, 3, 4 })))
        {
            loss.backward();
        }

        optimizer.step();
        Assert.True(model.Conv1.weight!.allclose(conv1, rtol: 0, atol: 0));
        Assert.False(model.Fc.weight!.allclose(fc, rtol: 0, atol: 0));

        // A typo changes nothing: every path is checked first.
        Assert.Throws<ArgumentException>(() => model.Unfreeze("layer1", "layer9"));
        Assert.False(model.Get("layer1").parameters().First().requires_grad);
        model.Unfreeze();
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
    }

    /// <summary>README's "Fine-tuning and backbones" code, with weight files saved here first.</summary>
    [Fact]
    public void The_readmes_fine_tuning_and_backbone_code_runs()
    {
        var folder = Directory.CreateTempSubdirectory("netgen-readme-");
        try
        {
            using (var source = new ResNet50())
            {
                source.SaveWeights(Path.Combine(folder.FullName, "resnet50.pt"));
            }

            using (var source = new EfficientNetB0())
            {
                source.SaveWeights(Path.Combine(folder.FullName, "efficientnet_b0.pt"));
            }

            var previous = Environment.CurrentDirectory;
            Environment.CurrentDirectory = folder.FullName;
            try
            {
                using var images = randn(2, 3, 224, 224);
                using var model = new ResNet50().LoadWeights("resnet50.pt");   // strict: torchvision's keys, 1000 classes
                model.Fc = nn.Linear(ResNet50.FeatureMaps.C5Channels, 10);    // a new head under the key 'fc'
                model.Freeze();                                                // everything…
                model.Unfreeze("layer4", "fc");                                // …but the last stage and the head
                var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.01, momentum: 0.9);

                using var efficientNet = new EfficientNetB0().LoadWeights("efficientnet_b0.pt");
                efficientNet.Classifier[1] = nn.Linear(1280, 10);             // torchvision's model.classifier[1] = …
                efficientNet.Features[0].Freeze();                             // the stem
                efficientNet.Features[1].Freeze();                             // and the first stage

                model.eval();
                using var maps = model.ForwardFeatures(images);                // C2 (N, 256, 56, 56) … C5 (N, 2048, 7, 7)
                var pyramid = new FeaturePyramid(ResNet50.FeatureMaps.Channels); // dsl-examples/Backbones/FeaturePyramid.cs
                Tensor[] levels = pyramid.call(maps.ToArray());                 // P2 … P5, 256 channels each

                Assert.Equal(new long[] { 2, 256, 56, 56 }, maps.C2.shape);
                Assert.Equal(new long[] { 2, 2048, 7, 7 }, maps.C5.shape);
                Assert.Equal(new long[] { 2, 256, 7, 7 }, levels[3].shape);
                Assert.Equal(new[] { "fc.bias", "fc.weight", "layer4." }, model.named_parameters().Where(p => p.parameter.requires_grad)
                    .Select(p => p.name.StartsWith("layer4.", StringComparison.Ordinal) ? "layer4." : p.name).Distinct().Order(StringComparer.Ordinal));
                Assert.False(efficientNet.Features[1].parameters().First().requires_grad);
                Assert.True(efficientNet.Features[2].parameters().First().requires_grad);
                using var logits = model.call(images);
                Assert.Equal(new long[] { 2, 10 }, logits.shape);
                Assert.NotNull(optimizer);
            }
            finally
            {
                Environment.CurrentDirectory = previous;
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_scale_in_a_sequence_is_a_tensor_not_a_replaceable_module()
    {
        var sequence = new Sequence(("conv", nn.Conv2d(4, 4, 1)), ("gamma", new Scale(new long[] { 4, 1, 1 }, 0.5)));
        Assert.Throws<InvalidOperationException>(() => sequence[1] = nn.Identity());
        sequence["conv"] = nn.Conv2d(4, 4, 1, bias: false);
        Assert.Equal(new[] { "conv.weight", "gamma" }, sequence.state_dict().Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Null(((TorchSharp.Modules.Conv2d)sequence["conv"]).bias);
    }
}
