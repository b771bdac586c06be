using System.Linq;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary>The command line itself: usage, version and the exit code of every kind of wrong call.</summary>
public class CliTests
{
    private static readonly string[] Commands = { "check", "summary", "emit", "graph", "export-onnx", "new", "explain" };

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h")]
    public void No_arguments_or_help_print_the_generated_help_listing_every_command(params string[] args)
    {
        var result = ToolRunner.Run(args);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Contains("Usage:\n  netgen [command] [options]", result.Output);
        var commands = result.Output.Substring(result.Output.IndexOf("Commands:", System.StringComparison.Ordinal));
        foreach (var command in Commands)
        {
            Assert.Contains("\n  " + command + " ", commands);
        }

        Assert.Contains("--version", result.Output);
        Assert.Contains("2 wrong usage", result.Output);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public void Version_prints_the_compiler_version(string option)
    {
        var result = ToolRunner.Run(option);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal(NetGenCompiler.Version, result.Output.Trim());
    }

    /// <summary>Each command's generated help: its usage line, and every option it declares with a description.</summary>
    public static readonly TheoryData<string, string[]> CommandOptions = new()
    {
        { "check", new[] { "<FILES>", "--namespace <NS>" } },
        { "summary", new[] { "<FILE>", "--network <NAME>", "--json" } },
        { "emit", new[] { "<FILE>", "--target <csharp|pytorch>", "--network <NAME>", "-o, --output <PATH>", "--namespace <NS>", "--skip-invalid" } },
        { "graph", new[] { "<FILE>", "--network <NAME>", "--format <mermaid|dot>", "-o, --output <OUT>", "--detail <layers|blocks>" } },
        { "export-onnx", new[] { "<FILE>", "--network <NAME>", "-o, --output <OUT.onnx> (REQUIRED)", "--weights <W.pt>", "--opset <N>", "--python <PATH>" } },
        { "new", new[] { "<NAME>", "-o, --output <FILE>", "--force" } },
        { "explain", new[] { "<ID>" } },
    };

    [Theory]
    [MemberData(nameof(CommandOptions))]
    public void Every_command_explains_its_arguments_and_options(string command, string[] symbols)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var result = ToolRunner.Run(command, help);

            Assert.Equal(Cli.Success, result.ExitCode);
            Assert.StartsWith("Description:\n  ", result.Output);
            Assert.Contains($"Usage:\n  netgen {command} ", result.Output);
            foreach (var symbol in symbols)
            {
                // The symbol, then its description on the same line.
                var line = Assert.Single(result.OutputLines, l => l.StartsWith(symbol, System.StringComparison.Ordinal));
                Assert.True(line.Length > symbol.Length + 10, $"'{symbol}' has no description in: {line}");
            }
        }
    }

    /// <summary>Each wrong call, with a part of the message that says what is wrong (the offending token, mostly).</summary>
    public static readonly TheoryData<string[], string> UsageErrors = new()
    {
        { new[] { "compile", "x.net.txt" }, "Unrecognized command or argument 'compile'" },
        { new[] { "check" }, "Required argument 'FILES' missing for command: 'check'" },
        { new[] { "check", "no-such-file.net.txt" }, "no such file or directory: 'no-such-file.net.txt'" },
        { new[] { "summary" }, "Required argument 'FILE' missing for command: 'summary'" },
        { new[] { "summary", "no-such-file.net.txt" }, "no such file: 'no-such-file.net.txt'" },
        { new[] { "summary", "a.net.txt", "b.net.txt" }, "Unrecognized command or argument 'b.net.txt'" },
        { new[] { "summary", Support.Repository.ZooFolder }, "is a directory; give one .net.txt file" },
        { new[] { "check", "/dev/zero" }, "'/dev/zero' is a character device, not a regular file" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "-o", "" }, "Option '-o' needs a value, not an empty one" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--output=" }, "Required argument missing for option: '--output'" },
        { new[] { "summary", ToolRunner.Zoo("resnet.net.txt"), "--netwrok", "ResNet50" }, "Unrecognized command or argument '--netwrok'" },
        { new[] { "summary", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet51" }, "no network 'ResNet51'; the file defines ResNet18, ResNet34, ResNet50" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--network" }, "Required argument missing for option: '--network'" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--target", "jax" }, "unknown target 'jax' for 'emit'; the targets are csharp and pytorch" },
        { new[] { "emit", ToolRunner.Zoo("resnet.net.txt"), "--target", "pytorch", "-o", "netgen_torch.py" }, "would overwrite the runtime module netgen_torch.py" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--detail", "everything" }, "--detail is 'layers' or 'blocks'" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--format", "svg" }, "--format is 'mermaid' or 'dot'" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "--format", "mermaid", "-o", "x.png" }, "rendered from DOT, not Mermaid" },
        { new[] { "graph", ToolRunner.Zoo("resnet.net.txt"), "-o", "x.jpeg" }, "cannot tell the format of 'x.jpeg'" },
        { new[] { "export-onnx" }, "Required argument 'FILE' missing for command: 'export-onnx'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50" }, "Option '--output' is required" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet51", "-o", "r.onnx" }, "no network 'ResNet51'; the file defines ResNet18, ResNet34, ResNet50" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "-o", "r.onnx" }, "resnet.net.txt defines ResNet18, ResNet34, ResNet50, ResNet101" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--opset", "seventeen" }, "--opset is an ONNX opset number, 7 or more, not 'seventeen'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--opset", "6" }, "not '6'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--weights", "no-such.pt" }, "no such weights file: 'no-such.pt'" },
        { new[] { "export-onnx", ToolRunner.Zoo("resnet.net.txt"), "--network", "ResNet50", "-o", "r.onnx", "--pyhton", "python3" }, "Unrecognized command or argument '--pyhton'" },
        { new[] { "--version", "check" }, "--version option cannot be combined with other arguments" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void A_wrong_call_exits_2_and_says_what_is_wrong_in_one_line(string[] args, string message)
    {
        var result = ToolRunner.Run(args);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("netgen: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }

    /// <summary>System.CommandLine's typo corrections, kept to the kind of word typed: a command for a word, an option for an option.</summary>
    [Theory]
    [InlineData(new[] { "sumary", "x.net.txt" }, "Did you mean 'summary'?", "See 'netgen --help'.")]
    [InlineData(new[] { "explian", "NG0201" }, "Did you mean 'explain'?", "See 'netgen --help'.")]
    [InlineData(new[] { "summary", "x.net.txt", "--netwrok", "ResNet50" }, "Did you mean '--network'?", "See 'netgen summary --help'.")]
    [InlineData(new[] { "graph", "x.net.txt", "--detial", "blocks" }, "Did you mean '--detail'?", "See 'netgen graph --help'.")]
    public void A_misspelled_command_or_option_gets_a_suggestion(string[] args, string suggestion, string help)
    {
        var result = ToolRunner.Run(args);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Contains(suggestion, result.Error);
        Assert.EndsWith(help + "\n", result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }

    [Fact]
    public void A_misspelled_file_name_gets_no_suggestion_of_an_option()
    {
        // The parser's own corrections offer '-h' for any short word.
        var result = ToolRunner.Run("summary", "a.net.txt", "b");

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.DoesNotContain("Did you mean", result.Error);
    }

    [Fact]
    public void The_suggest_directive_completes_commands_and_option_values_for_dotnet_suggest()
    {
        var commands = ToolRunner.Run("[suggest:2]", "ex");
        Assert.Equal(Cli.Success, commands.ExitCode);
        Assert.Equal(new[] { "explain", "export-onnx" }, commands.OutputLines);

        var values = ToolRunner.Run("[suggest:19]", "graph x --detail bl");
        Assert.Equal(new[] { "blocks" }, values.OutputLines);

        var zoo = ToolRunner.Run("[suggest:9]", "new dense");
        Assert.Equal(new[] { "densenet" }, zoo.OutputLines);
    }
}
