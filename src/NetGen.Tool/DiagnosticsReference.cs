using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace NetGen.Tool;

/// <summary>One diagnostic's entry of docs/diagnostics.md: <c>## NG0201: Channel mismatch in residual add</c> and what follows it.</summary>
public sealed record DiagnosticEntry(string Id, string Title, string Text);

/// <summary>
/// docs/diagnostics.md, embedded in the tool (linked in NetGen.Tool.csproj), cut into one entry per
/// <c>## NGxxxx: Title</c> heading; an entry runs to the next heading or anchor, so the reference and
/// <c>netgen explain</c> cannot say different things.
/// </summary>
public static class DiagnosticsReference
{
    private const string ResourceName = "NetGen.Tool.diagnostics.md";

    private static readonly Regex Heading = new(@"^## (?<id>NG\d{4}): (?<title>.+)$", RegexOptions.CultureInvariant);

    /// <summary>Every entry, in the order of the document (by ID).</summary>
    public static IReadOnlyList<DiagnosticEntry> Entries { get; } = Parse(Read());

    /// <summary>The entry of <paramref name="id"/> (NG0201, ng201, or the number 201), or null.</summary>
    public static DiagnosticEntry? Find(string id)
    {
        var normalized = id.Trim().ToUpperInvariant();
        var digits = normalized.StartsWith("NG", StringComparison.Ordinal) ? normalized.Substring(2) : normalized;
        if (digits.Length is > 0 and <= 4 && digits.All(char.IsAsciiDigit))
        {
            normalized = "NG" + digits.PadLeft(4, '0');
        }

        return Entries.FirstOrDefault(e => e.Id == normalized);
    }

    /// <summary>Cuts a diagnostics reference into its entries; exposed for tests of the format.</summary>
    public static IReadOnlyList<DiagnosticEntry> Parse(string markdown)
    {
        var entries = new List<DiagnosticEntry>();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var heading = Heading.Match(lines[i]);
            if (!heading.Success)
            {
                continue;
            }

            var end = i + 1;
            while (end < lines.Length && !lines[end].StartsWith("## ", StringComparison.Ordinal) && !lines[end].StartsWith("<a id=", StringComparison.Ordinal)
                && !lines[end].StartsWith("# ", StringComparison.Ordinal))
            {
                end++;
            }

            var body = string.Join("\n", lines.Skip(i + 1).Take(end - i - 1)).Trim('\n', ' ');
            entries.Add(new DiagnosticEntry(heading.Groups["id"].Value, heading.Groups["title"].Value.Trim(), body));
            i = end - 1;
        }

        return entries;
    }

    private static string Read()
    {
        using var stream = typeof(DiagnosticsReference).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the tool was built without its {ResourceName} resource");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
