using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MathNet.Numerics.Distributions;
using NetGen.Benchmarks;

namespace NetGen.GpuCheck;

/// <summary>
/// The training runs run.sh made (training-PRECISION-SEED.json and .csv): TinyResNet in each precision for the same
/// seeds. Accuracy is compared with fp32 seed by seed, since a seed fixes the data split, the initial weights and the
/// shuffles; speed is compared on seed 1, whose runs had the device to themselves.
/// </summary>
public static class TrainingReport
{
    /// <summary>The largest paired accuracy difference from fp32, in points, that counts as "the same accuracy".</summary>
    public const double EquivalenceMargin = 0.5;

    private const string Reference = "fp32";

    /// <summary>The section's training part: a table of the precisions and a line on each one's equivalence with fp32.</summary>
    public static string Write(ResultFolder folder)
    {
        var runs = Read(folder);
        if (runs.Count == 0)
        {
            return "Training runs: not run.";
        }

        var succeeded = runs.Where(r => r.Summary is not null).ToArray();
        var text = new StringBuilder();
        var failed = runs.Where(r => r.Summary is null).Select(r => $"{r.Run.Precision} seed {r.Run.Seed} (exit code {r.Run.ExitCode})").ToArray();
        if (succeeded.Length == 0)
        {
            return $"Training runs: all {runs.Count} failed ({string.Join(", ", failed)}); run.sh's results.tar.gz has their logs (train/PRECISION-SEED.log).";
        }

        var seeds = runs.Select(r => r.Run.Seed).Distinct().Order().ToArray();
        var epochs = succeeded.Select(r => r.Summary!.Epochs).Distinct().ToArray();
        var command = succeeded[0].Run.Command;
        var template = Regex.Replace(Regex.Replace(command, @"--precision \S+", "--precision P"), @"--seed \d+", "--seed S");
        var network = Regex.Match(command, @"--network (\S+)") is { Success: true } m ? m.Groups[1].Value : "TinyResNet";
        text.AppendLine(Invariant($"Training (`{template}` for each precision P and seed S): {network}, {string.Join("/", epochs)} epochs on the embedded ")
            + Invariant($"Fashion-MNIST set, seeds {Seeds(seeds)}. A seed fixes the data split, the initial weights and the shuffles, so each ")
            + "precision is compared with fp32 seed by seed (the mean paired difference in test accuracy, in points, with its 95 % "
            + "confidence interval, Student's t). Seed 1's runs had the device to themselves and give the speed (images/s: the "
            + "median over epochs); the other seeds' runs shared it."
            + (failed.Length == 0 ? string.Empty : $" Failed runs, left out: {string.Join(", ", failed)}."));
        text.AppendLine();
        text.AppendLine("| Precision | Runs | Test accuracy, mean (min–max) | Difference from fp32, points: mean ± sd (95 % CI) | Images/s, seed 1 | ÷ fp32 | Wall s, seed 1 |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        var byPrecision = succeeded.GroupBy(r => r.Run.Precision).OrderBy(g => Order(g.Key)).ToArray();
        var referenceRuns = byPrecision.FirstOrDefault(g => g.Key == Reference);
        var reference = referenceRuns?.ToDictionary(r => r.Run.Seed, r => r.Summary!);
        var referenceAlone = referenceRuns?.FirstOrDefault(r => !r.Run.Concurrent)?.Summary;
        var verdicts = new List<string>();
        foreach (var group in byPrecision)
        {
            var accuracies = group.Select(r => r.Summary!.TestAccuracy * 100).ToArray();
            var alone = group.FirstOrDefault(r => !r.Run.Concurrent);
            var difference = group.Key == Reference || reference is null ? null : PairedDifference.Of(group.Where(r => reference.ContainsKey(r.Run.Seed))
                .Select(r => (r.Summary!.TestAccuracy - reference[r.Run.Seed].TestAccuracy) * 100).ToArray());
            text.AppendLine(MarkdownReport.Row(
                group.Key,
                group.Count().ToString(CultureInfo.InvariantCulture),
                Invariant($"{accuracies.Average():F2} % ({accuracies.Min():F2}–{accuracies.Max():F2})"),
                group.Key == Reference ? "–" : difference?.ToString() ?? "–",
                alone is null ? "–" : Invariant($"{alone.Summary!.ImagesPerSecond:#,0}"),
                alone is null || referenceAlone is null || group.Key == Reference ? "–" : Invariant($"{alone.Summary!.ImagesPerSecond / referenceAlone.ImagesPerSecond:F2}"),
                alone is null ? "–" : Invariant($"{alone.Run.WallSeconds:F1}")));
            if (difference is not null)
            {
                verdicts.Add(difference.Verdict(group.Key));
            }
        }

        if (verdicts.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"Same accuracy as fp32 within {EquivalenceMargin} points (the whole 95 % confidence interval inside ±{EquivalenceMargin}): ") + string.Join("; ", verdicts) + ".");
        }

        return text.ToString();
    }

    private static List<Outcome> Read(ResultFolder folder)
    {
        var runs = new List<Outcome>();
        foreach (var file in System.IO.Directory.EnumerateFiles(folder.Path, "training-*.json").Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(file);
            var run = folder.Read<TrainingRun>(name)!;
            var summary = run.ExitCode == 0 ? TrainingSummary.Read(System.IO.Path.ChangeExtension(file, ".csv")) : null;
            runs.Add(new Outcome(run, summary));
        }

        return runs;
    }

    /// <summary>A run and its metrics; no metrics when it failed.</summary>
    private sealed record Outcome(TrainingRun Run, TrainingSummary? Summary);

    private static int Order(string precision) => Array.IndexOf(new[] { Reference, "bf16", "fp16" }, precision) is var i and >= 0 ? i : int.MaxValue;

    private static string Seeds(int[] seeds) =>
        seeds.Length > 2 && seeds[^1] - seeds[0] == seeds.Length - 1 ? $"{seeds[0]} to {seeds[^1]}" : string.Join(", ", seeds);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>Paired differences (points of accuracy, one a seed): their mean, standard deviation and the mean's 95 % confidence interval.</summary>
public sealed record PairedDifference(int Count, double Mean, double StandardDeviation, double Low, double High)
{
    /// <summary>The statistics of <paramref name="differences"/>; null for none. With one, the interval is unknown (NaN).</summary>
    public static PairedDifference? Of(IReadOnlyList<double> differences)
    {
        if (differences.Count == 0)
        {
            return null;
        }

        var mean = differences.Average();
        if (differences.Count == 1)
        {
            return new PairedDifference(1, mean, double.NaN, double.NaN, double.NaN);
        }

        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (differences.Count - 1));
        var half = StudentT.InvCDF(0, 1, differences.Count - 1, 0.975) * sd / Math.Sqrt(differences.Count);
        return new PairedDifference(differences.Count, mean, sd, mean - half, mean + half);
    }

    /// <summary>Whether the whole interval lies within ±<see cref="TrainingReport.EquivalenceMargin"/> points: the same accuracy, shown.</summary>
    public bool WithinMargin => Low >= -TrainingReport.EquivalenceMargin && High <= TrainingReport.EquivalenceMargin;

    /// <summary>Whether the whole interval lies beyond ±<see cref="TrainingReport.EquivalenceMargin"/> points: a difference, shown.</summary>
    public bool BeyondMargin => Low > TrainingReport.EquivalenceMargin || High < -TrainingReport.EquivalenceMargin;

    /// <summary>"bf16: yes (…)", "no (…)" or "not shown (…)", with the interval.</summary>
    public string Verdict(string precision) => double.IsNaN(Low)
        ? $"{precision}: not shown (one seed, no interval)"
        : FormattableString.Invariant($"{precision}: {(WithinMargin ? "yes" : BeyondMargin ? "no" : "not shown")} ({Low:+0.00;−0.00;0.00} to {High:+0.00;−0.00;0.00} over {Count} seeds)");

    /// <inheritdoc/>
    public override string ToString() => double.IsNaN(Low)
        ? FormattableString.Invariant($"{Mean:+0.00;−0.00;0.00} (one seed)")
        : FormattableString.Invariant($"{Mean:+0.00;−0.00;0.00} ± {StandardDeviation:F2} ({Low:+0.00;−0.00;0.00} to {High:+0.00;−0.00;0.00})");
}
