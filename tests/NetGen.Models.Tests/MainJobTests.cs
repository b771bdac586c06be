using System.IO;
using System.Linq;
using NetGen.Examples;
using NetGen.Generated;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>
/// The demo's main job (<c>dotnet run --project dsl-examples</c>): its tables come from the compile-time catalog
/// without building a network, and <c>summary --verify</c> builds each network and checks those figures.
/// </summary>
public class MainJobTests
{
    [Fact]
    public void The_tables_list_every_network_and_explain_each_seed_row_that_differs()
    {
        var output = new StringWriter();

        Cli.PrintTable(output, Cli.Summaries().ToList());

        var text = output.ToString();
        Assert.All(NetworkCatalog.All, n => Assert.Contains($"\n{n.Name} ", text));
        Assert.Contains("Meta Pseudo Labels             480 M   90.2 %  2021  EfficientNetL2", text);
        Assert.Contains("- DenseNet-264, 22 M vs 33,337,704: ", text);
        Assert.Contains("- Inception V1, 5 M vs 6,624,904: ", text);
        Assert.DoesNotContain("22M", text);

        // Redirected output (this writer, a log, a pipe) is plain text: no box drawing, no ANSI codes, no wrapping.
        Assert.DoesNotContain('\u2502', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("\nWideResNet50_2        68,883,240         320   11.398 G  3x224x224 -> 1000   -\n", text.Replace("\r\n", "\n"));
        Assert.All(PaperFigures.SeedTable.Where(r => r.Figure.Note is null), r => Assert.DoesNotContain($"- {r.Figure.Model}, ", text));
    }

    [Fact]
    public void Verify_builds_each_network_and_reports_one_line_per_network()
    {
        var networks = NetworkCatalog.All.Where(n => n.Name is "TinyResNet" or "SqueezeNet1_1" or "ConvNeXtTiny").ToList();
        var progress = new StringWriter();

        var failures = Cli.Verify(networks, progress);

        Assert.Equal(0, failures);
        var lines = progress.ToString().TrimEnd().Split('\n');
        Assert.Equal(networks.Count + 1, lines.Length);
        Assert.StartsWith("[1/3] ConvNeXtTiny: 28,589,128 parameters, 182 state_dict entries, as compiled", lines[0]);
        Assert.Equal("verified 3 networks", lines[^1]);
    }
}
