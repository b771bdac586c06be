using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Syntax;

namespace NetGen.Generator;

/// <summary>One <c>.net.txt</c> file as the pipeline sees it: plain, equatable values.</summary>
public sealed record NetFile(string Path, string Text, string Namespace);

/// <summary>Where a generated class is declared, for the check that no two files declare the same class.</summary>
public sealed record ClassDeclaration(string FullName, string FilePath, TextSpan Span, LinePositionSpan LineSpan);

/// <summary>How many classes a file defines: its networks, and their variants.</summary>
public readonly record struct ClassCounts(int Networks, int Variants);

/// <summary>What the front end makes of one file. <see cref="Defined"/> counts the classes written, generated or not.</summary>
public sealed record FileResult(
    EquatableArray<NetworkModel> Networks,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<ClassDeclaration> Declarations,
    ClassCounts Defined = default);

/// <summary>
/// The front end: text → tokens → syntax → bound networks, plus diagnostics. Shared by the
/// generator and the tests; it never throws (a bug becomes diagnostic NG9999).
/// </summary>
public static class NetGenCompiler
{
    public const string Version = "0.1.0";

    public const string DefaultNamespace = "NetGen.Generated";

    /// <param name="cache">Networks of the file's last compile to reuse where their text is unchanged (the generator keeps one).</param>
    /// <param name="budget">The binding work allowed (default: <see cref="WorkBudget.MaxSteps"/> with <paramref name="cancellationToken"/>).</param>
    public static FileResult Compile(NetFile file, CancellationToken cancellationToken = default, NetworkCache? cache = null, WorkBudget? budget = null)
    {
        var diagnostics = new DiagnosticBag();
        var source = SourceText.From(file.Text);
        var networks = EquatableArray<NetworkModel>.Empty;
        var declarations = new List<ClassDeclaration>();
        var syntaxErrors = 0;
        var defined = default(ClassCounts);
        try
        {
            var syntax = Parser.Parse(file.Text, diagnostics);
            syntaxErrors = diagnostics.Count;
            var written = syntax.Definitions.OfType<NetworkSyntax>().Where(n => !n.Name.IsMissing).ToList();
            defined = new ClassCounts(written.Count, written.Sum(n => n.Variants.Count(v => !v.Name.IsMissing)));
            cancellationToken.ThrowIfCancellationRequested();
            var bound = Binder.Bind(syntax, file.Text, file.Path, file.Namespace, diagnostics, budget ?? new WorkBudget(cancellationToken), cache);
            networks = bound.ToEquatableArray();
            var namespaces = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var model in networks)
            {
                namespaces[model.ClassName] = model.Namespace;
            }

            // The classes this file generates, each at the name that claimed it (the binder reported the rest).
            var declared = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in syntax.Definitions.OfType<NetworkSyntax>().SelectMany(n => n.Variants.Select(v => v.Name).Prepend(n.Name)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (namespaces.TryGetValue(name.Text, out var @namespace) && declared.Add(name.Text))
                {
                    declarations.Add(Declare(file.Path, source, name, @namespace));
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            // A generator exception would disable every network in the project (CS8785); report it instead.
            diagnostics.InternalError(new TextSpan(0, 0), exception.GetType().Name + ": " + exception.Message);
            networks = EquatableArray<NetworkModel>.Empty;
        }

        // A line with a syntax error was read by guesswork: what binding then finds on it is a consequence.
        var clamped = diagnostics.Items.Select(d => d with { Span = Clamp(d.Span, file.Text.Length) }).ToList();
        var guessed = new HashSet<int>(clamped.Take(syntaxErrors).Select(d => source.Lines.GetLineFromPosition(d.Span.Start).LineNumber));
        var reported = clamped.Where((d, index) => index < syntaxErrors || !guessed.Contains(source.Lines.GetLineFromPosition(d.Span.Start).LineNumber));
        var infos = DiagnosticBag.Printed(reported.OrderBy(d => d.Span.Start))
            .Select(p => new DiagnosticInfo(p.Diagnostic.Descriptor.Id, p.Message, file.Path, p.Diagnostic.Span, source.Lines.GetLinePositionSpan(p.Diagnostic.Span)))
            .ToEquatableArray();
        return new FileResult(networks, infos, declarations.ToEquatableArray(), defined);
    }

    public static string DuplicateKey(string fullName, string path) => fullName + "|" + path;

    private static ClassDeclaration Declare(string path, SourceText source, Token name, string @namespace) =>
        new($"{@namespace}.{name.Text}", path, name.Span, source.Lines.GetLinePositionSpan(name.Span));

    private static TextSpan Clamp(TextSpan span, int length)
    {
        var start = Math.Min(Math.Max(span.Start, 0), length);
        var end = Math.Min(Math.Max(span.End, start), length);
        return TextSpan.FromBounds(start, end);
    }

    /// <summary>
    /// Classes declared again after their first declaration (by another file), as "FullName|FilePath"
    /// keys of the declarations to leave out, with an error at each.
    /// </summary>
    public static (EquatableArray<string> Names, EquatableArray<DiagnosticInfo> Diagnostics) FindDuplicateClasses(IEnumerable<ClassDeclaration> declarations)
    {
        // Generated file names (hint names) ignore case: classes differing only in case collide too.
        var first = new Dictionary<string, ClassDeclaration>(StringComparer.OrdinalIgnoreCase);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var reports = new List<DiagnosticInfo>();
        foreach (var declaration in declarations.OrderBy(d => d.FilePath, StringComparer.Ordinal).ThenBy(d => d.Span.Start))
        {
            if (first.TryGetValue(declaration.FullName, out var original))
            {
                names.Add(DuplicateKey(declaration.FullName, declaration.FilePath));
                reports.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.DuplicateName.Id,
                    (original.FullName == declaration.FullName ? $"class '{declaration.FullName}' is also generated" : $"class '{declaration.FullName}' differs only in case from '{original.FullName}', generated")
                    + $" from {original.FilePath}({original.LineSpan.Start.Line + 1},{original.LineSpan.Start.Character + 1}); rename one network or put the files in different namespaces",
                    declaration.FilePath,
                    declaration.Span,
                    declaration.LineSpan));
            }
            else
            {
                first.Add(declaration.FullName, declaration);
            }
        }

        return (names.ToEquatableArray(), reports.ToEquatableArray());
    }
}
