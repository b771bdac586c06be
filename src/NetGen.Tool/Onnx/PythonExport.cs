using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using NetGen.Generator;
using NetGen.Generator.Binding;
using NetGen.Generator.Emit;

namespace NetGen.Tool.Onnx;

/// <summary>What to export: one bound network, its weights file (or none), the ONNX file, the opset (or the highest).</summary>
public sealed record OnnxExportRequest(NetworkModel Network, string? WeightsPath, string OutputPath, int? Opset);

/// <summary>
/// What an export gave: the opset written and the names of the external data files written beside the model
/// (ONNX keeps the weights of a model over 2 GB outside it, one file per tensor); or the one-line reason it failed.
/// </summary>
public sealed record OnnxExportResult(int Opset, IReadOnlyList<string> DataFiles, string? Failure)
{
    public static OnnxExportResult Failed(string reason) => new(0, Array.Empty<string>(), reason);
}

/// <summary>
/// Writes a network as ONNX through PyTorch: emits its Python module and the runtime module into a temporary
/// folder and runs export_onnx.py there with the given Python, which calls <c>netgen_torch.export_onnx</c>.
/// </summary>
public static class PythonExport
{
    /// <summary>The Python run when neither --python nor NETGEN_PYTHON names one (looked up on PATH).</summary>
    public const string DefaultPython = "python3";

    /// <summary>The module the network is emitted into: a fixed name, so that no DSL file name can clash with a Python module.</summary>
    public const string ModuleName = "netgen_network";

    private const string ScriptFileName = "export_onnx.py";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>The driver script (embedded from Onnx/export_onnx.py).</summary>
    public static string Script { get; } = ReadScript();

    /// <summary>
    /// Runs the export. The model is written into a staging folder beside its destination (the same file system,
    /// so moving it is a rename) and moved there only when Python succeeded: a failed export leaves no partial
    /// file, and the external data files of a model over 2 GB are known by name.
    /// </summary>
    public static OnnxExportResult Run(string python, OnnxExportRequest request)
    {
        var output = Path.GetFullPath(request.OutputPath);
        var destination = Path.GetDirectoryName(output)!;
        var scripts = Path.Combine(Path.GetTempPath(), "netgen-export-" + Guid.NewGuid().ToString("N"));
        var staging = Path.Combine(destination, ".netgen-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scripts);
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(scripts, ModuleName + ".py"), PythonEmitter.Emit(new[] { request.Network }, NetGenCompiler.Version));
            File.WriteAllText(Path.Combine(scripts, PythonEmitter.RuntimeFileName), PythonEmitter.Runtime);
            File.WriteAllText(Path.Combine(scripts, ScriptFileName), Script);
            var staged = Path.Combine(staging, Path.GetFileName(output));
            var (opset, failure) = RunPython(python, scripts, request, staged);
            if (failure is not null)
            {
                return OnnxExportResult.Failed(failure);
            }

            if (!File.Exists(staged))
            {
                return OnnxExportResult.Failed($"'{python}' reported success but wrote no {Path.GetFileName(output)}");
            }

            var dataFiles = Directory.GetFiles(staging).Select(f => Path.GetFileName(f)).Where(n => n != Path.GetFileName(output)).Order(StringComparer.Ordinal).ToList();
            foreach (var name in dataFiles)
            {
                File.Move(Path.Combine(staging, name), Path.Combine(destination, name), overwrite: true);
            }

            File.Move(staged, output, overwrite: true);
            return new OnnxExportResult(opset, dataFiles, null);
        }
        finally
        {
            Directory.Delete(scripts, recursive: true);
            Directory.Delete(staging, recursive: true);
        }
    }

    private static (int Opset, string? Failure) RunPython(string python, string folder, OnnxExportRequest request, string output)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var argument in Arguments(folder, request, output))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("could not start " + python);
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return (0, $"could not run Python '{python}' ({error.Message}); install Python 3 with PyTorch, or name one with --python PATH or NETGEN_PYTHON");
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var printed = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (0, $"'{python}' did not finish the export within {Timeout.TotalMinutes} minutes");
            }

            Task.WaitAll(errors, printed);
            var lastOutput = LastLine(printed.Result);
            if (process.ExitCode == 0 && int.TryParse(lastOutput, NumberStyles.None, CultureInfo.InvariantCulture, out var opset))
            {
                return (opset, null);
            }

            var reason = LastLine(errors.Result) ?? lastOutput ?? "no message";
            return (0, $"the export with '{python}' failed (exit code {process.ExitCode}): {reason}");
        }
    }

    /// <summary>export_onnx.py's arguments: FOLDER MODULE CLASS WEIGHTS OUTPUT OPSET SIZES... (empty strings for what is not given).</summary>
    private static string[] Arguments(string folder, OnnxExportRequest request, string output) =>
        new[]
        {
            Path.Combine(folder, ScriptFileName),
            folder,
            ModuleName,
            request.Network.ClassName,
            request.WeightsPath is null ? string.Empty : Path.GetFullPath(request.WeightsPath),
            output,
            request.Opset?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        }
        .Concat(request.Network.Input.Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)))
        .ToArray();

    private static string? LastLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);

    private static string ReadScript()
    {
        using var stream = typeof(PythonExport).Assembly.GetManifestResourceStream("NetGen.Tool.export_onnx.py")!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
