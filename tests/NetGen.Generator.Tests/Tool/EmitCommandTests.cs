using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator.Tests.Support;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary><c>netgen emit</c>: byte for byte what the source generator adds to a compilation.</summary>
public class EmitCommandTests
{
    public static IEnumerable<object[]> ZooFiles() => Repository.ZooFiles().Select(f => new object[] { f.Name });

    /// <summary>The generator's output for one file, by class name, in a project whose RootNamespace is App.</summary>
    private static Dictionary<string, string> Generated(string path)
    {
        var (run, _) = GeneratorHarness.Run((path, File.ReadAllText(path)));
        Assert.Empty(run.Diagnostics);
        return run.Results.Single().GeneratedSources
            .Where(s => s.HintName != Emit.CatalogEmitter.HintName)
            .ToDictionary(s => s.HintName.Substring("App.".Length, s.HintName.Length - "App.".Length - ".g.cs".Length), s => s.SourceText.ToString());
    }

    [Fact]
    public void Emit_prints_exactly_what_the_generator_produces_for_a_network()
    {
        var path = ToolRunner.Zoo("resnet.net.txt");

        var result = ToolRunner.Run("emit", path, "--network", "ResNet50", "--namespace", "App");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(Generated(path)["ResNet50"], result.Output);
    }

    [Theory]
    [MemberData(nameof(ZooFiles))]
    public void Emit_writes_the_generators_text_for_every_network_of_a_file_into_a_folder(string file)
    {
        var path = ToolRunner.Zoo(file);
        using var folder = new TempFolder();

        var result = ToolRunner.Run("emit", path, "-o", folder.Path, "--namespace", "App");

        Assert.Equal(Cli.Success, result.ExitCode);
        var expected = Generated(path);
        var written = Directory.GetFiles(folder.Path).ToDictionary(f => Path.GetFileName(f).Replace(".g.cs", string.Empty), File.ReadAllText);
        Assert.Equal(expected.Keys.OrderBy(k => k), written.Keys.OrderBy(k => k));
        foreach (var (name, text) in expected)
        {
            Assert.Equal(text, written[name]);
        }
    }

    [Fact]
    public void Emit_of_a_file_with_errors_prints_them_and_exits_1()
    {
        using var folder = new TempFolder();
        var file = folder.Write("bad.net.txt", "network N\n  input 3x8x8\n  batchnrom\n");

        var result = ToolRunner.Run("emit", file);

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith($"{file}(3,3): error NG0101: unknown layer or block 'batchnrom'", result.Error);
    }

    [Fact]
    public void Emit_for_pytorch_prints_one_module_for_the_file()
    {
        var path = ToolRunner.Zoo("resnet.net.txt");

        var result = ToolRunner.Run("emit", path, "--target", "pytorch");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(Emit.PythonEmitter.Emit(FrontEnd.Compile(File.ReadAllText(path), path).Networks, NetGenCompiler.Version), result.Output);
        Assert.Contains("class ResNet50(nn.Module):", result.Output);
    }

    [Fact]
    public void Emit_for_pytorch_writes_the_module_and_its_runtime_to_a_file_or_a_folder()
    {
        var path = ToolRunner.Zoo("tiny.net.txt");
        using var folder = new TempFolder();

        var toFile = ToolRunner.Run("emit", path, "--target", "pytorch", "--output", Path.Combine(folder.Path, "nets", "tiny_nets.py"));
        var toFolder = ToolRunner.Run("emit", path, "--target", "pytorch", "-o", Path.Combine(folder.Path, "out"));

        Assert.Equal(Cli.Success, toFile.ExitCode);
        Assert.Equal(Cli.Success, toFolder.ExitCode);
        var module = File.ReadAllText(Path.Combine(folder.Path, "nets", "tiny_nets.py"));
        Assert.Equal(module, File.ReadAllText(Path.Combine(folder.Path, "out", "tiny.py")));
        Assert.Equal(Emit.PythonEmitter.Runtime, File.ReadAllText(Path.Combine(folder.Path, "nets", "netgen_torch.py")));
        Assert.Equal(Emit.PythonEmitter.Runtime, File.ReadAllText(Path.Combine(folder.Path, "out", "netgen_torch.py")));
    }

    [Theory]
    [InlineData("dsl.net.txt", "dsl.py")]
    [InlineData("my-nets.net.txt", "my_nets.py")]
    [InlineData("3d.net.txt", "net_3d.py")]
    public void A_dsl_file_becomes_an_importable_module_name(string file, string module) =>
        Assert.Equal(module, EmitCommand.PythonModuleName("/any/" + file));
}
