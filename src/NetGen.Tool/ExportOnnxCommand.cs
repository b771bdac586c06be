using System;
using System.CommandLine;
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
    /// <summary>The environment variable that names the Python to run when --python is not given.</summary>
    public const string PythonVariable = "NETGEN_PYTHON";

    /// <summary>The oldest opset PyTorch's exporter writes.</summary>
    private const int MinimumOpset = 7;

    /// <summary>Extensions of files torch.load reads; others hold TorchSharp's format or safetensors.</summary>
    private static readonly string[] TorchSaveExtensions = { ".pt", ".pth", ".bin", ".ckpt" };

    /// <summary>The <c>export-onnx</c> command: its arguments, options and action.</summary>
    public static Command Create(ToolEnvironment environment)
    {
        var file = ToolOptions.File();
        var network = ToolOptions.Network("the network to export (needed when FILE defines more than one)");
        var destination = ToolOptions.Output("the ONNX file to write (its folder is created if missing); a model over 2 GB also gets one external data file per weight tensor beside it, as ONNX requires", "OUT.onnx");
        destination.Required = true;
        var weights = ToolOptions.Value(new Option<string>("--weights")
        {
            Description = "a state_dict saved by torch.save or SaveWeights(\"w.pt\") (.pt, .pth, .bin or .ckpt); every key must fit. Without it, the network's initial weights are exported",
            HelpName = "W.pt",
        });
        var opset = ToolOptions.Value(new Option<string>("--opset")
        {
            Description = $"the ONNX opset, {MinimumOpset} or more (default: the highest the PyTorch exporter writes, 17 on torch 1.13)",
            HelpName = "N",
        });
        var python = ToolOptions.Value(new Option<string>("--python")
        {
            Description = $"the Python to run, with PyTorch 1.13 or later (default: ${PythonVariable}, else {PythonExport.DefaultPython})",
            HelpName = "PATH",
        });
        var command = new Command(
            "export-onnx",
            "One network as an ONNX model for serving (input 'input', any batch size; output 'logits'), exported in evaluation mode by Python with PyTorch from the network's emitted PyTorch module.")
        {
            file,
            network,
            destination,
            weights,
            opset,
            python,
        };
        command.SetAction(parse => Run(
            new ExportRequest(parse.GetRequiredValue(file), parse.GetValue(network), parse.GetRequiredValue(destination), parse.GetValue(weights), parse.GetValue(opset), parse.GetValue(python)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            environment));
        return command;
    }

    /// <summary>Exports the network <paramref name="request"/> names with Python.</summary>
    public static int Run(ExportRequest request, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        var path = NetworkFiles.ExpandOne(request.File);
        var target = request.Output;
        var opset = Opset(request.Opset);
        var weights = request.Weights;
        if (weights is not null)
        {
            CheckWeights(weights);
        }

        var workspace = NetworkFiles.Load(new[] { path }, NetGenCompiler.DefaultNamespace);
        if (Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, request.Network);
        if (networks.Count > 1)
        {
            throw new UsageException($"{Path.GetFileName(path)} defines {string.Join(", ", networks.Select(n => n.ClassName))}; choose one with --network NAME");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(directory);
        var python = request.Python ?? environment.Python ?? PythonExport.DefaultPython;
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

/// <summary>What <c>netgen export-onnx</c> was asked for: the file, the network, the ONNX file, the weights, the opset (as typed) and the Python.</summary>
public sealed record ExportRequest(string File, string? Network, string Output, string? Weights, string? Opset, string? Python);
