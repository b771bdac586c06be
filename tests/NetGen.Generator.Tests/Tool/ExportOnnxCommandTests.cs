using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using NetGen.Tool;
using NetGen.Tool.Onnx;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary>
/// <c>netgen export-onnx</c> without PyTorch: the Python it chooses, and what it does with
/// that Python's answer (a stand-in script). The export itself, checked in ONNX Runtime, is
/// <c>OnnxExportTests</c> in the model tests.
/// </summary>
public class ExportOnnxCommandTests
{
    private static readonly string ResNet = ToolRunner.Zoo("resnet.net.txt");

    // Its usage errors are rows of CliTests.UsageErrors.

    /// <summary>A Python that cannot be started: the command must get as far as running it.</summary>
    private const string NoPython = "/no/such/folder/python3";

    [Fact]
    public void Weights_in_torchsharps_own_format_are_refused_before_python_runs()
    {
        using var folder = new TempFolder();
        var weights = folder.Write("resnet50.dat", "TorchSharp's format, by its extension");

        var result = ToolRunner.Run("export-onnx", ResNet, "--network", "ResNet50", "-o", Path.Combine(folder.Path, "r.onnx"), "--weights", weights, "--python", NoPython);

        Assert.Equal(Cli.UsageError, result.ExitCode);
        Assert.Contains("is not a torch.save file (.pt, .pth, .bin or .ckpt)", result.Error);
    }

    [Fact]
    public void A_file_with_errors_prints_them_and_exits_1_without_running_python()
    {
        using var folder = new TempFolder();
        var file = folder.Write("bad.net.txt", "network N\n  input 3x8x8\n  batchnrom\n");

        var result = ToolRunner.Run("export-onnx", file, "-o", Path.Combine(folder.Path, "n.onnx"), "--python", NoPython);

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.StartsWith($"{file}(3,3): error NG0101: unknown layer or block 'batchnrom'", result.Error);
        Assert.DoesNotContain("Python", result.Error);
    }

    [Fact]
    public void A_python_that_cannot_be_started_exits_1_and_says_how_to_choose_another()
    {
        using var folder = new TempFolder();
        var onnx = Path.Combine(folder.Path, "r.onnx");

        var result = ToolRunner.Run("export-onnx", ResNet, "--network", "ResNet18", "-o", onnx, "--python", NoPython);

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith($"netgen: could not run Python '{NoPython}'", result.Error);
        Assert.Contains("--python PATH or NETGEN_PYTHON", result.Error);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void NETGEN_PYTHON_chooses_the_python_and_the_python_option_overrides_it()
    {
        using var folder = new TempFolder();
        var onnx = Path.Combine(folder.Path, "r.onnx");
        var environment = ToolEnvironment.Current with { Python = NoPython + "-from-the-environment" };

        var fromEnvironment = ToolRunner.Run(environment, "export-onnx", ResNet, "--network", "ResNet18", "-o", onnx);
        var fromOption = ToolRunner.Run(environment, "export-onnx", ResNet, "--network", "ResNet18", "-o", onnx, "--python", NoPython);

        Assert.Contains($"could not run Python '{NoPython}-from-the-environment'", fromEnvironment.Error);
        Assert.Contains($"could not run Python '{NoPython}' (", fromOption.Error);
    }

    /// <summary>
    /// A stand-in for Python (a shell script, so POSIX only) that records its arguments and the files it was
    /// given, then answers as export_onnx.py does: the tool passes the class, the weights, a staging path for the
    /// output and the sample's sizes; it moves the model and any external data file into place and reports the
    /// opset on success, and the last line of standard error on failure.
    /// </summary>
    [Fact]
    public void The_tool_hands_python_the_emitted_module_and_reports_its_answer()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var folder = new TempFolder();
        var log = Path.Combine(folder.Path, "log.txt");
        var weights = folder.Write("w.pt", "stands for a torch.save file");
        var onnx = Path.Combine(folder.Path, "out", "r.onnx");
        var writes = StandIn(folder, "python-writes", $"echo \"$@\" > '{log}'; ls \"$2\" >> '{log}'; echo model > \"$6\"; echo data > \"$(dirname \"$6\")/fc.weight\"; echo 'a warning' >&2; echo 17");
        var fails = StandIn(folder, "python-fails", "echo 'Traceback (most recent call last):' >&2; echo 'RuntimeError: it broke' >&2; exit 3");
        var writesNothing = StandIn(folder, "python-writes-nothing", "echo 17");

        var success = ToolRunner.Run("export-onnx", ResNet, "--network", "ResNet50", "-o", onnx, "--weights", weights, "--opset", "13", "--python", writes);
        var failure = ToolRunner.Run("export-onnx", ResNet, "--network", "ResNet50", "-o", onnx, "--python", fails);
        var nothing = ToolRunner.Run("export-onnx", ResNet, "--network", "ResNet50", "-o", onnx, "--python", writesNothing);

        Assert.Equal(Cli.Success, success.ExitCode);
        Assert.Equal(
            new[]
            {
                $"wrote {onnx}: ResNet50, ONNX opset 17, input 'input' batch x 3 x 224 x 224, output 'logits' batch x 1000",
                "its weights are in 1 external data files beside it (fc.weight, ...): ONNX keeps a model over 2 GB in parts; move them with it",
            },
            success.OutputLines);
        var lines = File.ReadAllLines(log);
        var arguments = lines[0].Split(' ');
        Assert.EndsWith("export_onnx.py", arguments[0]);
        Assert.Equal(new[] { PythonExport.ModuleName, "ResNet50", weights }, arguments[2..5]);
        Assert.Equal(Path.GetDirectoryName(onnx), Path.GetDirectoryName(Path.GetDirectoryName(arguments[5])));
        Assert.Equal("r.onnx", Path.GetFileName(arguments[5]));
        Assert.Equal(new[] { "13", "3", "224", "224" }, arguments[6..]);
        Assert.Equal(new[] { "export_onnx.py", PythonExport.ModuleName + ".py", "netgen_torch.py" }, lines[1..]);
        Assert.Equal("model\n", File.ReadAllText(onnx));
        Assert.Equal(new[] { "fc.weight", "r.onnx" }, Directory.GetFileSystemEntries(Path.GetDirectoryName(onnx)!).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(arguments[1]), "the temporary folder was left behind");

        Assert.Equal(Cli.Failure, failure.ExitCode);
        Assert.Equal($"netgen: the export with '{fails}' failed (exit code 3): RuntimeError: it broke", failure.Error.Trim());
        Assert.Equal(Cli.Failure, nothing.ExitCode);
        Assert.Equal($"netgen: '{writesNothing}' reported success but wrote no r.onnx", nothing.Error.Trim());
        Assert.Equal("model\n", File.ReadAllText(onnx));
    }

    [UnsupportedOSPlatform("windows")]
    private static string StandIn(TempFolder folder, string name, string body)
    {
        var path = folder.Write(name, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
