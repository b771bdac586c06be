using System;
using System.IO;
using NetGen.Generator;

namespace NetGen.Tool;

/// <summary>
/// The netgen command line: parses the command word and hands the rest to one command. Exit codes:
/// 0 success, 1 the DSL has errors (or a file could not be read, or a graph could not be rendered, or an export failed), 2 the tool was
/// called wrongly, 3 netgen itself failed (a bug). Every failure is one line on standard error, never a
/// stack trace.
/// </summary>
public static class Cli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    public const string Usage =
        """
        netgen: check, summarize, emit, draw and export NetGen .net.txt networks.

        Usage:
          netgen check FILES...            report diagnostics as the compiler does (files, directories or globs)
          netgen summary FILE              a torchinfo-style table per network: shapes, parameters, MACs
          netgen emit FILE                 the C# the source generator produces, to stdout or -o DIR
                                           (--target pytorch: the same networks as a PyTorch module)
          netgen graph FILE                a Mermaid or Graphviz drawing of a network
          netgen export-onnx FILE -o OUT   a network as an ONNX model for serving (runs Python with PyTorch)
          netgen --version                 the NetGen version
          netgen COMMAND --help            the options of one command

        Exit codes: 0 success, 1 errors in the DSL (or a file could not be read, or Python failed), 2 wrong usage,
        3 an internal error (please report it).
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, ToolEnvironment.Current);

    public static int Run(string[] args, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            output.WriteLine(Usage);
            return Success;
        }

        if (args[0] is "--version" or "-v")
        {
            output.WriteLine(NetGenCompiler.Version);
            return Success;
        }

        var rest = args.AsSpan(1).ToArray();
        try
        {
            return args[0] switch
            {
                "check" => CheckCommand.Run(rest, output, error),
                "summary" => SummaryCommand.Run(rest, output, error),
                "emit" => EmitCommand.Run(rest, output, error),
                "graph" => GraphCommand.Run(rest, output, error, environment),
                "export-onnx" => ExportOnnxCommand.Run(rest, output, error, environment),
                _ => throw new UsageException($"unknown command '{args[0]}'; the commands are check, summary, emit, graph and export-onnx (netgen --help)"),
            };
        }
        catch (UsageException exception)
        {
            error.WriteLine("netgen: " + exception.Message);
            return UsageError;
        }
        catch (IOException exception)
        {
            error.WriteLine("netgen: " + exception.Message);
            return Failure;
        }
        catch (UnauthorizedAccessException exception)
        {
            error.WriteLine("netgen: " + exception.Message);
            return Failure;
        }
        catch (Exception exception)
        {
            return ReportInternalError(exception, error);
        }
    }

    /// <summary>
    /// A failure no input should cause: one line that says so, names the exception and where it was thrown,
    /// and asks for a report, with its own exit code so that scripts do not take it for a DSL error.
    /// </summary>
    public static int ReportInternalError(Exception exception, TextWriter error)
    {
        var site = exception.TargetSite is { } method ? $" in {method.DeclaringType?.Name}.{method.Name}" : string.Empty;
        error.WriteLine($"netgen: internal error: {exception.GetType().Name}{site}: {exception.Message.Split('\n', 2)[0].TrimEnd()} (a bug in netgen; please report it with the input)");
        return InternalError;
    }

    /// <summary>Whether the command asked for its help text (printed to <paramref name="output"/>).</summary>
    public static bool Help(string[] args, TextWriter output, string usage)
    {
        if (Array.Exists(args, a => a is "--help" or "-h"))
        {
            output.WriteLine(usage);
            return true;
        }

        return false;
    }

    /// <summary>Writes the diagnostics of a file a command cannot go on with; true when any is an error.</summary>
    public static bool ReportDiagnostics(Workspace workspace, TextWriter error)
    {
        foreach (var diagnostic in workspace.Diagnostics)
        {
            error.WriteLine(diagnostic.ToString());
        }

        return workspace.HasErrors;
    }
}
