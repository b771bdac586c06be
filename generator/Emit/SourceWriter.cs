using System.Text;

namespace NetGen.Generator.Emit;

/// <summary>A tiny indenting writer. Lines end in '\n' on every platform so output is byte-stable.</summary>
public sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    /// <summary>Writes text, indenting each of its lines at the current level.</summary>
    public void WriteLine(string text = "")
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
            {
                _builder.Append(' ', _indent * 4).Append(line);
            }

            _builder.Append('\n');
        }
    }

    public void OpenBrace()
    {
        WriteLine("{");
        Indent();
    }

    public void CloseBrace(string suffix = "")
    {
        Unindent();
        WriteLine("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
