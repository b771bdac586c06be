using System.IO;
using System.Linq;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen check</c>: diagnostics in the compiler's format, a count, and the exit code.</summary>
public class CheckCommandTests
{
    [Fact]
    public void Check_reports_a_located_error_in_the_compiler_format_and_exits_1()
    {
        var marked = Marked.Parse("network Bad\n  input 64x56x56\n  conv(64, k=3, p=1)\n  residual then relu\n    [conv(256, k=1)]\n");
        using var folder = new TempFolder();
        var file = folder.Write("bad.net.txt", marked.Text);

        var result = ToolRunner.Run("check", file);

        Assert.Equal(Cli.Failure, result.ExitCode);
        var start = marked.Text.Substring(0, marked.Spans[0].Start);
        var line = start.Count(c => c == '\n') + 1;
        var column = start.Length - start.LastIndexOf('\n');
        Assert.Equal(
            new[]
            {
                $"{file}({line},{column}): error NG0201: residual adds 256 channels (body, set on line 5) to 64 channels (the input: there is no shortcut); end the body with 64 channels, or give the residual a projection shortcut to 256 channels (e.g. 'shortcut downsample when …' with a 1x1 conv)",
                "1 file, 1 class (1 network, 0 variants), 1 not generated: 1 error, 0 warnings",
            },
            result.OutputLines);
        Assert.Equal((5, 5), (line, column));
    }

    [Fact]
    public void Check_on_the_whole_zoo_exits_0_with_no_diagnostics()
    {
        var files = Repository.ZooFiles().ToList();
        var compiled = files.Select(f => FrontEnd.Compile(f.Text, f.Name)).ToList();
        var (networks, variants) = (compiled.Sum(c => c.Defined.Networks), compiled.Sum(c => c.Defined.Variants));
        Assert.Equal(networks + variants, compiled.Sum(c => c.Networks.Count));

        var result = ToolRunner.Run("check", Repository.ZooFolder);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(new[] { $"{files.Count} files, {networks + variants} classes ({networks} networks, {variants} variants): 0 errors, 0 warnings" }, result.OutputLines);
    }

    [Fact]
    public void Check_reports_a_class_declared_by_two_files_as_the_generator_does()
    {
        using var folder = new TempFolder();
        var first = folder.Write("a.net.txt", "network Same\n  input 4\n  linear(2)\n");
        var second = folder.Write("b.net.txt", "network Other\n  input 4\n  linear(2)\nnetwork Same\n  input 4\n  linear(3)\n");

        var result = ToolRunner.Run("check", first, second);

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.Equal(
            new[]
            {
                $"{second}(4,9): error NG0104: class 'NetGen.Generated.Same' is also generated from {first}(1,9); rename one network or put the files in different namespaces",
                "2 files, 3 classes (3 networks, 0 variants), 1 not generated: 1 error, 0 warnings",
            },
            result.OutputLines);
    }

    [Fact]
    public void Check_finds_the_dsl_files_under_a_directory_or_a_glob()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "nested"));
        folder.Write("top.net.txt", "network Top\n  input 4\n  linear(2)\n");
        folder.Write(Path.Combine("nested", "deep.net.txt"), "network Deep\n  input 4\n  linear(2)\n");
        folder.Write("notes.txt", "not a network");

        var byDirectory = ToolRunner.Run("check", folder.Path);
        var byGlob = ToolRunner.Run("check", Path.Combine(folder.Path, "**", "*.net.txt"));
        var byShallowGlob = ToolRunner.Run("check", Path.Combine(folder.Path, "*.net.txt"));

        Assert.Equal("2 files, 2 classes (2 networks, 0 variants): 0 errors, 0 warnings", byDirectory.OutputLines.Single());
        Assert.Equal("2 files, 2 classes (2 networks, 0 variants): 0 errors, 0 warnings", byGlob.OutputLines.Single());
        Assert.Equal("1 file, 1 class (1 network, 0 variants): 0 errors, 0 warnings", byShallowGlob.OutputLines.Single());
    }

    [Fact]
    public void Check_counts_networks_and_variants_as_classes_and_those_an_error_leaves_out()
    {
        using var folder = new TempFolder();
        var file = folder.Write(
            "family.net.txt",
            "network Small\n  let width = 8\n  input 4x8x8\n  conv(width, k=1)\n  variant Wide(width = 16)\n  variant Odd(width = 6)\n" +
            "network Other\n  input 4\n  linear(2)\n  variant Three()\n");

        Assert.Equal("1 file, 5 classes (2 networks, 3 variants): 0 errors, 0 warnings", ToolRunner.Run("check", file).OutputLines.Single());

        File.WriteAllText(file, File.ReadAllText(file).Replace("conv(width, k=1)", "conv(width, k=1, g=4)"));
        var result = ToolRunner.Run("check", file);

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.Equal("1 file, 5 classes (2 networks, 3 variants), 1 not generated: 1 error, 0 warnings", result.OutputLines.Last());
    }
}
