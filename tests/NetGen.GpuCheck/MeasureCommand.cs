using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.GpuCheck;

/// <summary>What <c>measure</c> is asked to do; <c>Threads</c> is libtorch's number of CPU threads (null: its default).</summary>
public sealed record MeasureOptions(string Data, string Device, string Network, int Batch, int Size, TimingPlan Plan, double? Tolerance, int? Threads = null);

/// <summary>
/// <c>measure</c>: one network with ref.py's weights. The generated network's eval logits on ref.py's two inputs
/// against PyTorch's (and TorchVision's, where it has the model), then eval forward and training step times of the
/// generated network (training with TorchSharp's SGD and, as a second copy, with NetGen's FlatSgd) and TorchVision's,
/// alternating, and a third copy's mixed-precision training step (FlatSgd, bf16 autocast, channels-last). Writes
/// netgen-NAME.json; fails when the logits check fails.
/// </summary>
public static class MeasureCommand
{
    /// <summary>Runs the measurement; the result is also written to the data folder.</summary>
    public static NetGenResult Run(MeasureOptions options, Log log)
    {
        var network = CheckedNetwork.Named(options.Network);
        var folder = new ResultFolder(options.Data);
        if (options.Threads is { } threads)
        {
            set_num_threads(threads);
        }

        var device = ComputeDevice.Open(options.Device, log);
        log.Line($"{network.ZooName} on {device.Name}; TorchSharp {TorchSharpVersion}");
        device.Prime();

        using var generated = Load(network.Generated(), folder.Weights(network.Name), device);
        using var torchVision = network.TorchVision is { } make ? Load(make(), folder.Weights(network.Name), device) : null;
        var tolerance = options.Tolerance ?? LogitsCheck.DefaultTolerance;
        var verdict = LogitsCheck.Run(generated, folder.InputsAndLogits(network.Name), device, tolerance);
        log.Line($"logits vs PyTorch: max|d|/(1+|ref|) = {verdict.Error:G3} (tolerance {tolerance:G3}); input sensitivity {verdict.Sensitivity:G3} (at least {verdict.MinimumSensitivity:G3}): {(verdict.Passed ? "pass" : "FAIL")}");
        double? torchVisionError = torchVision is null ? null : LogitsCheck.Run(torchVision, folder.InputsAndLogits(network.Name), device, tolerance).Error;
        if (torchVisionError is { } error)
        {
            log.Line($"TorchVision's {network.Name} with the same weights: max|d|/(1+|ref|) = {error:G3}");
        }

        var models = new List<Net> { generated };
        if (torchVision is not null)
        {
            models.Add(torchVision);
        }

        // A second copy of the generated network trains with FlatSgd, which makes its parameters views of one tensor.
        using var flatTrained = Load(network.Generated(), folder.Weights(network.Name), device);
        using var workload = new Workload(options.Batch, options.Size, device);
        var eval = TimeEval(models, workload, options.Plan, device);
        var trained = models.Select(m => (Model: m, Flat: false)).Append((flatTrained, true)).ToArray();
        var (train, optimizer) = TimeTraining(trained, workload, options.Plan, device);
        var flatTrain = train[^1];
        log.Line($"eval forward ms (median of {options.Plan.Iterations}): generated {eval[0]:F2}" + (eval.Length > 1 ? $", TorchVision {eval[1]:F2}" : string.Empty));
        log.Line($"training step ms (median of {options.Plan.Iterations}): generated {train[0]:F2}, generated with FlatSgd {flatTrain:F2}" + (torchVision is not null ? $", TorchVision {train[1]:F2}" : string.Empty));
        log.Line($"optimizer alone (zero_grad and step) ms: SGD {optimizer[0]:F2}, FlatSgd {optimizer[^1]:F2}");

        var result = new NetGenResult(
            network.Name, network.ZooName, generated.parameters().Sum(p => p.numel()), device.IsCuda ? "cuda" : "cpu", device.Name, TorchSharpVersion,
            verdict.Error, verdict.Sensitivity, verdict.Tolerance, verdict.MinimumSensitivity, verdict.Passed,
            eval[0], train[0], flatTrain, optimizer[0], optimizer[^1], torchVision is not null, torchVisionError, torchVision is null ? null : eval[1], torchVision is null ? null : train[1]);
        var file = $"netgen-{network.Name}.json";
        folder.Write(file, result);

        // Written again with the mixed-precision step: should that step fail (autocast is reached through libtorch's
        // C++ exports), the float32 figures are kept.
        var mixedTrain = TimeMixedTraining(network, folder, workload, options.Plan, device);
        log.Line($"training step ms with FlatSgd, bf16 autocast and channels-last: generated {mixedTrain:F2}");
        result = result with { MixedTrainMs = mixedTrain };
        folder.Write(file, result);
        return result;
    }

    /// <summary>TorchSharp's version, as its assembly states it.</summary>
    public static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>The model with the weights in <paramref name="weights"/>, on the device.</summary>
    private static Net Load(Net model, string weights, ComputeDevice device)
    {
        if (!System.IO.File.Exists(weights))
        {
            throw new CheckException($"{weights} is missing: run ref.py for this network first");
        }

        model.LoadWeights(weights);
        model.to(device.Device);
        return model;
    }

    private static double[] TimeEval(IReadOnlyList<Net> models, Workload workload, TimingPlan plan, ComputeDevice device)
    {
        foreach (var model in models)
        {
            model.eval();
        }

        using var noGrad = no_grad();
        return Timing.Alternating(models.Select(workload.EvalStep).ToArray(), plan, device);
    }

    /// <summary>Median ms of a mixed-precision training step (<see cref="Workload.MixedTrainStep"/>) of a fresh copy of the generated network.</summary>
    private static double TimeMixedTraining(CheckedNetwork network, ResultFolder folder, Workload workload, TimingPlan plan, ComputeDevice device)
    {
        using var model = ChannelsLast.Apply(Load(network.Generated(), folder.Weights(network.Name), device));
        model.train();
        var (step, optimizer) = workload.MixedTrainStep(model);
        using (optimizer)
        {
            return Timing.Alternating(new[] { step }, plan, device)[0];
        }
    }

    /// <summary>Median ms of a training step of each model, then of its optimizer alone on the last step's gradients.</summary>
    private static (double[] Step, double[] Optimizer) TimeTraining(IReadOnlyList<(Net Model, bool Flat)> models, Workload workload, TimingPlan plan, ComputeDevice device)
    {
        var steps = new List<Action>();
        var optimizers = new List<optim.Optimizer>();
        foreach (var (model, flat) in models)
        {
            model.train();
            var (step, optimizer) = workload.TrainStep(model, flat);
            steps.Add(step);
            optimizers.Add(optimizer);
        }

        try
        {
            var step = Timing.Alternating(steps, plan, device);
            return (step, Timing.Alternating(optimizers.Select(Workload.OptimizerStep).ToArray(), plan, device));
        }
        finally
        {
            optimizers.ForEach(o => o.Dispose());
        }
    }
}
