using System.Collections.Generic;
using System.Globalization;
using System.Text;
using NetGen.Generator.Diagnostics;

namespace NetGen.Generator.Binding;

/// <summary>
/// Where the binder is in the expansion of a class: the names of the statements it is inside, the copy of
/// each repeat, and the blocks it has called. A block's statements are shared by every call, so an error
/// located in a block says which class and which call chain met it (<c>ResNet50 → layer3[0] → Bottleneck</c>).
/// The text is made only when a diagnostic asks for it.
/// </summary>
internal sealed class CallPath
{
    private enum Kind
    {
        Name,
        Index,
        Block,
    }

    private readonly List<(Kind Kind, string Text, long Index)> _segments = new();
    private int _blocks;

    /// <summary>The class being bound; null between classes.</summary>
    public string? ClassName { get; set; }

    /// <summary>How many segments there are: pass it to <see cref="Restore"/> to leave what was entered since.</summary>
    public int Mark => _segments.Count;

    /// <summary>Enters a named statement (a key of the module being built).</summary>
    public void EnterName(string name) => _segments.Add((Kind.Name, name, 0));

    /// <summary>Enters copy <paramref name="index"/> of a repeat.</summary>
    public void EnterCopy(long index) => _segments.Add((Kind.Index, string.Empty, index));

    /// <summary>Enters the expansion of a block.</summary>
    public void EnterBlock(string block)
    {
        _segments.Add((Kind.Block, block, 0));
        _blocks++;
    }

    /// <summary>Leaves every segment entered after <paramref name="mark"/>.</summary>
    public void Restore(int mark)
    {
        for (var i = _segments.Count - 1; i >= mark; i--)
        {
            if (_segments[i].Kind == Kind.Block)
            {
                _blocks--;
            }

            _segments.RemoveAt(i);
        }
    }

    /// <summary>
    /// The class and the block calls down to the innermost block, each call as its site's key path (names
    /// joined by '.', a repeat's copy as [i]) and the block's name; null outside any block.
    /// </summary>
    public CallChain? Describe()
    {
        if (ClassName is null || _blocks == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        var site = new StringBuilder();
        foreach (var (kind, name, index) in _segments)
        {
            switch (kind)
            {
                case Kind.Name:
                    site.Append(site.Length == 0 ? string.Empty : ".").Append(name);
                    break;
                case Kind.Index:
                    site.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                    break;
                default:
                    text.Append(text.Length == 0 ? string.Empty : " → ");
                    if (site.Length > 0)
                    {
                        text.Append(site).Append(" → ");
                    }

                    text.Append(name);
                    site.Clear();
                    break;
            }
        }

        return new CallChain(ClassName, text.ToString());
    }
}
