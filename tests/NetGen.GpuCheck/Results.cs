using System.IO;
using System.Text.Json;

namespace NetGen.GpuCheck;

/// <summary>What ref.py wrote about the machine and the run (environment.json).</summary>
public sealed record PyTorchEnvironment(
    string Device, string DeviceName, string? Driver, string? Cuda, string? Cudnn, string Torch, string Torchvision, string Python,
    int Batch, int Size, int CheckBatch, int Warmup, int Iterations, int Seed);

/// <summary>
/// ref.py's figures for one network (pytorch-NAME.json); times in ms, memory in MiB, null where not measured.
/// <c>TrainMs</c> is PyTorch's default SGD (multi-tensor <c>foreach</c> kernels on CUDA), <c>TrainForLoopMs</c> its
/// per-parameter loop (<c>foreach=False</c>), as TorchSharp's SGD steps; <c>Optimizer…</c> the optimizer alone
/// (zero_grad and step) in each mode, with the operators torch.profiler records under it; <c>MixedTrainMs</c> the default
/// SGD's step with bf16 autocast and channels-last memory.
/// </summary>
public sealed record PyTorchResult(
    string Network, long Parameters, double MaxAbsLogit, double Sensitivity, double? EvalMs, double? TrainMs, double? TrainForLoopMs,
    double? OptimizerMs, int? OptimizerOperators, double? OptimizerForLoopMs, int? OptimizerForLoopOperators, double? PeakReservedMib, double? PeakAllocatedMib,
    double? MixedTrainMs = null);

/// <summary>
/// This program's figures for one network (netgen-NAME.json): the logits check, and times in ms of the generated network
/// (its training step, and the optimizer alone, with TorchSharp's SGD and with NetGen's <see cref="FlatSgd"/>; the
/// training step with FlatSgd, bf16 autocast and channels-last memory) and of TorchVision's.
/// </summary>
public sealed record NetGenResult(
    string Network, string ZooName, long Parameters, string Device, string DeviceName, string TorchSharp,
    double LogitsError, double Sensitivity, double Tolerance, double MinimumSensitivity, bool Passed,
    double? EvalMs, double? TrainMs, double? FlatTrainMs, double? OptimizerMs, double? FlatOptimizerMs, bool HasTorchVision, double? TorchVisionLogitsError, double? TorchVisionEvalMs, double? TorchVisionTrainMs,
    double? MixedTrainMs = null);

/// <summary>Device memory above the model's own during eval and training steps (memory-NAME-IMPLEMENTATION.json), in MiB.</summary>
public sealed record MemoryResult(string Network, string Implementation, double? PeakMib);

/// <summary>
/// One training run as run.sh recorded it (training-PRECISION-SEED.json): whether it shared the device with other runs,
/// its wall time and exit code. Its per-epoch figures are the trainer's metrics.csv, copied to training-PRECISION-SEED.csv.
/// </summary>
public sealed record TrainingRun(string Command, string Precision, int Seed, bool Concurrent, double WallSeconds, int ExitCode);

/// <summary>The files ref.py, this program and run.sh exchange in one data folder, as snake_case JSON.</summary>
public sealed class ResultFolder
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>A folder of results.</summary>
    public ResultFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>torch.save'd state_dict of the network, from ref.py.</summary>
    public string Weights(string network) => File($"{network}.pt");

    /// <summary>torch.save'd dict of the two fixed inputs and PyTorch's eval logits for them, from ref.py.</summary>
    public string InputsAndLogits(string network) => File($"{network}_io.pt");

    /// <summary>Path of a file in the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="value"/> as <paramref name="name"/>.</summary>
    public void Write<T>(string name, T value) => System.IO.File.WriteAllText(File(name), JsonSerializer.Serialize(value, Json) + "\n");

    /// <summary>Reads <paramref name="name"/>, or null when the folder has no such file.</summary>
    public T? Read<T>(string name)
        where T : class
    {
        var path = File(name);
        if (!System.IO.File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(System.IO.File.ReadAllText(path), Json) ?? throw new CheckException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new CheckException($"{path} is not what this program expects: {e.Message}");
        }
    }
}
