using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using NetGen.Tool.Graph;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen graph</c>: Mermaid and DOT that their tools accept, with the joins drawn as nodes.</summary>
public class GraphCommandTests
{
    private static readonly string ResNet = ToolRunner.Zoo("resnet.net.txt");
    private static readonly string GoogLeNet = ToolRunner.Zoo("googlenet.net.txt");

    public static IEnumerable<object[]> ZooNetworks() => Repository.ZooFiles()
        .SelectMany(f => FrontEnd.Compile(f.Text, f.Name).Networks.Select(n => new object[] { f.Name, n.ClassName }));

    private static string Draw(string file, string network, string format, string detail = "layers")
    {
        var result = ToolRunner.Run("graph", file, "--network", network, "--format", format, "--detail", detail);
        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Empty(result.Error);
        return result.Output;
    }

    /// <summary>Renders DOT with Graphviz when it is installed; the structural check runs either way.</summary>
    private static void AssertGraphvizAccepts(string dot)
    {
        if (Graphviz.Locate(ToolEnvironment.Current.SearchPath) is not { } program)
        {
            return;
        }

        using var folder = new TempFolder();
        var svg = Path.Combine(folder.Path, "graph.svg");
        Assert.Null(Graphviz.Render(program, dot, "svg", svg));
        Assert.Contains("<svg", File.ReadAllText(svg));
    }

    [Fact]
    public void Mermaid_graph_of_ResNet50_is_a_well_formed_flowchart_with_an_add_node_per_residual_block()
    {
        var graph = GraphSyntax.ReadMermaid(Draw(ResNet, "ResNet50", "mermaid"));

        Assert.Equal(16, graph.NodesStartingWith("add").Count());
        var skips = graph.Edges.Where(e => e.Arrow == "-.->").ToList();
        Assert.Equal(16, skips.Count);
        Assert.All(skips, s => Assert.StartsWith("add", s.To));
        Assert.Equal(4, skips.Count(s => s.Label is not null && s.Label.StartsWith("downsample: conv 1x1", System.StringComparison.Ordinal)));
        Assert.Contains("conv1: conv 7x7/2 64 · bn · relu<br/>64×112×112", graph.Nodes.Values);
        Assert.Equal(20, graph.Clusters);
    }

    [Fact]
    public void Dot_graph_of_ResNet50_is_valid_for_Graphviz_with_an_add_node_per_residual_block()
    {
        var dot = Draw(ResNet, "ResNet50", "dot");

        var graph = GraphSyntax.ReadDot(dot);
        Assert.Equal(16, graph.NodesStartingWith("add").Count());
        Assert.Equal(16, graph.Edges.Count(e => e.Arrow == "dashed"));
        Assert.Contains("downsample: conv 1x1/2 512 · bn", graph.Edges.Select(e => e.Label));
        Assert.Contains("rankdir=TB", dot);
        Assert.Contains("label=\"layer1.0 (Bottleneck)\"", dot);
        AssertGraphvizAccepts(dot);
    }

    [Theory]
    [InlineData("mermaid")]
    [InlineData("dot")]
    public void GoogLeNet_has_one_concat_node_per_inception_module_and_its_auxiliary_heads_branch_off(string format)
    {
        var text = Draw(GoogLeNet, "GoogLeNet", format);
        var graph = format == "dot" ? GraphSyntax.ReadDot(text) : GraphSyntax.ReadMermaid(text);

        var concats = graph.NodesStartingWith("cat").ToList();
        Assert.Equal(9, concats.Count);
        Assert.All(concats, c => Assert.Equal(4, graph.Edges.Count(e => e.To == c)));
        Assert.Equal(3, graph.NodesStartingWith("out").Count());
        Assert.Equal(2, graph.Edges.Count(e => e.Label == "aux"));
        if (format == "dot")
        {
            AssertGraphvizAccepts(text);
        }
    }

    [Fact]
    public void Blocks_detail_draws_each_block_as_one_node()
    {
        var graph = GraphSyntax.ReadMermaid(Draw(ResNet, "ResNet50", "mermaid", "blocks"));

        Assert.Empty(graph.NodesStartingWith("add"));
        var blocks = graph.Nodes.Values.Where(l => l.Contains(" (Bottleneck)<br/>residual: ")).ToList();
        Assert.Equal(16, blocks.Count);
        Assert.Contains("layer2.0 (Bottleneck)<br/>residual: + downsample (conv 1x1/2 512 · bn) → relu<br/>512×28×28 · 379,392 params", blocks);
    }

    [Theory]
    [MemberData(nameof(ZooNetworks))]
    public void Every_zoo_network_draws_as_well_formed_mermaid_and_dot_at_both_levels(string file, string network)
    {
        foreach (var detail in new[] { "layers", "blocks" })
        {
            GraphSyntax.ReadMermaid(Draw(ToolRunner.Zoo(file), network, "mermaid", detail));
            GraphSyntax.ReadDot(Draw(ToolRunner.Zoo(file), network, "dot", detail));
        }
    }

    [Fact]
    public void Graph_to_png_without_dot_on_PATH_gives_the_clear_message()
    {
        using var folder = new TempFolder();
        var png = Path.Combine(folder.Path, "resnet50.png");

        var empty = ToolRunner.Run(new ToolEnvironment(SearchPath: string.Empty), "graph", ResNet, "--network", "ResNet50", "-o", png);
        var elsewhere = ToolRunner.Run(new ToolEnvironment(SearchPath: folder.Path), "graph", ResNet, "--network", "ResNet50", "-o", png);

        foreach (var result in new[] { empty, elsewhere })
        {
            Assert.Equal(Cli.Failure, result.ExitCode);
            Assert.Equal("netgen: " + Graphviz.NotFoundMessage + "\n", result.Error);
        }

        Assert.Contains("apt install graphviz / brew install graphviz / winget install graphviz", Graphviz.NotFoundMessage);
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Graph_to_an_svg_file_renders_through_dot_when_it_is_on_PATH()
    {
        using var folder = new TempFolder();
        var svg = Path.Combine(folder.Path, "resnet18.svg");

        var result = ToolRunner.Run("graph", ResNet, "--network", "ResNet18", "-o", svg);

        if (Graphviz.Locate(ToolEnvironment.Current.SearchPath) is null)
        {
            Assert.Equal(Cli.Failure, result.ExitCode);
            Assert.Contains(Graphviz.NotFoundMessage, result.Error);
            return;
        }

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Contains("<svg", File.ReadAllText(svg));
    }

    [Fact]
    public void Graph_writes_mermaid_or_dot_files_by_their_extension_and_draws_the_first_network_by_default()
    {
        using var folder = new TempFolder();
        var mmd = Path.Combine(folder.Path, "net.mmd");
        var dot = Path.Combine(folder.Path, "net.dot");

        var first = ToolRunner.Run("graph", ResNet, "-o", mmd);
        var second = ToolRunner.Run("graph", ResNet, "-o", dot, "--detail", "blocks");

        Assert.Equal((Cli.Success, Cli.Success), (first.ExitCode, second.ExitCode));
        Assert.StartsWith("netgen: drawing ResNet18, the first of ", first.Error);
        Assert.StartsWith("flowchart TD\n", File.ReadAllText(mmd));
        Assert.StartsWith("digraph \"ResNet18\" {", File.ReadAllText(dot));
    }

    [Fact]
    public void Labels_escape_what_Mermaid_and_DOT_read_as_syntax()
    {
        Assert.Equal("a #34;b#34; #60;c#62; #35;d #124; e [f] (g)", MermaidWriter.Escape("a \"b\" <c> #d | e [f] (g)"));
        Assert.Equal("\"a \\\"b\\\" \\\\ c\\nd\"", DotWriter.Quote("a \"b\" \\ c\nd"));
    }

    /// <summary>A <c>dot</c> that reads its input and succeeds without drawing, so the tool's side of rendering runs without Graphviz.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static ToolEnvironment WithSilentDot(TempFolder folder)
    {
        var dot = folder.Write("dot", "#!/bin/sh\ncat > /dev/null\n");
        File.SetUnixFileMode(dot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ToolEnvironment(SearchPath: folder.Path);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Rendering_DenseNet121_layer_by_layer_suggests_detail_blocks_in_one_line()
    {
        using var folder = new TempFolder();
        var environment = WithSilentDot(folder);
        var svg = Path.Combine(folder.Path, "densenet121.svg");

        var layers = ToolRunner.Run(environment, "graph", ToolRunner.Zoo("densenet.net.txt"), "--network", "DenseNet121", "-o", svg);
        var blocks = ToolRunner.Run(environment, "graph", ToolRunner.Zoo("densenet.net.txt"), "--network", "DenseNet121", "--detail", "blocks", "-o", svg);
        var small = ToolRunner.Run(environment, "graph", ResNet, "--network", "ResNet50", "-o", Path.Combine(folder.Path, "resnet50.png"));

        Assert.Equal(Cli.Success, layers.ExitCode);
        Assert.Equal($"wrote {svg}\n", layers.Output);
        Assert.Matches(@"^netgen: DenseNet121 at layer detail renders about [0-9,]+ x [0-9,]+ px; --detail blocks draws one node per block \(about [0-9,]+ x [0-9,]+ px\)\n$", layers.Error);
        Assert.Equal(Cli.Success, blocks.ExitCode);
        Assert.Empty(blocks.Error);
        Assert.Equal(Cli.Success, small.ExitCode);
        Assert.Empty(small.Error);
    }

    /// <summary>dot 2.43's SVG sizes (points × 96/72), measured on the zoo; the estimate comes within 20% of all 160 graphs.</summary>
    [Theory]
    [InlineData("densenet.net.txt", "DenseNet121", "layers", 751, 21_367)]
    [InlineData("densenet.net.txt", "DenseNet121", "blocks", 751, 6_128)]
    [InlineData("resnet.net.txt", "ResNet50", "layers", 689, 6_471)]
    [InlineData("googlenet.net.txt", "GoogLeNet", "layers", 1_209, 4_177)]
    [InlineData("efficientnet.net.txt", "EfficientNetB7", "layers", 808, 47_437)]
    public void The_size_estimate_is_within_a_fifth_of_what_dot_draws(string file, string network, string detail, int width, int height)
    {
        var model = FrontEnd.Compile(File.ReadAllText(ToolRunner.Zoo(file)), file).Networks.Single(n => n.ClassName == network);
        var graph = GraphBuilder.Build(model, detail == "layers" ? GraphDetail.Layers : GraphDetail.Blocks);

        var estimate = GraphSize.Estimate(graph);

        Assert.InRange(estimate.Width, width * 0.8, width * 1.2);
        Assert.InRange(estimate.Height, height * 0.8, height * 1.2);
        if (Graphviz.Locate(ToolEnvironment.Current.SearchPath) is { } dot)
        {
            // The same against the dot on PATH, whatever its version.
            using var folder = new TempFolder();
            var svg = Path.Combine(folder.Path, "graph.svg");
            Assert.Null(Graphviz.Render(dot, DotWriter.Write(graph), "svg", svg));
            var size = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(svg), "<svg width=\"([0-9.]+)pt\" height=\"([0-9.]+)pt\"");
            Assert.True(size.Success);
            Assert.InRange(estimate.Width, Points(size.Groups[1].Value) * 0.8, Points(size.Groups[1].Value) * 1.2);
            Assert.InRange(estimate.Height, Points(size.Groups[2].Value) * 0.8, Points(size.Groups[2].Value) * 1.2);
        }
    }

    private static double Points(string value) => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) * 96 / 72;
}
