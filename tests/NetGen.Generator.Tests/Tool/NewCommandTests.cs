using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen new</c>: the zoo's files, embedded in the tool, written exactly as the repository has them.</summary>
public class NewCommandTests
{
    public static IEnumerable<object[]> ZooFileNames() => Repository.ZooFiles().Select(f => new object[] { f.Name });

    [Fact]
    public void The_tool_embeds_every_zoo_file_and_nothing_else()
    {
        Assert.Equal(Repository.ZooFiles().Select(f => f.Name), ZooFiles.All.Select(f => f.FileName));
    }

    [Theory]
    [MemberData(nameof(ZooFileNames))]
    public void Every_zoo_file_is_written_byte_for_byte_and_compiles_without_diagnostics(string name)
    {
        var repository = File.ReadAllBytes(ToolRunner.Zoo(name));
        var stem = name.Substring(0, name.Length - ".net.txt".Length);
        using var folder = new TempFolder();
        var written = Path.Combine(folder.Path, "Nets", name);

        var toFile = ToolRunner.Run("new", stem.ToUpperInvariant(), "-o", written);
        var toStdout = ToolRunner.Run("new", stem);

        Assert.Equal(Cli.Success, toFile.ExitCode);
        Assert.Equal($"wrote {written} ({name})", toFile.Output.Trim());
        Assert.Equal(repository, File.ReadAllBytes(written));
        Assert.Equal(Cli.Success, toStdout.ExitCode);
        Assert.Equal(File.ReadAllText(ToolRunner.Zoo(name)).Replace("\r\n", "\n"), toStdout.Output);

        var (run, output) = GeneratorHarness.Run(("/project/Nets/" + name, File.ReadAllText(written)));
        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.GeneratedTrees);
        var problems = GeneratorHarness.CompilerDiagnostics(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public void Without_a_name_it_lists_each_file_with_its_networks_one_line_each()
    {
        var result = ToolRunner.Run("new");

        Assert.Equal(Cli.Success, result.ExitCode);
        var lines = result.OutputLines.Skip(1).ToList();
        Assert.Equal(Repository.ZooFiles().Count(), lines.Count);
        Assert.Contains("resnet.net.txt  ResNet18, ResNet34, ResNet50, ResNet101, ResNet152,", string.Join("\n", lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, " {2,}", "  "))));
        Assert.Contains(lines, l => l.StartsWith("densenet.net.txt", System.StringComparison.Ordinal) && l.Contains("DenseNet121, DenseNet161"));
    }

    [Theory]
    [InlineData("ResNet50", "resnet.net.txt")]
    [InlineData("resnet50", "resnet.net.txt")]
    [InlineData("DenseNet121", "densenet.net.txt")]
    [InlineData("TinyResNetWide", "tiny.net.txt")]
    [InlineData("googlenet.net.txt", "googlenet.net.txt")]
    public void A_network_name_picks_the_file_that_defines_it(string name, string file)
    {
        var result = ToolRunner.Run("new", name);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(File.ReadAllText(ToolRunner.Zoo(file)).Replace("\r\n", "\n"), result.Output);
    }

    [Theory]
    [InlineData("resnte", "no zoo file or network 'resnte'; did you mean 'resnet'?")]
    [InlineData("ResNet51", "no zoo file or network 'ResNet51'; did you mean 'ResNet50'?")]
    [InlineData("EfficientNetB", "did you mean 'efficientnet' or 'EfficientNetB0' or 'EfficientNetB1'?")]
    [InlineData("densnet", "did you mean 'densenet'?")]
    [InlineData("transformer", "no zoo file or network 'transformer' ('netgen new' lists them)")]
    public void An_unknown_name_exits_2_with_the_closest_names(string name, string message)
    {
        var result = ToolRunner.Run("new", name);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Equal("netgen: ", result.Error.Substring(0, 8));
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }

    [Fact]
    public void An_existing_file_is_kept_unless_force_is_given()
    {
        using var folder = new TempFolder();
        var existing = folder.Write("mine.net.txt", "network Mine\n  input 3\n  linear(2)\n");

        var refused = ToolRunner.Run("new", "tiny", "-o", existing);
        Assert.Equal(Cli.UsageError, refused.ExitCode);
        Assert.Equal($"netgen: '{existing}' exists; give --force to overwrite it\n", refused.Error);
        Assert.StartsWith("network Mine", File.ReadAllText(existing));

        var forced = ToolRunner.Run("new", "tiny", "-o", existing, "--force");
        Assert.Equal(Cli.Success, forced.ExitCode);
        Assert.Equal(File.ReadAllBytes(ToolRunner.Zoo("tiny.net.txt")), File.ReadAllBytes(existing));
    }
}
