using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// Which unlabeled images a Noisy Student student learns, and with what targets: as in Xie et al. (2020), images the
/// teacher is less confident about than a threshold are dropped, and the rest are balanced over the classes, keeping
/// the most confident images of a class that has too many and repeating those of a class that has too few.
/// </summary>
/// <param name="Index">Rows of the unlabeled set, a row repeated where its class was filled up.</param>
/// <param name="Targets">One target row per index: the teacher's probabilities (soft) or its one-hot argmax (hard).</param>
/// <param name="Confident">How many distinct images passed the threshold.</param>
/// <param name="PerClass">How many rows each predicted class contributes (0 for a class the teacher never predicted).</param>
public sealed record PseudoLabels(Tensor Index, Tensor Targets, long Confident, IReadOnlyList<long> PerClass)
{
    /// <summary>Selects from the teacher's <paramref name="probabilities"/> (one row of class probabilities an unlabeled image).</summary>
    /// <param name="probabilities">N x classes, rows summing to 1.</param>
    /// <param name="threshold">The lowest confidence (largest probability) an image may have and be kept.</param>
    /// <param name="hard">One-hot targets of the argmax instead of the probabilities.</param>
    public static PseudoLabels Select(Tensor probabilities, double threshold, bool hard)
    {
        using var scope = NewDisposeScope();
        var classes = probabilities.shape[1];
        var (confidence, predicted) = probabilities.max(1);
        var kept = confidence.ge(threshold);
        var confident = kept.sum().item<long>();
        var share = Math.Max(1, confident / classes);
        var picks = new List<Tensor>();
        var perClass = new long[classes];
        for (var c = 0; c < classes; c++)
        {
            var members = kept.logical_and(predicted.eq(c)).nonzero().squeeze(1);
            var count = members.shape[0];
            if (count == 0)
            {
                continue;
            }

            // Most confident first; stable, so ties keep the images' order and the selection is deterministic.
            var order = confidence.index_select(0, members).sort(descending: true, stable: true).Indices;
            var ranked = members.index_select(0, order);
            picks.Add(count >= share ? ranked.narrow(0, 0, share) : ranked.index_select(0, arange(share).remainder(count)));
            perClass[c] = share;
        }

        var index = picks.Count == 0 ? empty(0, ScalarType.Int64) : cat(picks, 0);
        var targets = hard
            ? nn.functional.one_hot(predicted.index_select(0, index), classes).to(ScalarType.Float32)
            : probabilities.index_select(0, index);
        return new PseudoLabels(index.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), confident, perClass);
    }
}
