using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>compare-semi-supervised</c>: the seed article's last two training methods against the supervised baseline on the
/// same labeled images. For each seed it runs <c>noisy-student</c> (whose first teacher, trained on the labeled images
/// only, is the supervised baseline and Meta Pseudo Labels' warm-up) and <c>meta-pseudo-labels</c>, each with its own
/// defaults, and writes a table of
/// test accuracy (mean ± sample standard deviation over the seeds), each method's paired gain over the baseline, the
/// validation accuracy and the training time.
/// </summary>
public static class SemiSupervisedComparison
{
    /// <summary>One method's result on one seed.</summary>
    public sealed record Row(int Seed, string Method, ModelResult Result);

    public static int Run(TrainOptions options)
    {
        var rows = new List<Row>();
        for (var seed = 1; seed <= options.Seeds; seed++)
        {
            var noisyStudentOptions = ForMethod(TrainOptions.NoisyStudentDefaults, options, seed, "noisy-student");
            var noisyStudent = NoisyStudent.Train(noisyStudentOptions);
            rows.Add(new Row(seed, "Supervised (teacher only)", noisyStudent[0]));
            rows.AddRange(noisyStudent.Skip(1).Select((result, i) => new Row(seed, $"Noisy Student, iteration {i + 1}", result)));

            // Meta Pseudo Labels' supervised warm-up is noisy-student's teacher (same seed, network and schedule, so the
            // same weights): its stage is copied instead of trained again, and counted in the time.
            var metaOptions = ForMethod(TrainOptions.MetaPseudoLabelsDefaults, options, seed, "meta-pseudo-labels");
            if (!options.Resume && Directory.Exists(metaOptions.Output))
            {
                Directory.Delete(metaOptions.Output, recursive: true);
            }

            CopyFolder(Path.Combine(noisyStudentOptions.Output, "teacher"), Path.Combine(metaOptions.Output, "teacher"));
            var metaPseudoLabels = MetaPseudoLabels.Train(metaOptions with { Resume = true });
            rows.Add(new Row(seed, "Meta Pseudo Labels: student, fine-tuned", metaPseudoLabels[^1]));
            rows.Add(new Row(seed, "Meta Pseudo Labels: teacher", metaPseudoLabels.Single(r => r.Role == "MPL teacher")));
            Write(options.Output, rows);
        }

        Console.WriteLine();
        Console.Write(Table(rows));
        Console.WriteLine($"comparison.md and comparison.csv in {Path.GetFullPath(options.Output)}");
        return 0;
    }

    /// <summary>A method's defaults with the comparison's data, device, labeled fraction, resume settings, and a folder of its own.</summary>
    private static TrainOptions ForMethod(TrainOptions defaults, TrainOptions comparison, int seed, string method) => defaults with
    {
        DataFolder = comparison.DataFolder,
        Device = comparison.Device,
        Limit = comparison.Limit,
        LabeledFraction = comparison.LabeledFraction,
        Resume = comparison.Resume,
        AllowScheduleChange = comparison.AllowScheduleChange,
        Seed = seed,
        Output = Path.Combine(comparison.Output, $"seed-{seed}", method),
    };

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>comparison.csv (one row a seed and method) and comparison.md (the table) in <paramref name="folder"/>.</summary>
    public static void Write(string folder, IReadOnlyList<Row> rows)
    {
        Directory.CreateDirectory(folder);
        var csv = new StringBuilder("seed,method,network,validation_accuracy,test_accuracy,seconds\n");
        foreach (var row in rows)
        {
            csv.Append(string.Format(CultureInfo.InvariantCulture, "{0},\"{1}\",{2},{3:0.0000},{4:0.0000},{5:0.0}\n",
                row.Seed, row.Method, row.Result.Network, row.Result.ValidationAccuracy, row.Result.TestAccuracy, row.Result.Seconds));
        }

        File.WriteAllText(Path.Combine(folder, "comparison.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(folder, "comparison.md"), Table(rows));
    }

    /// <summary>
    /// The Markdown table: a line a method, in the order the rows first name them (the first is the baseline), with test
    /// accuracy mean ± std and each seed's, the gain over the baseline paired by seed, validation accuracy, and minutes.
    /// </summary>
    public static string Table(IReadOnlyList<Row> rows)
    {
        var methods = rows.Select(r => r.Method).Distinct().ToList();
        var baseline = rows.Where(r => r.Method == methods[0]).ToDictionary(r => r.Seed, r => r.Result.TestAccuracy);
        var text = new StringBuilder();
        text.Append("| Method | Network | Test accuracy (mean ± std) | Each seed | Gain over supervised (paired) | Validation accuracy | Training time |\n");
        text.Append("|---|---|---|---|---|---|---|\n");
        foreach (var method in methods)
        {
            var results = rows.Where(r => r.Method == method).OrderBy(r => r.Seed).ToList();
            var gains = results.Where(r => baseline.ContainsKey(r.Seed)).Select(r => r.Result.TestAccuracy - baseline[r.Seed]).ToList();
            text.Append(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2} | {3} | {4} | {5} | {6:0.0} min |\n",
                method,
                string.Join(", ", results.Select(r => r.Result.Network).Distinct()),
                Percent(results.Select(r => r.Result.TestAccuracy).ToList()),
                string.Join(" / ", results.Select(r => (r.Result.TestAccuracy * 100).ToString("0.00", CultureInfo.InvariantCulture))),
                method == methods[0] ? "–" : Percent(gains, signed: true),
                Percent(results.Select(r => r.Result.ValidationAccuracy).ToList()),
                results.Average(r => r.Result.Seconds) / 60));
        }

        text.Append(string.Format(CultureInfo.InvariantCulture, "\n{0} seeds ({1}); std is the sample standard deviation over the seeds; time is the mean training and evaluation time a seed, the method's earlier stages included.\n",
            rows.Select(r => r.Seed).Distinct().Count(), string.Join(", ", rows.Select(r => r.Seed).Distinct())));
        return text.ToString();
    }

    /// <summary>"87.52 ± 0.31 %" (percentage points; "± –" for a single value).</summary>
    public static string Percent(IReadOnlyList<double> values, bool signed = false)
    {
        var mean = values.Average();
        var spread = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : double.NaN;
        var format = signed ? "+0.00;-0.00;0.00" : "0.00";
        return (mean * 100).ToString(format, CultureInfo.InvariantCulture)
            + (double.IsNaN(spread) ? string.Empty : " ± " + (spread * 100).ToString("0.00", CultureInfo.InvariantCulture))
            + (signed ? " points" : " %");
    }
}
