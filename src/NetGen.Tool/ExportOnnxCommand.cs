using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen.Generator;
using NetGen.Tool.Onnx;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen export-onnx FILE</c>: one network as an ONNX model for serving, written by PyTorch from the module
/// <c>netgen emit --target pytorch</c> writes (<see cref="PythonExport"/>).
/// </summary>
public static class ExportOnnxCommand
{
    public const string Usage =
        """
        Usage: netgen export-onnx FILE [--network NAME] -o OUT.onnx [--weights W.pt] [--opset N] [--python PATH]

        Writes one network of FILE as an ONNX model for serving (ONNX Runtime and others). Emits the network's
        PyTorch module (as 'netgen emit --target pytorch' does) into a temporary folder and runs Python with
        PyTorch: it builds the network with its default arguments, loads the weights strictly and exports it in
        evaluation mode. The model has one input 'input' (batch x the network's input shape) and one output
        'logits'; the batch size is free.

          --network NAME    the network to export (needed when FILE defines more than one)
          -o, --output OUT  the ONNX file to write (its folder is created if missing); a model over 2 GB also
                            gets one external data file per weight tensor beside it, as ONNX requires
          --weights W       a state_dict saved by torch.save or SaveWeights("w.pt") (.pt, .pth, .bin or .ckpt);
                            every key must fit. Without it, the network's initial weights are exported
          --opset N         the ONNX opset (default: the highest the PyTorch exporter writes, 17 on torch 1.13)
          --python PATH     the Python to run, with PyTorch 1.13 or later (default: $NETGEN_PYTHON, else python3)
        """;

    /// <summary>The environment variable that names the Python to run when --python is not given.</summary>
    public const string PythonVariable = "NETGEN_PYTHON";

    /// <summary>The oldest opset PyTorch's exporter writes.</summary>
    private const int MinimumOpset = 7;

    private static readonly Dictionary<string, string> ValueOptions = new()
    {
        ["--network"] = "--network",
        ["-o"] = "--output",
        ["--output"] = "--output",
        ["--weights"] = "--weights",
        ["--opset"] = "--opset",
        ["--python"] = "--python",
    };

    /// <summary>Extensions of files torch.load reads; others hold TorchSharp's format or safetensors.</summary>
    private static readonly string[] TorchSaveExtensions = { ".pt", ".pth", ".bin", ".ckpt" };

    public static int Run(string[] args, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        if (Cli.Help(args, output, Usage))
        {
            return Cli.Success;
        }

        var line = CommandLine.Parse("export-onnx", args, ValueOptions, Array.Empty<string>());
        var path = NetworkFiles.ExpandOne(line.Single("export-onnx", "file"));
        var target = line.Value("--output") ?? throw new UsageException("'export-onnx' needs the ONNX file to write: -o OUT.onnx");
        var opset = Opset(line.Value("--opset"));
        var weights = line.Value("--weights");
        if (weights is not null)
        {
            CheckWeights(weights);
        }

        var workspace = NetworkFiles.Load(new[] { path }, NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, line.Value("--network"));
        if (networks.Count > 1)
        {
            throw new UsageException($"{Path.GetFileName(path)} defines {string.Join(", ", networks.Select(n => n.ClassName))}; choose one with --network NAME");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(directory);
        var python = line.Value("--python") ?? environment.Python ?? PythonExport.DefaultPython;
        var result = PythonExport.Run(python, new OnnxExportRequest(networks[0], weights, target, opset));
        if (result.Failure is not null)
        {
            error.WriteLine("netgen: " + result.Failure);
            return Cli.Failure;
        }

        var network = networks[0];
        output.WriteLine($"wrote {target}: {network.ClassName}, ONNX opset {result.Opset}, input 'input' batch x {Dimensions(network.Input.Sizes)}, output 'logits' batch x {Dimensions(network.Output.Sizes)}");
        if (result.DataFiles.Count > 0)
        {
            output.WriteLine($"its weights are in {result.DataFiles.Count} external data files beside it ({result.DataFiles[0]}, ...): ONNX keeps a model over 2 GB in parts; move them with it");
        }

        return Cli.Success;
    }

    private static int? Opset(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var opset) && opset >= MinimumOpset
            ? opset
            : throw new UsageException($"--opset is an ONNX opset number, {MinimumOpset} or more, not '{text}'");
    }

    /// <summary>The weights must be a torch.save file Python can read; a TorchSharp-format file would fail only after the whole emit.</summary>
    private static void CheckWeights(string weights)
    {
        if (!File.Exists(weights))
        {
            throw new UsageException($"no such weights file: '{weights}'");
        }

        var extension = Path.GetExtension(weights).ToLowerInvariant();
        if (Array.IndexOf(TorchSaveExtensions, extension) < 0)
        {
            throw new UsageException($"'{weights}' is not a torch.save file (.pt, .pth, .bin or .ckpt), which is what Python loads; save the weights with SaveWeights(\"w.pt\") or torch.save");
        }
    }

    private static string Dimensions(long[] sizes) => string.Join(" x ", Array.ConvertAll(sizes, s => s.ToString(CultureInfo.InvariantCulture)));
}
