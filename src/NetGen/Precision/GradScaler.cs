using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Dynamic loss scaling for float16 training, as PyTorch's <c>torch.amp.GradScaler</c> (which TorchSharp 0.107 lacks):
/// the loss is multiplied by a large scale before <c>backward</c>, so small float16 gradients do not flush to zero;
/// the gradients are divided by it again before the optimizer steps. A step whose gradients hold an infinity or NaN
/// is skipped and the scale halved; after <see cref="GrowthInterval"/> good steps in a row it doubles.
/// bfloat16 has float32's range and needs no scaler.
/// </summary>
/// <remarks>
/// <code>
/// var scaler = new GradScaler();
/// optimizer.zero_grad();
/// scaler.ScaleLoss(loss).backward();
/// scaler.Step(optimizer, model.parameters());
/// </code>
/// </remarks>
public sealed class GradScaler
{
    /// <param name="initialScale">The first scale (PyTorch's default, 2^16).</param>
    /// <param name="growthInterval">Good steps in a row after which the scale doubles.</param>
    public GradScaler(double initialScale = 65536, int growthInterval = 2000)
    {
        if (!(initialScale > 0) || double.IsInfinity(initialScale))
        {
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "the scale must be positive and finite");
        }

        if (growthInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(growthInterval), growthInterval, "at least one step");
        }

        Scale = initialScale;
        GrowthInterval = growthInterval;
    }

    /// <summary>The factor the loss is multiplied by now.</summary>
    public double Scale { get; private set; }

    /// <summary>Good steps in a row after which the scale doubles.</summary>
    public int GrowthInterval { get; }

    /// <summary>Good steps since the scale last changed.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Steps skipped so far because a gradient was not finite.</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>The loss times <see cref="Scale"/>: call <c>backward</c> on this.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Divides the gradients of <paramref name="parameters"/> by <see cref="Scale"/>, and steps
    /// <paramref name="optimizer"/> if they are all finite; then updates the scale. Returns whether it stepped.
    /// </summary>
    public bool Step(OptimizerHelper optimizer, IEnumerable<Parameter> parameters)
    {
        // A FlatSgd's gradients are views into a few flat tensors: unscaled and checked in a kernel or two each.
        IReadOnlyList<Tensor> gradients = optimizer is FlatSgd flat ? flat.FlatGradients() : parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        bool finite;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var gradient in gradients)
            {
                gradient.mul_(1 / Scale);
            }

            // One host read per step, as PyTorch's scaler makes.
            finite = gradients.Count == 0 || stack(gradients.Select(g => g.isfinite().all()).ToArray()).all().item<bool>();
        }

        if (finite)
        {
            optimizer.step();
        }

        Update(finite);
        return finite;
    }

    /// <summary>Halves the scale after a step with a non-finite gradient, doubles it after <see cref="GrowthInterval"/> good steps.</summary>
    public void Update(bool finite)
    {
        if (!finite)
        {
            Scale /= 2;
            GoodSteps = 0;
            SkippedSteps++;
            return;
        }

        if (++GoodSteps >= GrowthInterval)
        {
            Scale *= 2;
            GoodSteps = 0;
        }
    }
}
