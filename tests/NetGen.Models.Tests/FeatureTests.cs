using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Examples;
using NetGen.Examples.Backbones;
using NetGen.Generated;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// ForwardFeatures returns the stage outputs torchvision's create_feature_extractor returns for the same weights
/// and input (Fixtures/features.json, made by tests/reference/make_equivalence.py), with the shapes the
/// generator put in the FeatureMaps constants; a feature pyramid runs on top of a generated backbone.
/// </summary>
public class FeatureTests
{
    private readonly ITestOutputHelper _output;

    public FeatureTests(ITestOutputHelper output) => _output = output;

    private static readonly Lazy<JsonElement> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "features.json"))).RootElement);

    public static IEnumerable<object[]> Networks() => Fixture.Value.GetProperty("networks").EnumerateObject().Select(n => new object[] { n.Name });

    /// <summary>Each fixture network's maps in the taps' order, and the shapes its FeatureMaps record declares.</summary>
    private static (nn.Module<Tensor, Tensor> Network, Func<Tensor, Tensor[]> Features, long[][] Shapes) Create(string name) => name switch
    {
        "ResNet50" => Typed(new ResNet50(), (n, x) => n.ForwardFeatures(x).ToArray(), ResNet50.FeatureMaps.C2Shape.ToArray(), ResNet50.FeatureMaps.C3Shape.ToArray(), ResNet50.FeatureMaps.C4Shape.ToArray(), ResNet50.FeatureMaps.C5Shape.ToArray()),
        "EfficientNetB0" => Typed(new EfficientNetB0(), (n, x) => n.ForwardFeatures(x).ToArray(), EfficientNetB0.FeatureMaps.C2Shape.ToArray(), EfficientNetB0.FeatureMaps.C3Shape.ToArray(), EfficientNetB0.FeatureMaps.C4Shape.ToArray(), EfficientNetB0.FeatureMaps.C5Shape.ToArray()),
        "ConvNeXtTiny" => Typed(new ConvNeXtTiny(), (n, x) => n.ForwardFeatures(x).ToArray(), ConvNeXtTiny.FeatureMaps.C2Shape.ToArray(), ConvNeXtTiny.FeatureMaps.C3Shape.ToArray(), ConvNeXtTiny.FeatureMaps.C4Shape.ToArray(), ConvNeXtTiny.FeatureMaps.C5Shape.ToArray()),
        "RegNetY_400MF" => Typed(new RegNetY_400MF(), (n, x) => n.ForwardFeatures(x).ToArray(), RegNetY_400MF.FeatureMaps.C2Shape.ToArray(), RegNetY_400MF.FeatureMaps.C3Shape.ToArray(), RegNetY_400MF.FeatureMaps.C4Shape.ToArray(), RegNetY_400MF.FeatureMaps.C5Shape.ToArray()),
        _ => throw new ArgumentException($"No typed ForwardFeatures for {name}.", nameof(name)),
    };

    private static (nn.Module<Tensor, Tensor>, Func<Tensor, Tensor[]>, long[][]) Typed<T>(T network, Func<T, Tensor, Tensor[]> features, params long[][] shapes)
        where T : nn.Module<Tensor, Tensor> => (network, x => features(network, x), shapes);

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    [Theory]
    [MemberData(nameof(Networks))]
    public void ForwardFeatures_equals_torchvisions_stage_outputs_for_the_same_weights(string name)
    {
        var entry = Fixture.Value.GetProperty("networks").GetProperty(name);
        var tolerance = Fixture.Value.GetProperty("tolerance").GetDouble();
        var damped = entry.TryGetProperty("damped", out var keys) ? keys.EnumerateArray().Select(k => k.GetString()!).ToHashSet() : null;
        var (network, features, shapes) = Create(name);
        var inputShape = Longs(entry.GetProperty("input_shape"));
        // The FeatureMaps constants are for the network's own input size; the fixture may use a smaller one.
        var nativeSize = inputShape.Skip(1).SequenceEqual(NetworkCatalog.All.Single(n => n.Name == name).InputShape);
        using var scope = NewDisposeScope();
        using var _ = network;
        DeterministicWeights.Fill(network, damped);
        network.to(ScalarType.Float64).eval();
        var input = DeterministicWeights.Input(entry.GetProperty("input_name").GetString()!, inputShape).to(ScalarType.Float64);
        using var noGrad = no_grad();
        var maps = features(input);
        var taps = entry.GetProperty("taps").EnumerateObject().ToList();
        Assert.Equal(taps.Count, maps.Length);
        for (var i = 0; i < taps.Count; i++)
        {
            var tap = taps[i].Value;
            var expected = Longs(tap.GetProperty("shape"));
            Assert.Equal(expected, maps[i].shape.Skip(1).ToArray());
            Assert.Equal(expected[0], shapes[i][0]);
            if (nativeSize)
            {
                Assert.Equal(expected, shapes[i]);
            }

            var reference = tap.GetProperty("reference").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var actual = maps[i].flatten().index_select(0, tensor(Longs(tap.GetProperty("indices")))).data<double>().ToArray();
            var allowed = tolerance * reference.Max(Math.Abs);
            var difference = reference.Zip(actual, (r, a) => Math.Abs(r - a)).Max();
            _output.WriteLine($"{name} {taps[i].Name} ({tap.GetProperty("node").GetString()}): max |d| {difference:G3}, allowed {allowed:G3}");
            Assert.True(difference <= allowed, $"{name} {taps[i].Name}: max |d| {difference:G3} > {allowed:G3}");
        }
    }

    [Fact]
    public void Feature_map_constants_describe_the_stages_at_strides_4_to_32()
    {
        Assert.Equal(new long[] { 256, 512, 1024, 2048 }, ResNet50.FeatureMaps.Channels.ToArray());
        Assert.Equal(new long[] { 4, 8, 16, 32 }, new[] { ResNet50.FeatureMaps.C2Stride, ResNet50.FeatureMaps.C3Stride, ResNet50.FeatureMaps.C4Stride, ResNet50.FeatureMaps.C5Stride });
        Assert.Equal(new long[] { 2048, 7, 7 }, ResNet50.FeatureMaps.C5Shape.ToArray());
        Assert.Equal(new long[] { 4, 8, 16, 32 }, new[] { EfficientNetV2M.FeatureMaps.C2Stride, EfficientNetV2M.FeatureMaps.C3Stride, EfficientNetV2M.FeatureMaps.C4Stride, EfficientNetV2M.FeatureMaps.C5Stride });
        // The stride-32 tap is the last stage: the seventh for M, the sixth for S (which has no seventh).
        Assert.Equal(512, EfficientNetV2M.FeatureMaps.C5Channels);
        Assert.Equal(256, EfficientNetV2S.FeatureMaps.C5Channels);
        Assert.Equal(new long[] { 4, 8, 16, 32 }, new[] { RegNetX_400MF.FeatureMaps.C2Stride, RegNetX_400MF.FeatureMaps.C3Stride, RegNetX_400MF.FeatureMaps.C4Stride, RegNetX_400MF.FeatureMaps.C5Stride });
        Assert.Equal(new long[] { 4, 8, 16, 32 }, new[] { ConvNeXtBase.FeatureMaps.C2Stride, ConvNeXtBase.FeatureMaps.C3Stride, ConvNeXtBase.FeatureMaps.C4Stride, ConvNeXtBase.FeatureMaps.C5Stride });
    }

    [Fact]
    public void ForwardFeatures_stops_after_the_last_tap_and_leaves_no_tensor_behind()
    {
        using var network = new ResNet18(numClasses: 10);
        network.eval();
        using var input = randn(1, 3, 64, 64);
        using (var warmUp = network.ForwardFeatures(input))
        {
        }

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var maps = network.ForwardFeatures(input))
        {
            Assert.Equal(new long[] { 1, 512, 2, 2 }, maps.C5.shape);
            Assert.Equal(4, DisposeScopeManager.Statistics.ThreadTotalLiveCount - before);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void A_feature_pyramid_trains_on_a_generated_backbone_with_its_stem_frozen()
    {
        using var model = new ResNet50Fpn(outChannels: 64);
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("body.layer4.2.conv3.weight", keys);
        Assert.Contains("fpn.inner_blocks.3.0.weight", keys);
        Assert.Contains("fpn.layer_blocks.0.0.bias", keys);
        Assert.DoesNotContain(keys, k => k.Contains("._", StringComparison.Ordinal));

        model.train();
        var levels = model.call(randn(2, 3, 64, 64));
        Assert.Equal(new[] { 16L, 8, 4, 2 }, levels.Select(l => l.shape[2]).ToArray());
        Assert.All(levels, l => Assert.Equal(64, l.shape[1]));
        var loss = levels.Select(l => l.square().mean()).Aggregate((a, b) => a + b);
        loss.backward();
        Assert.Null(model.Body.Conv1.weight!.grad);
        Assert.NotNull(model.Body.Layer4[0].parameters().First().grad);
        Assert.NotNull(FirstParameter(model, "fpn.inner_blocks.0.0.weight").grad);
    }

    private static Tensor FirstParameter(nn.Module module, string key) => module.named_parameters().Single(p => p.name == key).parameter;
}
