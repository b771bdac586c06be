using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Tool;

/// <summary>
/// One command's arguments: positional words and options. Options are declared per command, so an
/// unknown or misspelled option is a usage error instead of being silently ignored.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private CommandLine(IReadOnlyList<string> positionals, Dictionary<string, string> values, HashSet<string> flags)
    {
        Positionals = positionals;
        _values = values;
        _flags = flags;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="valueOptions">Options that take a value; aliases map to their long name ("-o" → "--output").</param>
    /// <param name="flagOptions">Options that stand alone.</param>
    public static CommandLine Parse(string command, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> valueOptions, IReadOnlyCollection<string> flagOptions)
    {
        var positionals = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                positionals.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg.Substring(0, equals) : arg;
            if (flagOptions.Contains(name) && equals < 0)
            {
                flags.Add(name);
            }
            else if (valueOptions.TryGetValue(name, out var canonical))
            {
                string value;
                if (equals > 0)
                {
                    value = arg.Substring(equals + 1);
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"option '{name}' of '{command}' needs a value");
                }

                // An empty value is never meant: '-o ""' would be a path no file system has.
                values[canonical] = value.Length > 0 ? value : throw new UsageException($"option '{name}' of '{command}' needs a value, not an empty one");
            }
            else
            {
                var known = valueOptions.Keys.Concat(flagOptions).Where(o => o.StartsWith("--", StringComparison.Ordinal)).OrderBy(o => o, StringComparer.Ordinal);
                throw new UsageException($"unknown option '{name}' for '{command}'; it takes {string.Join(", ", known)}");
            }
        }

        return new CommandLine(positionals, values, flags);
    }

    public string? Value(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>The one positional argument the command needs.</summary>
    public string Single(string command, string what)
    {
        if (Positionals.Count == 1)
        {
            return Positionals[0];
        }

        throw new UsageException(Positionals.Count == 0
            ? $"'{command}' needs a {what}; see 'netgen {command} --help'"
            : $"'{command}' takes one {what}, got {Positionals.Count}: {string.Join(" ", Positionals)}");
    }
}
