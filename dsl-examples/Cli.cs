using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Generated;

namespace NetGen.Examples;

/// <summary>The demo's command line: <c>summary</c> (the default) prints every generated network.</summary>
public static class Cli
{
    /// <summary>
    /// Runs a command; returns the process exit code: 0 success, 1 a failure the input or the machine
    /// explains, 2 a wrong call, 3 an internal error. Every failure is one line on standard error, never a
    /// stack trace: an unhandled exception would abort the process (exit code 134) with one.
    /// </summary>
    public static int Run(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith("-", StringComparison.Ordinal) ? args[0] : "summary";
        var options = args.SkipWhile(a => a == command).ToList();
        try
        {
            return Dispatch(command, options);
        }
        catch (Exception error) when (IsExpectedFailure(error))
        {
            Console.Error.WriteLine($"{command}: {Message(error)}");
            return 1;
        }
        catch (Exception error)
        {
            var site = error.TargetSite is { } method ? $" in {method.DeclaringType?.Name}.{method.Name}" : string.Empty;
            Console.Error.WriteLine($"{command}: internal error: {error.GetType().Name}{site}: {Message(error)} (a bug; please report it)");
            return 3;
        }
    }

    private static int Dispatch(string command, List<string> options)
    {
        switch (command)
        {
            case "summary":
                var rows = Summaries().ToList();
                if (options.Contains("--verify") && Verify(NetworkCatalog.All, Console.Error) > 0)
                {
                    return 1;
                }

                if (options.Contains("--json"))
                {
                    Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
                }
                else
                {
                    PrintTable(Console.Out, rows);
                }

                return 0;
            case "keys" when options.Count == 1:
                return PrintStateDict(options[0]);
            case "platform":
                return PlatformCheck.PlatformCommand.Run(options.ToArray());
            case "train":
            case "noisy-student":
                return RunTraining(command, options);
            default:
                Console.Error.WriteLine($"unknown command '{command}'; commands: summary [--json] [--verify], keys NETWORK, train [options], noisy-student [options], {PlatformCheck.PlatformCommand.Usage}");
                return 2;
        }
    }

    /// <summary>Failures that bad input, a missing file or a small machine explain, as opposed to bugs.</summary>
    private static bool IsExpectedFailure(Exception error) => error is
        ArgumentException
        or IOException
        or UnauthorizedAccessException
        or Training.DataFormatException
        or WeightLoadException
        or InsufficientMemoryException
        or JsonException
        or System.Runtime.InteropServices.ExternalException;

    /// <summary>The message, without the native stack libtorch appends to its own (compiler diagnostics keep their lines).</summary>
    private static string Message(Exception error) =>
        error is System.Runtime.InteropServices.ExternalException ? error.Message.Split('\n', 2)[0].TrimEnd() : error.Message;

    private static int RunTraining(string command, IReadOnlyList<string> args)
    {
        Training.TrainOptions options;
        try
        {
            var defaults = command == "train"
                ? new Training.TrainOptions()
                : new Training.TrainOptions { Epochs = 4, Output = "runs/noisy-student" };
            options = Training.TrainOptions.Parse(args, defaults);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine($"{command}: {error.Message}\n{new Training.TrainOptions().Usage}");
            return 2;
        }

        return command == "train" ? Training.TrainCommand.Run(options) : Training.NoisyStudent.Run(options);
    }

    /// <summary>One network's figures, as the generator computed them at compile time (default constructor arguments).</summary>
    public sealed record Summary(
        string Name,
        long Parameters,
        int StateDictEntries,
        long Macs,
        long[] Input,
        long[] Output,
        string SourceFile,
        string? PaperModel,
        string? PaperParameters,
        string? PaperTop1);

    /// <summary>Every generated network's compile-time figures (<see cref="NetworkCatalog"/>): nothing is built.</summary>
    public static IEnumerable<Summary> Summaries() => NetworkCatalog.All.Select(network =>
    {
        var paper = PaperFigures.SeedTable.FirstOrDefault(r => r.Network == network.Name).Figure;
        return new Summary(network.Name, network.ParameterCount, network.StateDictEntries, network.MultiplyAccumulates,
            network.InputShape, network.OutputShape, network.SourceFile, paper?.Model, paper?.Parameters, paper?.Top1);
    });

    /// <summary>
    /// Builds each network (default arguments) and checks its live parameter count and state_dict entries against the
    /// compile-time constants, one progress line per network on <paramref name="progress"/>; returns how many differ.
    /// A network whose weights would not fit in memory is refused before it is built.
    /// </summary>
    public static int Verify(IReadOnlyList<NetworkInfo> networks, TextWriter progress)
    {
        var failures = 0;
        for (var i = 0; i < networks.Count; i++)
        {
            var network = networks[i];
            Training.MemoryBudget.RequireBuildable(network.Name, network.ParameterCount);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long parameters;
            int entries;
            using (var module = network.Create())
            {
                parameters = module.ParameterCount();
                entries = module.StateDictEntries();
            }

            var same = parameters == network.ParameterCount && entries == network.StateDictEntries;
            failures += same ? 0 : 1;
            var counts = same
                ? $"{N(parameters)} parameters, {entries} state_dict entries, as compiled"
                : $"{N(parameters)} parameters and {entries} entries live, but {N(network.ParameterCount)} and {network.StateDictEntries} compiled (!)";
            progress.WriteLine($"[{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(networks.Count.ToString(CultureInfo.InvariantCulture).Length)}/{networks.Count}] {network.Name}: {counts} ({clock.Elapsed.TotalSeconds:0.0} s)");
        }

        progress.WriteLine(failures == 0 ? $"verified {networks.Count} networks" : $"{failures} of {networks.Count} networks differ from their compile-time figures");
        return failures;
    }

    /// <summary>Prints a network's state_dict: key and shape, in registration order.</summary>
    private static int PrintStateDict(string name)
    {
        var network = NetworkCatalog.All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
        if (network is null)
        {
            Console.Error.WriteLine($"no network '{name}'; networks: {string.Join(", ", NetworkCatalog.All.Select(n => n.Name))}");
            return 2;
        }

        Training.MemoryBudget.RequireBuildable(network.Name, network.ParameterCount);
        using var module = network.Create();
        foreach (var (key, tensor) in module.state_dict())
        {
            Console.WriteLine($"{key} [{string.Join(", ", tensor.shape)}]");
        }

        return 0;
    }

    public static void PrintTable(TextWriter output, IReadOnlyList<Summary> rows)
    {
        output.WriteLine("The seed article's summary table, beside the networks NetGen generates from it");
        output.WriteLine("(parameters and MACs of conv and linear layers computed at compile time, at the native resolution):");
        output.WriteLine();
        var byName = rows.ToDictionary(r => r.Name);
        var pairs = PaperFigures.SeedTable.Where(r => byName.ContainsKey(r.Network)).Select(r => (r.Figure, Row: byName[r.Network])).ToList();
        var seed = pairs.Select(p => new[]
            {
                p.Figure.Model,
                p.Figure.Parameters,
                p.Figure.Top1,
                p.Figure.Year.ToString(CultureInfo.InvariantCulture),
                p.Row.Name,
                N(p.Row.Parameters),
                Giga(p.Row.Macs),
                $"{Dims(p.Row.Input)} -> {Dims(p.Row.Output)}",
            });
        WriteColumns(output, new[] { "Model (paper)", "Params", "Top-1", "Year", "Network", "Parameters", "MACs", "Input -> output" }, seed.ToList(), leftAligned: new[] { 0, 4, 7 });
        output.WriteLine();
        output.WriteLine("Where the counts differ (docs/zoo.md has the detail):");
        foreach (var (figure, row) in pairs.Where(p => p.Figure.Note is not null).DistinctBy(p => p.Figure.Model))
        {
            output.WriteLine($"- {figure.Model}, {figure.Parameters} vs {N(row.Parameters)}: {figure.Note}.");
        }

        output.WriteLine();
        output.WriteLine("Every generated network (summary --verify builds each and checks these figures):");
        output.WriteLine();
        var all = rows.Select(r => new[]
        {
            r.Name,
            N(r.Parameters),
            r.StateDictEntries.ToString(CultureInfo.InvariantCulture),
            Giga(r.Macs),
            $"{Dims(r.Input)} -> {Dims(r.Output)}",
            r.PaperModel is null ? "-" : $"{r.PaperModel}: {r.PaperParameters}, {r.PaperTop1}",
        }).ToList();
        WriteColumns(output, new[] { "Network", "Parameters", "state_dict", "MACs", "Input -> output", "Paper (params, top-1)" }, all, leftAligned: new[] { 0, 4, 5 });
    }

    private static void WriteColumns(TextWriter output, string[] header, IReadOnlyList<string[]> cells, int[] leftAligned)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        void Line(string[] row) => output.WriteLine(string.Join("  ", row.Select((c, i) => leftAligned.Contains(i) ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in cells)
        {
            Line(row);
        }
    }

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Giga(long macs) => (macs / 1e9).ToString("0.000", CultureInfo.InvariantCulture) + " G";

    private static string Dims(long[] shape) => string.Join("x", shape);
}
