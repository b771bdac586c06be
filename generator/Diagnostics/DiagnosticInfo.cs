using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// A diagnostic as the pipeline carries it: plain values only (no <see cref="Location"/>),
/// so models compare by value and caching survives. The Roslyn diagnostic is rebuilt at the output.
/// </summary>
public sealed record DiagnosticInfo(string Id, string Message, string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            DiagnosticDescriptors.ById(Id),
            Location.Create(FilePath, Span, LineSpan),
            Message);

    /// <summary>The message as the compiler prints it: <c>path(line,col): error NG0201: …</c>.</summary>
    public override string ToString() =>
        $"{FilePath}({LineSpan.Start.Line + 1},{LineSpan.Start.Character + 1}): {DiagnosticDescriptors.ById(Id).DefaultSeverity.ToString().ToLowerInvariant()} {Id}: {Message}";
}
