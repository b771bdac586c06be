using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.CommandLineSupport;
using NetGen.Examples.ConsoleOutput;
using NetGen.Examples.Training;
using NetGen.Generated;

namespace NetGen.Examples;

/// <summary>
/// The demo's command line (System.CommandLine): <c>summary</c> (the default) prints every generated network;
/// <c>keys</c>, <c>train</c>, <c>noisy-student</c>, <c>meta-pseudo-labels</c>, <c>compare-semi-supervised</c> and <c>platform</c>; <c>--help</c> on each, <c>--version</c>.
/// </summary>
public static class Cli
{
    /// <summary>The program's name in usage lines: the project folder, as in <c>dotnet run --project dsl-examples -- …</c>.</summary>
    public const string Name = "dsl-examples";

    /// <summary>Exit code of a failure that the input or the machine explains.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a wrong call: an unknown command or option, a missing or invalid value.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of an internal error (a bug).</summary>
    public const int InternalError = 3;

    /// <summary>Runs a command with the console's output and error; returns the process exit code (see the other overload).</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs a command; returns the process exit code: 0 success, 1 a failure the input or the machine explains, 2 a
    /// wrong call, 3 an internal error. Every failure is one line on <paramref name="error"/>, never a stack trace: an
    /// unhandled exception would abort the process (exit code 134) with one. Help, tables and keys go to
    /// <paramref name="output"/>; training and the platform check's children write to the console.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var result = CreateCommand(output, error).Parse(args);
        if (result.Action is ParseErrorAction)
        {
            error.WriteLine(UsageMessage(result));
            return UsageError;
        }

        // A failure names its command as the user would type it; the root runs the summary.
        var command = string.Join(' ', CommandWords(result.CommandResult).DefaultIfEmpty("summary"));
        try
        {
            return result.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception failure) when (IsExpectedFailure(failure))
        {
            Progress.StopLiveDisplay();
            error.WriteLine($"{command}: {Message(failure)}");
            return Failure;
        }
        catch (Exception failure)
        {
            Progress.StopLiveDisplay();
            var site = failure.TargetSite is { } method ? $" in {method.DeclaringType?.Name}.{method.Name}" : string.Empty;
            error.WriteLine($"{command}: internal error: {failure.GetType().Name}{site}: {Message(failure)} (a bug; please report it)");
            return InternalError;
        }
    }

    /// <summary>The command tree; actions write to <paramref name="output"/> and their progress to <paramref name="error"/>.</summary>
    public static RootCommand CreateCommand(TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "print the figures as JSON instead of tables" };
        var verify = new Option<bool>("--verify") { Description = "also build every network and check its live figures against the compiled ones (minutes)" };
        int Summary(ParseResult result) => PrintSummary(output, error, result.GetValue(json), result.GetValue(verify));

        // A root command brings --help, --version and the [suggest] directive dotnet-suggest completes with.
        var root = new RootCommand("NetGen's network zoo and demo. Run it with: dotnet run --project dsl-examples -- [command] [options]; with no command it prints the summary.")
        {
            HelpName = Name,
        };
        root.Options.Add(json);
        root.Options.Add(verify);
        root.SetAction(Summary);

        var summary = new Command("summary", "Print the seed article's table beside the generated networks, and every network's figures (the default)") { json, verify };
        summary.SetAction(Summary);

        var network = new Argument<string>("NETWORK") { HelpName = "NETWORK", Description = "a generated network's name, e.g. ResNet50 (summary lists them)" };
        network.CompletionSources.Add(_ => NetworkCatalog.All.Select(n => new System.CommandLine.Completions.CompletionItem(n.Name)));
        network.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (Find(name) is null)
            {
                var names = NetworkCatalog.All.Select(n => n.Name).ToList();
                result.AddError(Closest.Names(name ?? string.Empty, names) is { Count: > 0 } closest
                    ? $"No network '{name}'; did you mean {Closest.Quoted(closest)}?"
                    : $"No network '{name}'; networks: {string.Join(", ", names)}.");
            }
        });
        var keys = new Command("keys", "Print a network's state_dict: key and shape, in registration order") { network };
        keys.SetAction(result => PrintStateDict(Find(result.GetRequiredValue(network))!, output));

        root.Subcommands.Add(summary);
        root.Subcommands.Add(keys);
        root.Subcommands.Add(TrainingCommand("train", "Train a generated network on Fashion-MNIST, with checkpoints, curves and a confusion matrix", TrainingKind.Train, new TrainOptions(), TrainCommand.Run));
        root.Subcommands.Add(TrainingCommand("noisy-student", "Noisy Student self-training: a teacher on a labeled fraction, noised students on filtered, balanced pseudo-labels", TrainingKind.NoisyStudent, TrainOptions.NoisyStudentDefaults, NoisyStudent.Run));
        root.Subcommands.Add(TrainingCommand("meta-pseudo-labels", "Meta Pseudo Labels: a teacher that learns from its student's feedback, with UDA; then the student is fine-tuned", TrainingKind.MetaPseudoLabels, TrainOptions.MetaPseudoLabelsDefaults, MetaPseudoLabels.Run));
        root.Subcommands.Add(TrainingCommand("compare-semi-supervised", "Supervised teacher, Noisy Student and Meta Pseudo Labels on the same labeled images, over several seeds: a table of mean and spread", TrainingKind.Comparison, TrainOptions.ComparisonDefaults, SemiSupervisedComparison.Run));
        root.Subcommands.Add(PlatformCheck.PlatformCommand.Create(output));
        return root;
    }

    private static Command TrainingCommand(string name, string description, TrainingKind kind, TrainOptions defaults, Func<TrainOptions, int> run)
    {
        var options = TrainOptions.CommandLine(defaults, kind);
        var command = new Command(name, description);
        foreach (var option in options.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => run(options.Bind(result)));
        return command;
    }

    /// <summary>One line for a parse error: the parser's messages and typo corrections, and where the usage is.</summary>
    private static string UsageMessage(ParseResult result) =>
        $"{UsageErrors.CommandPath(result.CommandResult, Name)}: {UsageErrors.Describe(result, Name)}";

    /// <summary>The command's words after the program's name: none for the root, "train", "platform canary".</summary>
    private static IEnumerable<string> CommandWords(CommandResult result)
    {
        var words = new Stack<string>();
        for (var current = result; current.Parent is CommandResult parent; current = parent)
        {
            words.Push(current.Command.Name);
        }

        return words;
    }

    private static NetworkInfo? Find(string? name) =>
        NetworkCatalog.All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Failures that bad input, a missing file or a small machine explain, as opposed to bugs.</summary>
    private static bool IsExpectedFailure(Exception error) => error is
        ArgumentException
        or IOException
        or UnauthorizedAccessException
        or DataFormatException
        or WeightLoadException
        or InsufficientMemoryException
        or JsonException
        or System.Runtime.InteropServices.ExternalException;

    /// <summary>The message, without the native stack libtorch appends to its own (compiler diagnostics keep their lines).</summary>
    private static string Message(Exception error) =>
        error is System.Runtime.InteropServices.ExternalException ? error.Message.Split('\n', 2)[0].TrimEnd() : error.Message;

    private static int PrintSummary(TextWriter output, TextWriter progress, bool json, bool verify)
    {
        var rows = Summaries().ToList();
        if (verify && Verify(NetworkCatalog.All, progress) > 0)
        {
            return Failure;
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        }
        else
        {
            PrintTable(output, rows);
        }

        return 0;
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
    private static int PrintStateDict(NetworkInfo network, TextWriter output)
    {
        MemoryBudget.RequireBuildable(network.Name, network.ParameterCount);
        using var module = network.Create();
        foreach (var (key, tensor) in module.state_dict())
        {
            output.WriteLine($"{key} [{string.Join(", ", tensor.shape)}]");
        }

        return 0;
    }

    /// <summary>
    /// The main job's output: the seed article's table beside the generated networks, why each differing row differs,
    /// and every network's figures. Tables are Spectre.Console's on a terminal and plain columns otherwise.
    /// </summary>
    public static void PrintTable(TextWriter output, IReadOnlyList<Summary> rows)
    {
        output.WriteLine("The seed article's summary table, beside the networks NetGen generates from it");
        output.WriteLine("(parameters and MACs of conv and linear layers computed at compile time, at the native resolution):");
        output.WriteLine();
        var byName = rows.ToDictionary(r => r.Name);
        var pairs = PaperFigures.SeedTable.Where(r => byName.ContainsKey(r.Network)).Select(r => (r.Figure, Row: byName[r.Network])).ToList();
        var seed = new OutputTable(
            ("Model (paper)", false), ("Params", true), ("Top-1", true), ("Year", true), ("Network", false), ("Parameters", true), ("MACs", true), ("Input -> output", false));
        foreach (var (figure, row) in pairs)
        {
            seed.AddRow(figure.Model, figure.Parameters, figure.Top1, figure.Year.ToString(CultureInfo.InvariantCulture), row.Name, N(row.Parameters), Giga(row.Macs), Shapes(row));
        }

        seed.Write(output);
        output.WriteLine();
        output.WriteLine("Where the counts differ (docs/zoo.md has the detail):");
        foreach (var (figure, row) in pairs.Where(p => p.Figure.Note is not null).DistinctBy(p => p.Figure.Model))
        {
            output.WriteLine($"- {figure.Model}, {figure.Parameters} vs {N(row.Parameters)}: {figure.Note}.");
        }

        output.WriteLine();
        output.WriteLine("Every generated network (summary --verify builds each and checks these figures):");
        output.WriteLine();
        var all = new OutputTable(("Network", false), ("Parameters", true), ("state_dict", true), ("MACs", true), ("Input -> output", false), ("Paper (params, top-1)", false));
        foreach (var row in rows)
        {
            all.AddRow(row.Name, N(row.Parameters), row.StateDictEntries.ToString(CultureInfo.InvariantCulture), Giga(row.Macs), Shapes(row),
                row.PaperModel is null ? "-" : $"{row.PaperModel}: {row.PaperParameters}, {row.PaperTop1}");
        }

        all.Write(output);
    }

    private static string Shapes(Summary row) => $"{Dims(row.Input)} -> {Dims(row.Output)}";

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Giga(long macs) => (macs / 1e9).ToString("0.000", CultureInfo.InvariantCulture) + " G";

    private static string Dims(long[] shape) => string.Join("x", shape);
}
