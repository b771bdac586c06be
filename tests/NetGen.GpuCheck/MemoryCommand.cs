using System;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.GpuCheck;

/// <summary>What <c>memory</c> is asked to do.</summary>
public sealed record MemoryOptions(string Data, string Network, string Implementation, int Batch, int Size, TimingPlan Plan);

/// <summary>
/// <c>memory</c>: the device memory one implementation (the generated network or TorchVision's) takes above its own
/// weights while it runs the timed eval forwards and training steps. One implementation a process: CUDA's caching
/// allocator keeps what it reserved, so a second model in the same process would be measured on top of the first.
/// Writes memory-NAME-IMPLEMENTATION.json. CUDA only: TorchSharp reports no CPU allocations.
/// </summary>
public static class MemoryCommand
{
    /// <summary>The implementations <c>--implementation</c> accepts.</summary>
    public static readonly string[] Implementations = { "generated", "torchvision" };

    /// <summary>Runs the measurement; the result is also written to the data folder.</summary>
    public static MemoryResult Run(MemoryOptions options, Log log)
    {
        var network = CheckedNetwork.Named(options.Network);
        var make = options.Implementation == "generated" ? network.Generated
            : network.TorchVision ?? throw new CheckException($"TorchSharp's TorchVision has no {network.Name}");
        var device = ComputeDevice.Open("cuda", log);
        device.Prime();
        using var model = make();
        model.to(device.Device);
        device.Synchronize();
        var baseline = device.UsedBytes();

        using var workload = new Workload(options.Batch, options.Size, device);
        model.eval();
        using (no_grad())
        {
            Repeat(workload.EvalStep(model), options.Plan);
        }

        model.train();
        var (step, optimizer) = workload.TrainStep(model);
        using (optimizer)
        {
            Repeat(step, options.Plan);
        }

        device.Synchronize();
        var used = device.UsedBytes();
        double? peak = used is null || baseline is null ? null : (used.Value - baseline.Value) / (1024.0 * 1024.0);
        log.Line($"{network.ZooName} ({options.Implementation}): device memory above the model's own {(peak is null ? "not readable" : $"{peak:F0} MiB")}");
        var result = new MemoryResult(network.Name, options.Implementation, peak);
        new ResultFolder(options.Data).Write($"memory-{network.Name}-{options.Implementation}.json", result);
        return result;
    }

    private static void Repeat(Action step, TimingPlan plan)
    {
        for (var i = 0; i < plan.Warmup + plan.Iterations; i++)
        {
            step();
        }
    }
}
