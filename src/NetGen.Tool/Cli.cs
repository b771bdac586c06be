using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.IO;
using NetGen.CommandLineSupport;
using NetGen.Generator;

namespace NetGen.Tool;

/// <summary>
/// The netgen command line, parsed by System.CommandLine: every command declares its arguments and options
/// (<see cref="CreateRoot"/>), which gives generated help, typo suggestions and the <c>[suggest]</c> directive
/// for shell completion. Exit codes: 0 success, 1 the DSL has errors (or a file could not be read, or a graph
/// could not be rendered, or an export failed), 2 the tool was called wrongly, 3 netgen itself failed (a bug).
/// Every failure is one line on standard error, never a stack trace.
/// </summary>
public static class Cli
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The input or the machine explains the failure: DSL errors, an unreadable file, a failed render or export.</summary>
    public const int Failure = 1;

    /// <summary>The tool was called wrongly: an unknown command or option, a missing argument, a bad value.</summary>
    public const int UsageError = 2;

    /// <summary>A bug in netgen: no input should cause it.</summary>
    public const int InternalError = 3;

    /// <summary>The root command's description, the first paragraph of <c>netgen --help</c>.</summary>
    public const string Description =
        """
        Checks, summarizes, emits, draws and exports NetGen .net.txt networks.
        Exit codes: 0 success; 1 errors in the DSL, or a file, Graphviz or Python failed;
        2 wrong usage; 3 an internal error (please report it).
        """;

    /// <summary>Runs one command line with the process's environment.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, ToolEnvironment.Current);

    /// <summary>Parses <paramref name="args"/> and runs the command they name, writing to the given writers, as <c>Main</c> does.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, ToolEnvironment environment)
    {
        try
        {
            var root = CreateRoot(environment);
            // '@file' is a path here, as it was before: no response files.
            var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            // Errors left after help, --version and [suggest] cleared theirs: the library's ParseErrorAction, or
            // an error of the option that would act (--version with other arguments).
            if (parse.Errors.Count > 0)
            {
                error.WriteLine("netgen: " + UsageErrors.Describe(parse, "netgen"));
                return UsageError;
            }

            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
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

    /// <summary>The command tree: every command with its arguments and options, the help and version options and the <c>[suggest]</c> directive.</summary>
    public static RootCommand CreateRoot(ToolEnvironment environment)
    {
        var root = new RootCommand(Description)
        {
            HelpName = "netgen",
        };
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Aliases.Add("-v");
                version.Action = new VersionAction();
            }
            else if (option is HelpOption help)
            {
                help.Action = Help;
            }
        }

        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(SummaryCommand.Create());
        root.Subcommands.Add(EmitCommand.Create());
        root.Subcommands.Add(GraphCommand.Create(environment));
        root.Subcommands.Add(ExportOnnxCommand.Create(environment));
        root.Subcommands.Add(NewCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.SetAction(parse => Help.Invoke(parse));
        return root;
    }

    /// <summary>The generated help, wrapped at the terminal's width up to 100 columns (100 when the output is not a terminal).</summary>
    private static HelpAction Help => new() { MaxWidth = HelpWidth() };

    private static int HelpWidth()
    {
        try
        {
            return Console.IsOutputRedirected ? 100 : Math.Clamp(Console.WindowWidth, 40, 100);
        }
        catch (IOException)
        {
            return 100;
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

    /// <summary>Writes the diagnostics of a file a command cannot go on with; true when any is an error.</summary>
    public static bool ReportDiagnostics(Workspace workspace, TextWriter error)
    {
        foreach (var diagnostic in workspace.Diagnostics)
        {
            error.WriteLine(diagnostic.ToString());
        }

        return workspace.HasErrors;
    }

    /// <summary><c>--version</c>: the NetGen version the generator stamps into its output, not the tool assembly's.</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(NetGenCompiler.Version);
            return Success;
        }
    }
}
