using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
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
/// Binding is a pure function of <see cref="NetworkInputs"/> and the file's blocks, and
/// <see cref="NetworkKey"/> is made from all of them (the network's and variant's tokens, every block's
/// tokens, the documentation, path, namespace and class name), so a network found here is exactly the
/// one binding would make again. Only networks bound without any diagnostic
/// are kept: a diagnostic carries positions and line numbers, which the key leaves out on purpose (so
/// that moving text does not re-bind). One instance serves every run of one generator instance; the
/// host may run it for several projects at once, so it is safe for concurrent use. It holds one
/// generation per file path — the networks Roslyn's own cache holds as well.
/// </remarks>
public sealed class NetworkCache
{
    /// <summary>Paths remembered before the cache starts over (a project's files, with room to spare).</summary>
    private const int MaxFiles = 1024;

    private readonly ConcurrentDictionary<string, FileGeneration> _files = new(StringComparer.Ordinal);

    /// <summary>What the last compile of <paramref name="path"/> bound.</summary>
    internal FileGeneration? Previous(string path) => _files.TryGetValue(path, out var generation) ? generation : null;

    /// <summary>Replaces what is remembered for <paramref name="path"/> with this compile's networks and block modules.</summary>
    internal void Store(string path, FileGeneration generation)
    {
        if (_files.Count >= MaxFiles && !_files.ContainsKey(path))
        {
            _files.Clear();
        }

        _files[path] = generation;
    }
}

/// <summary>
/// One compile of a file, as the next compile may reuse it: the networks by key, and the module of every
/// block call by its key, valid while the file's blocks (<see cref="Blocks"/>, their tokens) are unchanged.
/// Everything here bound without a diagnostic.
/// </summary>
internal sealed record FileGeneration(
    IReadOnlyDictionary<NetworkKey, NetworkModel> Networks,
    string Blocks,
    IReadOnlyDictionary<BlockCallKey, BlockModule> Modules);

/// <summary>A block call's module and the number of modules its expansion counts toward the network's limit.</summary>
internal sealed record BlockModule(ModuleModel Module, int Modules);

/// <summary>
/// What a block call's expansion depends on: the block, its input shape and its argument values (a block
/// body sees nothing else; the blocks themselves are fixed by the file's block tokens). Values compare as
/// the pipeline compares them, so two calls with one key make equal modules.
/// </summary>
internal readonly struct BlockCallKey : IEquatable<BlockCallKey>
{
    private readonly string _block;
    private readonly Shape _input;
    private readonly Value[] _arguments;

    public BlockCallKey(string block, Shape input, Value[] arguments)
    {
        _block = block;
        _input = input;
        _arguments = arguments;
    }

    public bool Equals(BlockCallKey other) =>
        string.Equals(_block, other._block, StringComparison.Ordinal) && _input.Equals(other._input) && _arguments.AsSpan().SequenceEqual(other._arguments);

    public override bool Equals(object? obj) => obj is BlockCallKey other && Equals(other);

    public override int GetHashCode()
    {
        var hash = unchecked((StringComparer.Ordinal.GetHashCode(_block) * 31) + _input.GetHashCode());
        foreach (var argument in _arguments)
        {
            hash = unchecked((hash * 31) + argument.GetHashCode());
        }

        return hash;
    }
}

/// <summary>
/// Everything binding one network or variant reads besides the file's blocks. <see cref="Binder"/> binds
/// a network from this record alone and <see cref="NetworkKey.For"/> makes the cache's key from all of
/// it, so an input cannot reach binding without reaching the key (a test changes each property in turn
/// and requires another key).
/// </summary>
internal sealed record NetworkInputs(NetworkSyntax Network, VariantSyntax? Variant, string Path, string Namespace)
{
    /// <summary>The generated class: the variant's name, or the network's.</summary>
    public string ClassName => (Variant?.Name ?? Network.Name).Text;
}

/// <summary>Everything binding one network or variant reads, with no positions.</summary>
internal sealed record NetworkKey(string Path, string Namespace, string ClassName, string Network, string Variant, string Blocks)
{
    /// <summary>
    /// The key of <paramref name="inputs"/>: the network's tokens without its variant lines, its
    /// documentation, the variant line's tokens, path, namespace and class, and the blocks' fingerprint.
    /// </summary>
    public static NetworkKey For(FileSyntax file, NetworkInputs inputs, string blocks) => new(
        inputs.Path,
        inputs.Namespace,
        inputs.ClassName,
        Fingerprint(file.Tokens, inputs.Network.Tokens, inputs.Network.Variants.Select(v => v.Tokens)) + "\0" + inputs.Network.Doc,
        inputs.Variant is null ? string.Empty : Fingerprint(file.Tokens, inputs.Variant.Tokens, Array.Empty<TokenRange>()),
        blocks);

    /// <summary>Every block's tokens, in file order: any of them may be called by any network.</summary>
    public static string BlocksFingerprint(FileSyntax file)
    {
        var text = new StringBuilder();
        foreach (var block in file.Definitions.OfType<BlockSyntax>())
        {
            Append(text, file.Tokens, block.Tokens);
            text.Append('\0');
        }

        return text.ToString();
    }

    /// <summary>
    /// The kinds and texts of tokens [range), leaving out the <paramref name="excluded"/> ranges inside it
    /// (a network's variant lines, each of which belongs to its own class only).
    /// </summary>
    private static string Fingerprint(IReadOnlyList<Token> tokens, TokenRange range, IEnumerable<TokenRange> excluded)
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

    private static void Append(StringBuilder text, IReadOnlyList<Token> tokens, TokenRange range)
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
