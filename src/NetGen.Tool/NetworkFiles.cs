using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NetGen.Generator;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;
using NetGen.Generator.Diagnostics;

namespace NetGen.Tool;

/// <summary>One DSL file, compiled by the generator's front end.</summary>
public sealed record CompiledFile(string Path, FileResult Result);

/// <summary>
/// Files compiled together, as one project would compile them: each file on its own, then the
/// generator's cross-file check that no two files declare the same class.
/// </summary>
public sealed record Workspace(IReadOnlyList<CompiledFile> Files, EquatableArray<string> DuplicateKeys, EquatableArray<DiagnosticInfo> DuplicateDiagnostics)
{
    /// <summary>Every diagnostic, ordered by file (in the order given) and position.</summary>
    public IEnumerable<DiagnosticInfo> Diagnostics
    {
        get
        {
            var order = Files.Select((f, i) => (f.Path, i)).ToDictionary(p => p.Path, p => p.i, StringComparer.Ordinal);
            return Files.SelectMany(f => f.Result.Diagnostics)
                .Concat(DuplicateDiagnostics)
                .OrderBy(d => order.TryGetValue(d.FilePath, out var index) ? index : int.MaxValue)
                .ThenBy(d => d.Span.Start);
        }
    }

    /// <summary>The networks the generator would emit: a class declared again by a later file is left out, as the generator does.</summary>
    public IEnumerable<NetworkModel> Networks => Files
        .SelectMany(f => f.Result.Networks)
        .Where(n => !DuplicateKeys.Contains(NetGenCompiler.DuplicateKey($"{n.Namespace}.{n.ClassName}", n.SourcePath)));

    public bool HasErrors => Diagnostics.Any(d => NetworkFiles.Severity(d) == DiagnosticSeverity.Error);
}

/// <summary>Finds <c>.net.txt</c> files (paths, directories, globs) and compiles them with <see cref="NetGenCompiler"/>.</summary>
public static class NetworkFiles
{
    /// <summary>The most a DSL file may hold, in bytes (16 MiB); a longer one is refused before it is compiled.</summary>
    public const long MaxFileBytes = RegularFile.DslFileLimit;

    public static DiagnosticSeverity Severity(DiagnosticInfo diagnostic) => DiagnosticDescriptors.ById(diagnostic.Id).DefaultSeverity;

    /// <summary>Compiles the files with the namespace a project's RootNamespace would give them.</summary>
    /// <exception cref="IOException">A file is not a regular file, is over <see cref="MaxFileBytes"/>, or cannot be read.</exception>
    public static Workspace Load(IReadOnlyList<string> paths, string @namespace)
    {
        var files = paths
            .Select(path => new CompiledFile(path, NetGenCompiler.Compile(new NetFile(path, RegularFile.ReadDslText(path), @namespace))))
            .ToList();
        var (keys, diagnostics) = NetGenCompiler.FindDuplicateClasses(files.SelectMany(f => f.Result.Declarations));
        return new Workspace(files, keys, diagnostics);
    }

    /// <summary>
    /// The full paths of the files named by <paramref name="arguments"/>: a file as it is, a directory as
    /// every <c>*.net.txt</c> under it, a glob (<c>*</c>, <c>?</c>, <c>**</c>) as the <c>*.net.txt</c> files it matches.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var found = new List<string>();
        foreach (var argument in arguments)
        {
            var matches = File.Exists(argument) ? new List<string> { RegularPath(argument) }
                : Directory.Exists(argument) ? UnderDirectory(argument)
                : argument.IndexOfAny(new[] { '*', '?' }) >= 0 ? MatchGlob(argument)
                : throw new UsageException($"no such file or directory: '{argument}'");
            if (matches.Count == 0)
            {
                throw new UsageException($"no {NetGenGenerator.FileSuffix} files in '{argument}'");
            }

            found.AddRange(matches.Where(m => !found.Contains(m, StringComparer.Ordinal)));
        }

        return found;
    }

    /// <summary>The one file a single-file command reads.</summary>
    public static string ExpandOne(string argument)
    {
        if (!File.Exists(argument))
        {
            throw new UsageException(Directory.Exists(argument)
                ? $"'{argument}' is a directory; give one {NetGenGenerator.FileSuffix} file"
                : $"no such file: '{argument}'");
        }

        return RegularPath(argument);
    }

    /// <summary>The full path of a file named on the command line, refused unless it is a regular file (a FIFO would block, /dev/zero never end).</summary>
    private static string RegularPath(string argument) =>
        RegularFile.Problem(argument) is { } problem
            ? throw new UsageException($"'{argument}' {problem}; give a {NetGenGenerator.FileSuffix} file")
            : Path.GetFullPath(argument);

    /// <summary>The networks a command works on: the one named, or all of them.</summary>
    public static IReadOnlyList<NetworkModel> Select(Workspace workspace, string? name)
    {
        var networks = workspace.Networks.ToList();
        if (name is null)
        {
            return networks.Count > 0
                ? networks
                : throw new UsageException($"{string.Join(", ", workspace.Files.Select(f => Path.GetFileName(f.Path)))} defines no network, only blocks");
        }

        var chosen = networks.Where(n => n.ClassName == name).ToList();
        if (chosen.Count == 0)
        {
            throw new UsageException(networks.Count == 0
                ? $"no network '{name}': the file defines no network"
                : $"no network '{name}'; the file defines {string.Join(", ", networks.Select(n => n.ClassName))}");
        }

        return chosen;
    }

    private static List<string> UnderDirectory(string directory) =>
        Directory.EnumerateFiles(directory, "*" + NetGenGenerator.FileSuffix, SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();

    /// <summary>Globs for shells that do not expand them (and for quoted patterns): the part before the first wildcard is the root.</summary>
    private static List<string> MatchGlob(string glob)
    {
        var normalized = glob.Replace('\\', '/');
        var segments = normalized.Split('/');
        var fixedCount = segments.TakeWhile(s => s.IndexOfAny(new[] { '*', '?' }) < 0).Count();
        var root = fixedCount == 0 ? "." : string.Join("/", segments.Take(fixedCount));
        if (root.Length == 0)
        {
            root = "/";
        }

        if (!Directory.Exists(root))
        {
            return new List<string>();
        }

        var pattern = new Regex("^" + GlobToRegex(string.Join("/", segments.Skip(fixedCount))) + "$", RegexOptions.CultureInvariant);
        return Directory.EnumerateFiles(root, "*" + NetGenGenerator.FileSuffix, SearchOption.AllDirectories)
            .Where(f => pattern.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Select(Path.GetFullPath)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
    }

    private static string GlobToRegex(string glob)
    {
        var regex = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches any number of folders, none included.
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(glob[i] switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    var c => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.ToString();
    }
}
