using System.CommandLine;
using System.IO;
using System.Linq;
using NetGen.CommandLineSupport;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen explain [ID]</c>: a diagnostic's entry of docs/diagnostics.md (cause, examples with the
/// messages they give, fix), from the copy embedded in the tool; without an ID, every ID with its title.
/// </summary>
public static class ExplainCommand
{
    /// <summary>The <c>explain</c> command: its argument and action.</summary>
    public static Command Create()
    {
        var id = new Argument<string?>("ID")
        {
            Description = "a diagnostic ID such as NG0201 (case-insensitive; NG201 or 201 will do); without it, the list of IDs",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "ID",
        };
        id.CompletionSources.Add(_ => DiagnosticsReference.Entries.Select(e => e.Id));
        var command = new Command("explain", "What a diagnostic (NG0201) means and how to fix it, with examples: its entry of docs/diagnostics.md; without ID, list the IDs.")
        {
            id,
        };
        command.SetAction(parse => Run(parse.GetValue(id), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Prints the entry of <paramref name="id"/>, or the list of IDs and titles when it is null.</summary>
    public static int Run(string? id, TextWriter output)
    {
        if (id is null)
        {
            foreach (var entry in DiagnosticsReference.Entries)
            {
                output.WriteLine($"{entry.Id}  {entry.Title}");
            }

            return Cli.Success;
        }

        var found = DiagnosticsReference.Find(id);
        if (found is null)
        {
            var closest = Closest.Names(id, DiagnosticsReference.Entries.Select(e => e.Id));
            var suggestion = closest.Count > 0 ? $"; did you mean {Closest.Quoted(closest)}?" : string.Empty;
            throw new UsageException($"no diagnostic '{id}'{suggestion} ('netgen explain' lists them)");
        }

        output.WriteLine($"{found.Id}: {found.Title}");
        output.WriteLine();
        output.WriteLine(found.Text);
        return Cli.Success;
    }
}
