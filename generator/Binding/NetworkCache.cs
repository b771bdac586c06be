using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

/// <summary>
/// The bound networks of each file's last compile, so that a re-compile binds only the networks whose
/// text changed. Roslyn re-runs the front end on every edit of a file, and a file such as
/// efficientnet.net.txt holds ten networks of up to 88 blocks each: without this an edit of one variant's
/// line, or of a comment, re-binds all of them.
/// </summary>
/// <remarks>
/// Binding is a pure function of what <see cref="NetworkKey"/> holds — the network's tokens, the
/// tokens of every block of the file, its documentation, path, namespace and class name — so a network
/// found here is exactly the one binding would make again. Only networks bound without any diagnostic
/// are kept: a diagnostic carries positions and line numbers, which the key leaves out on purpose (so
/// that moving text does not re-bind). One instance serves every run of one generator instance; the
/// host may run it for several projects at once, so it is safe for concurrent use. It holds one
/// generation per file path — the networks Roslyn's own cache holds as well.
/// </remarks>
public sealed class NetworkCache
{
    /// <summary>Paths remembered before the cache starts over (a project's files, with room to spare).</summary>
    private const int MaxFiles = 1024;

    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<NetworkKey, NetworkModel>> _files = new(StringComparer.Ordinal);

    /// <summary>What the last compile of <paramref name="path"/> bound, by key.</summary>
    internal IReadOnlyDictionary<NetworkKey, NetworkModel>? Previous(string path) => _files.TryGetValue(path, out var networks) ? networks : null;

    /// <summary>Replaces what is remembered for <paramref name="path"/> with this compile's networks.</summary>
    internal void Store(string path, IReadOnlyDictionary<NetworkKey, NetworkModel> networks)
    {
        if (_files.Count >= MaxFiles && !_files.ContainsKey(path))
        {
            _files.Clear();
        }

        _files[path] = networks;
    }
}

/// <summary>Everything binding one network or variant reads, with no positions.</summary>
internal sealed record NetworkKey(string Path, string Namespace, string ClassName, string Network, string Variant, string Blocks)
{
    /// <summary>
    /// The kinds and texts of tokens [range), leaving out the <paramref name="excluded"/> ranges inside it
    /// (a network's variant lines, each of which belongs to its own class only).
    /// </summary>
    public static string Fingerprint(IReadOnlyList<Token> tokens, TokenRange range, IEnumerable<TokenRange> excluded)
    {
        var text = new StringBuilder();
        var next = range.Start;
        foreach (var gap in excluded)
        {
            Append(text, tokens, new TokenRange(next, gap.Start));
            next = gap.End;
        }

        Append(text, tokens, new TokenRange(next, range.End));
        return text.ToString();
    }

    public static void Append(StringBuilder text, IReadOnlyList<Token> tokens, TokenRange range)
    {
        for (var i = range.Start; i < range.End && i < tokens.Count; i++)
        {
            // Kind, length, text: tells "a b" from "ab" whatever the texts hold. Line breaks and indentation
            // count by kind alone: "\r\n" or "\n", two spaces or four, a final line with or without its break
            // make the same syntax.
            var token = tokens[i];
            var spelling = token.Kind is TokenKind.NewLine or TokenKind.Indent or TokenKind.Dedent or TokenKind.EndOfFile ? string.Empty : token.Text;
            text.Append((char)('A' + (int)token.Kind)).Append(spelling.Length).Append(':').Append(spelling);
        }
    }
}
