using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// <see cref="SGD"/> (momentum, dampening, weight decay, Nesterov, maximize) that updates all parameters of a group in a
/// few kernels instead of a few per parameter. TorchSharp 0.107's optimizers loop over parameters (ResNet-50 has 161), and
/// on a GPU that loop's kernel launches cost more than the arithmetic; PyTorch avoids it with <c>foreach</c> kernels,
/// which TorchSharp does not expose. Here every parameter, its gradient and its momentum buffer become views into one
/// flat tensor per group (and dtype and device), so a step is four elementwise kernels and <see cref="zero_grad"/> one.
/// </summary>
/// <remarks>
/// <para>
/// Each element is computed by the same operations in the same order as <see cref="SGD.step"/>, so the weights follow
/// the same trajectory. Checkpoints are TorchSharp's <see cref="SGD"/> format under this class's name; per-parameter
/// state (<see cref="SGD.State.momentum_buffer"/>) is a view into the flat buffer.
/// </para>
/// <para>
/// Build it after the model is on its device and in its memory format: <c>module.to(device)</c> and
/// <see cref="ChannelsLast.Apply{T}"/> give parameters new storage. Whatever replaces a parameter's storage, its
/// gradient or its momentum buffer later (<c>load_state_dict</c>, <see cref="ChannelsLast.WhileContiguous"/>, a loaded
/// optimizer state, <c>module.zero_grad()</c> with its default <c>set_to_none</c>) is noticed at the next
/// <see cref="step"/> (a gradient also at <see cref="zero_grad"/>), which copies the new values in and makes the
/// tensor a view again. Unlike <see cref="SGD"/>, which skips a parameter
/// whose gradient is null, a parameter that has not had a gradient yet still decays and keeps its momentum: the
/// behaviour of PyTorch's SGD after <c>zero_grad(set_to_none=False)</c>.
/// </para>
/// <code>
/// using var model = new Demo.ResNet50().to(CUDA);
/// using var optimizer = new FlatSgd(model.parameters(), 0.1, momentum: 0.9, weight_decay: 1e-4, nesterov: true);
/// optimizer.zero_grad();
/// loss.backward();
/// optimizer.step();
/// </code>
/// </remarks>
public sealed class FlatSgd : SGD
{
    private readonly List<FlatSgdBucket> _buckets = new();
    private readonly HashSet<IntPtr> _held = new();

    /// <summary>Optimizes <paramref name="parameters"/> (all trainable) as one group, with <see cref="SGD"/>'s options.</summary>
    /// <exception cref="ArgumentException">An option is out of range, a parameter does not require a gradient, or one is given twice.</exception>
    public FlatSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    /// <summary>Optimizes each group with its own options, <see cref="SGD"/>'s defaults where a group sets none.</summary>
    /// <exception cref="ArgumentException">An option is out of range, a parameter does not require a gradient, or one is given twice.</exception>
    public FlatSgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(groups, lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    /// <summary>
    /// The flat gradient tensors, one per group, dtype and device, after the parameters' gradients have been made views
    /// into them again: what <see cref="GradScaler"/> unscales and checks in one kernel each. The optimizer owns them
    /// (do not dispose them); the gaps between parameters hold zeros.
    /// </summary>
    public IReadOnlyList<Tensor> FlatGradients()
    {
        foreach (var bucket in _buckets)
        {
            bucket.RelinkGradients(keep: true);
        }

        return _buckets.Select(b => b.Gradients).ToArray();
    }

    /// <summary>The flat value tensors, in the order of <see cref="FlatGradients"/>.</summary>
    internal IReadOnlyList<Tensor> FlatValues() => _buckets.Select(b => b.Values).ToArray();

    /// <summary>Adds a group and moves its parameters into new flat tensors (one per dtype and device).</summary>
    /// <exception cref="ArgumentException">A parameter does not require a gradient, or is held already.</exception>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        // Enumerated once: TorchSharp's optimizers otherwise walk a module's lazy parameter list at every step.
        var parameters = param_group.Parameters.ToArray();
        foreach (var parameter in parameters)
        {
            if (!parameter.requires_grad)
            {
                throw new ArgumentException("FlatSgd updates every parameter it holds at every step, so each must require a gradient: pass parameters().Where(p => p.requires_grad)", nameof(param_group));
            }

            if (!_held.Add(parameter.Handle))
            {
                throw new ArgumentException("a parameter is given twice (FlatSgd holds each once, in one group)", nameof(param_group));
            }
        }

        param_group.Parameters = parameters;
        base.add_param_group(param_group);
        var options = (Options)param_group.Options;
        foreach (var sameKind in parameters.GroupBy(p => (p.dtype, p.device_type, p.device_index)))
        {
            var members = sameKind.ToArray();
            _buckets.Add(new FlatSgdBucket(options, members, members.Select(p => (State)_state[p.Handle]).ToArray()));
        }
    }

    /// <summary>Zeroes every gradient in one kernel per flat tensor (a replaced gradient becomes a view again first).</summary>
    public override void zero_grad()
    {
        using var noGrad = no_grad();
        foreach (var bucket in _buckets)
        {
            bucket.RelinkGradients(keep: false);
            bucket.Gradients.fill_(0);
        }
    }

    /// <summary>One SGD step over every flat tensor; returns the closure's loss if one is given.</summary>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null)
        {
            using var withGrad = enable_grad();
            loss = closure();
        }

        using var noGrad = no_grad();
        foreach (var bucket in _buckets)
        {
            bucket.Step();
        }

        return loss!;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // The base class disposes the momentum views it holds in its states; the flat tensors are ours.
        base.Dispose(disposing);
        if (disposing)
        {
            foreach (var bucket in _buckets)
            {
                bucket.Dispose();
            }

            _buckets.Clear();
        }
    }
}
