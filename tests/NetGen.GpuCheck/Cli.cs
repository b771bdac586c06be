using System;
using System.CommandLine;
using System.IO;
using NetGen.CommandLineSupport;

namespace NetGen.GpuCheck;

/// <summary>
/// The command line: <c>measure</c>, <c>memory</c> and <c>report</c> (scripts/gpu/run.sh runs them in that order, one
/// process a network). Exit codes: 0 success, 1 a failed check or a failure the machine or the files explain, 2 wrong
/// usage (one line), 3 an internal error.
/// </summary>
public static class Cli
{
    private const string Program = "NetGen.GpuCheck";

    /// <summary>Runs the command line; progress goes to <paramref name="log"/>, the report to <paramref name="output"/>, errors to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter log, TextWriter error)
    {
        var root = new RootCommand("NetGen's GPU check: generated networks against PyTorch eager (scripts/gpu/ref.py) and TorchSharp's "
            + "TorchVision, on the data ref.py wrote; `report` prints docs/benchmarks.md's GPU section.")
        {
            Measure(new Log(log)),
            Memory(new Log(log)),
            Report(output),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"{Program}: {UsageErrors.Describe(parsed, Program)}");
            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is CheckException or WeightLoadException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{Program}: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            error.WriteLine($"{Program}: internal error: {e.GetType().Name}: {e.Message}");
            return 3;
        }
    }

    private static Command Measure(Log log)
    {
        var (data, network, batch, size, warmup, iterations) = Common();
        var device = new Option<string>("--device") { Description = "cuda or cpu.", DefaultValueFactory = _ => "cuda" };
        device.AcceptOnlyFromAmong("cuda", "cpu");
        var tolerance = new Option<double?>("--tolerance") { Description = "Largest max|d|/(1+|ref|) of the logits [default: 1e-3]." };
        var threads = Positive(new Option<int?>("--threads") { Description = "libtorch's CPU threads [default: libtorch's choice]." });
        var command = new Command("measure", "Checks one network's logits against PyTorch's, then times eval forward and an SGD step, generated against TorchVision (alternating); writes netgen-NAME.json.")
        {
            data, device, network, batch, size, warmup, iterations, tolerance, threads,
        };
        command.SetAction(r =>
        {
            var result = MeasureCommand.Run(
                new MeasureOptions(r.GetValue(data)!, r.GetValue(device)!, r.GetValue(network)!, r.GetValue(batch), r.GetValue(size), new TimingPlan(r.GetValue(warmup), r.GetValue(iterations)), r.GetValue(tolerance), r.GetValue(threads)),
                log);
            return result.Passed ? 0 : 1;
        });
        return command;
    }

    private static Command Memory(Log log)
    {
        var (data, network, batch, size, warmup, iterations) = Common();
        var implementation = new Option<string>("--implementation") { Description = "generated or torchvision.", DefaultValueFactory = _ => "generated" };
        implementation.AcceptOnlyFromAmong(MemoryCommand.Implementations);
        var command = new Command("memory", "CUDA device memory of one implementation's eval and training steps, above its own weights; writes memory-NAME-IMPLEMENTATION.json.")
        {
            data, network, implementation, batch, size, warmup, iterations,
        };
        command.SetAction(r =>
        {
            MemoryCommand.Run(new MemoryOptions(r.GetValue(data)!, r.GetValue(network)!, r.GetValue(implementation)!, r.GetValue(batch), r.GetValue(size), new TimingPlan(r.GetValue(warmup), r.GetValue(iterations))), log);
            return 0;
        });
        return command;
    }

    private static Command Report(TextWriter output)
    {
        var data = DataOption();
        var commit = new Option<string?>("--commit") { Description = "The commit the bundle was built from (make-bundle.sh records it)." };
        var command = new Command("report", "Prints the data folder's results as docs/benchmarks.md's GPU section (Markdown).") { data, commit };
        command.SetAction(r =>
        {
            output.Write(MarkdownReport.Write(new ResultFolder(r.GetValue(data)!), r.GetValue(commit)));
            return 0;
        });
        return command;
    }

    private static (Option<string> Data, Option<string> Network, Option<int> Batch, Option<int> Size, Option<int> Warmup, Option<int> Iterations) Common()
    {
        var network = new Option<string>("--network") { Description = "A torchvision name: " + string.Join(", ", CheckedNetwork.Names) + ".", Required = true };
        network.AcceptOnlyFromAmong(CheckedNetwork.Names);
        return (
            DataOption(),
            network,
            Positive(new Option<int>("--batch") { Description = "Images a timed batch.", DefaultValueFactory = _ => 64 }),
            Positive(new Option<int>("--size") { Description = "Image height and width.", DefaultValueFactory = _ => 224 }),
            NotNegative(new Option<int>("--warmup") { Description = "Untimed steps before timing.", DefaultValueFactory = _ => 5 }),
            Positive(new Option<int>("--iterations") { Description = "Timed steps (the median is reported).", DefaultValueFactory = _ => 20 }));
    }

    private static Option<string> DataOption() =>
        new("--data") { Description = "The folder ref.py wrote (weights, inputs, logits, its figures); results go there too.", DefaultValueFactory = _ => "." };

    private static Option<T> Positive<T>(Option<T> option) => Bounded(option, 1, "a positive integer");

    private static Option<T> NotNegative<T>(Option<T> option) => Bounded(option, 0, "zero or more");

    private static Option<T> Bounded<T>(Option<T> option, int least, string what)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<T>() is int value && value < least)
            {
                result.AddError($"{option.Name} must be {what}, not {value}");
            }
        });
        return option;
    }
}
