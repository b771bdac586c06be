using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NetGen.GpuCheck;

/// <summary>
/// <c>report</c>: the data folder's results as the Markdown section docs/benchmarks.md takes ("## GPU": the machine,
/// the versions, one table row per network measured, and the training runs), pasted as printed.
/// </summary>
public static class MarkdownReport
{
    /// <summary>The section for the results in <paramref name="folder"/>; <paramref name="commit"/> names the checkout the bundle was built from.</summary>
    public static string Write(ResultFolder folder, string? commit)
    {
        var environment = folder.Read<PyTorchEnvironment>("environment.json")
            ?? throw new CheckException($"{folder.File("environment.json")} is missing: ref.py writes it");
        var rows = CheckedNetwork.All
            .Select(n => (Network: n, PyTorch: folder.Read<PyTorchResult>($"pytorch-{n.Name}.json"), NetGen: folder.Read<NetGenResult>($"netgen-{n.Name}.json")))
            .Where(r => r.PyTorch is not null || r.NetGen is not null)
            .ToArray();
        if (rows.Length == 0)
        {
            throw new CheckException($"{folder.Path} holds no network's results");
        }

        var text = new StringBuilder();
        text.AppendLine("## GPU").AppendLine();
        text.AppendLine(Machine(environment, rows.Select(r => r.NetGen).FirstOrDefault(n => n is not null), commit)).AppendLine();
        text.AppendLine("| Network | Logits vs PyTorch | Input sensitivity | Eval forward, ms: PyTorch / generated / TorchVision | Generated ÷ PyTorch | Training step, ms: PyTorch (foreach=False) / generated, SGD / generated, FlatSgd / TorchVision | Generated ÷ PyTorch: SGD / FlatSgd | Peak memory, MiB: PyTorch / generated / TorchVision |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (network, pytorch, netgen) in rows)
        {
            var generatedMemory = folder.Read<MemoryResult>($"memory-{network.Name}-generated.json")?.PeakMib;
            var torchVisionMemory = folder.Read<MemoryResult>($"memory-{network.Name}-torchvision.json")?.PeakMib;
            text.AppendLine(Row(
                network.ZooName,
                netgen is null ? "not run" : $"{Error(netgen.LogitsError)} ({(netgen.Passed ? "pass" : "FAIL")})",
                netgen is null ? "–" : Fixed(netgen.Sensitivity, 3),
                $"{Fixed(pytorch?.EvalMs, 2)} / {Fixed(netgen?.EvalMs, 2)} / {Fixed(netgen?.TorchVisionEvalMs, 2)}",
                Ratio(netgen?.EvalMs, pytorch?.EvalMs),
                $"{Fixed(pytorch?.TrainMs, 2)} ({Fixed(pytorch?.TrainForLoopMs, 2)}) / {Fixed(netgen?.TrainMs, 2)} / {Fixed(netgen?.FlatTrainMs, 2)} / {Fixed(netgen?.TorchVisionTrainMs, 2)}",
                $"{Ratio(netgen?.TrainMs, pytorch?.TrainMs)} / {Ratio(netgen?.FlatTrainMs, pytorch?.TrainMs)}",
                $"{Fixed(pytorch?.PeakReservedMib, 0)} / {Fixed(generatedMemory, 0)} / {Fixed(torchVisionMemory, 0)}"));
        }

        text.AppendLine();
        text.AppendLine(Legend(rows.Select(r => r.NetGen).FirstOrDefault(n => n is not null)));
        text.AppendLine();
        text.AppendLine(OptimizerTable(rows, environment.Iterations));
        text.AppendLine(MixedPrecisionTable(rows, environment.Iterations));
        text.AppendLine(TrainingReport.Write(folder));
        return text.ToString();
    }

    /// <summary>The optimizer alone, where the training steps differ: PyTorch's two SGDs against TorchSharp's and FlatSgd.</summary>
    private static string OptimizerTable(IEnumerable<(CheckedNetwork Network, PyTorchResult? PyTorch, NetGenResult? NetGen)> rows, int iterations)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"The optimizer alone (`zero_grad` and `step` on the last training step's gradients, median of {iterations}, ms; PyTorch's `zero_grad(set_to_none=False)`, ")
            + "since a step on gradients set to None does nothing; in brackets the operators torch.profiler records under PyTorch's optimizer, one kernel launch each on CUDA):");
        text.AppendLine();
        text.AppendLine("| Network | PyTorch, default | PyTorch, foreach=False | TorchSharp's SGD | FlatSgd | FlatSgd ÷ PyTorch default |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (network, pytorch, netgen) in rows)
        {
            text.AppendLine(Row(
                network.ZooName,
                $"{Fixed(pytorch?.OptimizerMs, 2)} ({pytorch?.OptimizerOperators?.ToString(CultureInfo.InvariantCulture) ?? "–"})",
                $"{Fixed(pytorch?.OptimizerForLoopMs, 2)} ({pytorch?.OptimizerForLoopOperators?.ToString(CultureInfo.InvariantCulture) ?? "–"})",
                Fixed(netgen?.OptimizerMs, 2),
                Fixed(netgen?.FlatOptimizerMs, 2),
                Ratio(netgen?.FlatOptimizerMs, pytorch?.OptimizerMs)));
        }

        return text.ToString();
    }

    /// <summary>The training step in mixed precision as it is used on GPUs, against float32.</summary>
    private static string MixedPrecisionTable(IEnumerable<(CheckedNetwork Network, PyTorchResult? PyTorch, NetGenResult? NetGen)> rows, int iterations)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"The training step in mixed precision (bf16 autocast, weights and images in channels-last memory, the loss in float32; median of {iterations}, ms): ")
            + "PyTorch with its default SGD, the generated network with FlatSgd; the speed-up is float32's step (the main table's PyTorch default and FlatSgd columns) over this one:");
        text.AppendLine();
        text.AppendLine("| Network | PyTorch | Generated, FlatSgd | Generated ÷ PyTorch | Speed-up over float32: PyTorch / generated |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var (network, pytorch, netgen) in rows)
        {
            text.AppendLine(Row(
                network.ZooName,
                Fixed(pytorch?.MixedTrainMs, 2),
                Fixed(netgen?.MixedTrainMs, 2),
                Ratio(netgen?.MixedTrainMs, pytorch?.MixedTrainMs),
                $"{Ratio(pytorch?.TrainMs, pytorch?.MixedTrainMs)} / {Ratio(netgen?.FlatTrainMs, netgen?.MixedTrainMs)}"));
        }

        return text.ToString();
    }

    private static string Machine(PyTorchEnvironment environment, NetGenResult? netgen, string? commit)
    {
        var device = environment.Device == "cuda"
            ? $"{environment.DeviceName} (driver {environment.Driver ?? "?"}, CUDA {environment.Cuda ?? "?"}, cuDNN {environment.Cudnn ?? "?"})"
            : $"the CPU ({environment.DeviceName}): a CPU run of the pipeline, not a GPU measurement";
        var at = string.IsNullOrEmpty(commit) ? string.Empty : $" at commit {commit}";
        return Invariant($"Measured by the GPU check (`bash gpu-bundle/run.sh`; tests/NetGen.GpuCheck, scripts/gpu){at} on {device}: ")
            + Invariant($"PyTorch {environment.Torch} (torchvision {environment.Torchvision}, Python {environment.Python}) and TorchSharp {netgen?.TorchSharp ?? MeasureCommand.TorchSharpVersion}")
            + (environment.Device == "cuda" ? " on the same torch libraries, " : ", ")
            + Invariant($".NET {Environment.Version}. Batch {environment.Batch}, {environment.Size}×{environment.Size}, float32; ")
            + Invariant($"median of {environment.Iterations} timed steps after {environment.Warmup} warm-up step{(environment.Warmup == 1 ? string.Empty : "s")}. The generated network and TorchSharp's TorchVision ")
            + Invariant($"model alternate in one process; PyTorch eager runs in its own. Weights: torchvision's initialisation (seed {environment.Seed}), ")
            + "with every normalisation layer's scale and shift drawn at random and BatchNorm's running statistics "
            + "taken from a random calibration batch, so that every network's logits depend on its input, and the classifier scaled "
            + "to logits of standard deviation 1.";
    }

    private static string Legend(NetGenResult? netgen)
    {
        var tolerance = netgen is null ? "?" : Error(netgen.Tolerance);
        var minimum = netgen is null ? "?" : Error(netgen.MinimumSensitivity);
        return $"Logits vs PyTorch: max |generated − PyTorch| / (1 + |PyTorch|) over two random inputs (tolerance {tolerance}). "
            + "Input sensitivity: mean |logits(x₁) − logits(x₂)| of the generated network; the check fails below "
            + $"{minimum}, so a network whose output ignores its input cannot pass. TorchVision: TorchSharp's hand-written model, "
            + "where TorchSharp has one (–: none), with the same weights. Training step: SGD with momentum; PyTorch's as it "
            + "defaults (multi-tensor foreach kernels on CUDA) and, in brackets, with foreach=False (one parameter at a time, "
            + "as TorchSharp's SGD); the generated network with TorchSharp's SGD and, a second copy, with NetGen's FlatSgd "
            + "(every parameter a view of one flat tensor, a few kernels a step). Peak memory: device memory above the model's own "
            + "during the timed steps (PyTorch: `torch.cuda.max_memory_reserved`; TorchSharp, which reports none: CUDA's "
            + "used memory, one implementation a process); CUDA only.";
    }

    /// <summary>A Markdown table row of <paramref name="cells"/>.</summary>
    internal static string Row(params string[] cells) => "| " + string.Join(" | ", cells) + " |";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Fixed(double? value, int decimals) =>
        value is { } v && double.IsFinite(v) ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "–";

    private static string Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 && double.IsFinite(v) ? (v / r).ToString("F2", CultureInfo.InvariantCulture) : "–";

    private static string Error(double value) => value == 0 ? "0" : value.ToString("0.0e+0", CultureInfo.InvariantCulture);
}
