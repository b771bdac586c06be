using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace NetGen.CommandLineSupport;

/// <summary>
/// A command line System.CommandLine could not parse, as the one line a NetGen program prints for every usage
/// error: the parser's messages, its typo corrections and the help to read, e.g.
/// <c>Unrecognized command or argument 'sumary'. Did you mean 'summary'? See 'netgen --help'.</c>
/// Shared, as a linked source file, by the netgen tool, the demo program and the benchmarks.
/// </summary>
internal static class UsageErrors
{
    /// <summary>
    /// The line (without the program's prefix) for a parse result with errors; <paramref name="program"/> is the name
    /// the user typed for the root command (<c>netgen</c>, <c>dsl-examples</c>).
    /// </summary>
    public static string Describe(ParseResult parse, string program)
    {
        var messages = parse.Errors.Select(e => OneLine(e.Message)).Distinct(StringComparer.Ordinal);
        var suggestions = TypoCorrections(parse);
        var text = string.Join(" ", messages);
        if (suggestions.Count > 0)
        {
            text += $" Did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}?";
        }

        return text + $" See '{CommandPath(parse.CommandResult, program)} --help'.";
    }

    /// <summary>
    /// The library's typo corrections (<see cref="ParseErrorAction.ShowTypoCorrections"/>), read from what it writes,
    /// keeping options for a token that looks like an option and commands for any other: the parser offers <c>-h</c>
    /// for any short word, which helps nobody who misspelled a file name.
    /// </summary>
    public static IReadOnlyList<string> TypoCorrections(ParseResult parse)
    {
        if (parse.Action is not ParseErrorAction action || parse.UnmatchedTokens.Count == 0)
        {
            return Array.Empty<string>();
        }

        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        using var written = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = written, Error = TextWriter.Null, EnableDefaultExceptionHandler = false });

        var candidates = Candidates(parse.CommandResult);
        var tokens = parse.UnmatchedTokens;
        var token = -1;
        var found = new List<string>();
        foreach (var line in written.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            if (candidates.Contains(line))
            {
                var wantsOption = token >= 0 && tokens[token].StartsWith('-');
                if (token >= 0 && line.StartsWith('-') == wantsOption && !found.Contains(line, StringComparer.Ordinal))
                {
                    found.Add(line);
                }
            }
            else
            {
                // A heading such as "'sumary' was not matched. Did you mean one of the following?" names its token.
                var next = token + 1;
                while (next < tokens.Count && !line.Contains(tokens[next], StringComparison.Ordinal))
                {
                    next++;
                }

                token = next < tokens.Count ? next : -1;
            }
        }

        return found;
    }

    /// <summary>The names the parser may suggest at <paramref name="command"/>: its subcommands and options, and the recursive options of the commands above it.</summary>
    private static HashSet<string> Candidates(CommandResult command)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var symbols = new List<Symbol>(command.Command.Subcommands);
        symbols.AddRange(command.Command.Options);
        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            symbols.AddRange(parent.Command.Options.Where(o => o.Recursive));
        }

        foreach (var symbol in symbols)
        {
            names.Add(symbol.Name);
            names.UnionWith(symbol switch
            {
                Option option => option.Aliases,
                Command subcommand => subcommand.Aliases,
                _ => Enumerable.Empty<string>(),
            });
        }

        return names;
    }

    /// <summary><c>netgen graph</c> for the graph command's result.</summary>
    public static string CommandPath(CommandResult command, string program)
    {
        var names = new List<string>();
        for (var result = command; result.Parent is CommandResult parent; result = parent)
        {
            names.Add(result.Command.Name);
        }

        names.Add(program);
        names.Reverse();
        return string.Join(" ", names);
    }

    /// <summary>Some parser messages list allowed values on lines of their own; the tool's errors are one line.</summary>
    private static string OneLine(string message) => Regex.Replace(message.Trim(), @"\s*\n\s*", " ");
}
