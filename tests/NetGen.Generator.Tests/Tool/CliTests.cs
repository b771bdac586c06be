using System.Linq;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary>The command line itself: usage, version and the exit code of every kind of wrong call.</summary>
public class CliTests
{
    [Theory]
    [InlineData]
    [InlineData("--help")]
    public void No_arguments_or_help_print_the_usage_listing_every_command(params string[] args)
    {
        var result = ToolRunner.Run(args);

        Assert.Equal(Cli.Success, result.ExitCode);
        foreach (var command in new[] { "check", "summary", "emit", "graph", "export-onnx" })
        {
            Assert.Contains("netgen " + command, result.Output);
        }
    }

    [Fact]
    public void Version_prints_the_compiler_version()
    {
        var result = ToolRunner.Run("--version");

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(NetGenCompiler.Version, result.Output.Trim());
    }

    [Theory]
    [InlineData("check", "--help")]
    [InlineData("summary", "--help")]
    [InlineData("emit", "--help")]
    [InlineData("graph", "--help")]
    [InlineData("export-onnx", "--help")]
    public void Every_command_explains_its_options(string command, string help)
    {
        var result = ToolRunner.Run(command, help);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.StartsWith("Usage: netgen " + command, result.Output);
    }

    /// <summary>Each wrong call, with a part of the message that says what is wrong.</summary>
    public static readonly TheoryData<string[], string> UsageErrors = new()
    {
        { new[] { "compile", "x.net.txt" }, "unknown command 'compile'" },
        { new[] { "check" }, "'check' needs at least one file" },
        { new[] { "check", "no-such-file.net.txt" }, "no such file or directory: 'no-such-file.net.txt'" },
        { new[] { "summary" }, "'summary' needs a file" },
        { new[] { "summary", "no-such-file.net.txt" }, "no such file: 'no-such-file.net.txt'" },
        { new[] { "summary", Support.Repository.ZooFolder }, "is a directory; give one .net.txt file" },
        { new[] { "check", "/dev/zero" }, "'/dev/zero' is a character device, not a regular file" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "-o", "" }, "option '-o' of 'emit' needs a value, not an empty one" },
        { new[] { "summary", ToolRunner.Zoo("resnet.net.txt"), "--netwrok", "ResNet50" }, "unknown option '--netwrok' for 'summary'" },
        { new[] { "summary", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet51" }, "no network 'ResNet51'; the file defines ResNet18, ResNet34, ResNet50" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--network" }, "option '--network' of 'emit' needs a value" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--target", "jax" }, "unknown target 'jax' for 'emit'; the targets are csharp and pytorch" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--target", "pytorch", "-o", "netgen_torch.py" }, "would overwrite the runtime module netgen_torch.py" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--detail", "everything" }, "--detail is 'layers' or 'blocks'" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--format", "svg" }, "--format is 'mermaid' or 'dot'" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--format", "mermaid", "-o", "x.png" }, "rendered from DOT, not Mermaid" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "-o", "x.jpeg" }, "cannot tell the format of 'x.jpeg'" },
        { new[] { "export-onnx" }, "'export-onnx' needs a file" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50" }, "'export-onnx' needs the ONNX file to write: -o OUT.onnx" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet51", "-o", "r.onnx" }, "no network 'ResNet51'; the file defines ResNet18, ResNet34, ResNet50" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "-o", "r.onnx" }, "resnet.net.txt defines ResNet18, ResNet34, ResNet50, ResNet101" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--opset", "seventeen" }, "--opset is an ONNX opset number, 7 or more, not 'seventeen'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--opset", "6" }, "not '6'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--weights", "no-such.pt" }, "no such weights file: 'no-such.pt'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--pyhton", "python3" }, "unknown option '--pyhton' for 'export-onnx'" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void A_wrong_call_exits_2_and_says_what_is_wrong(string[] args, string message)
    {
        var result = ToolRunner.Run(args);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("netgen: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }
}
