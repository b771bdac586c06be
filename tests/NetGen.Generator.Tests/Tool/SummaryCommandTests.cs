using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Generator.Binding;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen summary</c>: the torchinfo-style table, its joins and its totals.</summary>
public class SummaryCommandTests
{
    private static NetworkModel Network(string file, string name) =>
        FrontEnd.Compile(File.ReadAllText(ToolRunner.Zoo(file)), ToolRunner.Zoo(file)).Networks.Single(n => n.ClassName == name);

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static IEnumerable<object[]> ZooNetworks() => Repository.ZooFiles()
        .SelectMany(f => FrontEnd.Compile(f.Text, f.Name).Networks.Select(n => new object[] { f.Name, n.ClassName }));

    [Fact]
    public void Summary_totals_for_ResNet50_are_its_parameters_and_MACs()
    {
        var model = Network("resnet.net.txt", "ResNet50");

        var result = ToolRunner.Run("summary", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(25_557_032, model.ParameterCount);
        Assert.Contains("Total params: 25,557,032 (25.56 M)", result.OutputLines);
        Assert.Contains($"Total MACs: {N(model.Macs)} (4.09 G)", result.OutputLines);
        Assert.Contains("Input shape: [-1, 3, 224, 224]", result.OutputLines);
        Assert.Contains("Output shape: [-1, 1000]", result.OutputLines);
        Assert.Contains("Params size (MB): 102.23", result.OutputLines);
    }

    [Fact]
    public void Summary_lists_the_skip_edge_of_every_residual_block()
    {
        var result = ToolRunner.Run("summary", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50");

        var lines = result.OutputLines;
        Assert.Equal(12, lines.Count(l => l == "↳ + skip from input, then relu"));
        Assert.Equal(4, lines.Count(l => l.StartsWith("↳ + shortcut: downsample (conv 1x1", System.StringComparison.Ordinal)));
        Assert.Contains("↳ + shortcut: downsample (conv 1x1/2 512, bn), then relu", lines);
        var block = lines.Single(l => l.StartsWith("layer2.0 ", System.StringComparison.Ordinal));
        Assert.Matches(@"^layer2\.0 +Bottleneck \(residual → relu\) +\[-1, 512, 28, 28\] +379,392 +372,506,624$", block);
        Assert.Matches(@"^layer2\.0\.conv2 +conv 3x3/2 128 +\[-1, 128, 28, 28\] +147,456 +115,605,504$", lines.Single(l => l.StartsWith("layer2.0.conv2 ", System.StringComparison.Ordinal)));
    }

    [Fact]
    public void Summary_shows_how_concat_and_dense_blocks_join()
    {
        var googlenet = ToolRunner.Run("summary", ToolRunner.Zoo("googlenet.net.txt"), "--network", "GoogLeNet").OutputLines;
        var densenet = ToolRunner.Run("summary", ToolRunner.Zoo("densenet.net.txt"), "--network", "DenseNet121").OutputLines;

        Assert.Equal(9, googlenet.Count(l => l.StartsWith("↳ concat of 4 branches → ", System.StringComparison.Ordinal)));
        Assert.Contains("↳ concat of 4 branches → 256 ch", googlenet);
        Assert.Equal(2, googlenet.Count(l => l.StartsWith("↳ auxiliary head on the output of inception4", System.StringComparison.Ordinal)));
        Assert.Contains("↳ concat(input, body) → 96 ch", densenet);
    }

    [Theory]
    [MemberData(nameof(ZooNetworks))]
    public void Summary_totals_of_every_zoo_network_match_the_model(string file, string name)
    {
        var model = Network(file, name);

        var result = ToolRunner.Run("summary", ToolRunner.Zoo(file), "--network", name);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Contains($"Total params: {N(model.ParameterCount)}", result.Output);
        Assert.Contains($"Total MACs: {N(model.Macs)}", result.Output);
    }

    [Fact]
    public void Summary_without_a_network_name_shows_every_network_of_the_file()
    {
        var result = ToolRunner.Run("summary", ToolRunner.Zoo("resnet.net.txt"));

        var names = FrontEnd.Compile(File.ReadAllText(ToolRunner.Zoo("resnet.net.txt"))).Networks.Select(n => n.ClassName).ToList();
        Assert.Equal(names.Count, result.OutputLines.Count(l => l.StartsWith("Total params: ", System.StringComparison.Ordinal)));
        Assert.All(names, name => Assert.Contains($"{name} (resnet.net.txt)", result.OutputLines));
    }

    [Fact]
    public void Summary_as_json_carries_the_same_rows_and_totals()
    {
        var model = Network("resnet.net.txt", "ResNet18");

        var result = ToolRunner.Run("summary", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet18", "--json");

        using var json = JsonDocument.Parse(result.Output);
        var network = json.RootElement.EnumerateArray().Single();
        Assert.Equal(model.ParameterCount, network.GetProperty("parameters").GetInt64());
        Assert.Equal(model.Macs, network.GetProperty("macs").GetInt64());
        var rows = network.GetProperty("rows").EnumerateArray().ToList();
        var conv = rows.Single(r => r.GetProperty("path").GetString() == "layer2.0.conv1");
        Assert.Equal("conv 3x3/2 128", conv.GetProperty("kind").GetString());
        Assert.Equal(new long[] { 128, 28, 28 }, conv.GetProperty("output").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal("+ shortcut: downsample (conv 1x1/2 128, bn), then relu", rows.Single(r => r.GetProperty("path").GetString() == "layer2.0").GetProperty("joins").GetString());
    }
}
