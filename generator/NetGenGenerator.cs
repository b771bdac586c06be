using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;
using NetGen.Generator.Emit;

namespace NetGen.Generator;

/// <summary>
/// Reads every <c>*.net.txt</c> additional file and emits one TorchSharp module class per network.
/// Each file is compiled on its own and each network emitted on its own: editing one file binds again
/// only those of its networks whose text changed (<see cref="NetworkCache"/>), re-emits only those whose
/// model changed, and a C# edit does no work at all.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetGenGenerator : IIncrementalGenerator
{
    public const string FileSuffix = ".net.txt";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(FileSuffix, StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) =>
            {
                var (file, options) = pair;
                var text = file.GetText(cancellationToken)?.ToString() ?? string.Empty;
                return new NetFile(file.Path, text, NamespaceFor(options.GetOptions(file), options.GlobalOptions));
            })
            .WithTrackingName(TrackingNames.Files);

        // Networks whose text an edit left alone are reused, not bound again (see NetworkCache).
        var cache = new NetworkCache();
        var compiled = files
            .Select((file, cancellationToken) => NetGenCompiler.Compile(file, cancellationToken, cache))
            .WithTrackingName(TrackingNames.Compiled);

        var diagnostics = compiled
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (production, items) =>
        {
            foreach (var item in items)
            {
                production.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        var duplicates = compiled
            .SelectMany(static (result, _) => result.Declarations)
            .Collect()
            .Select(static (declarations, _) => NetGenCompiler.FindDuplicateClasses(declarations))
            .WithTrackingName(TrackingNames.Duplicates);
        context.RegisterSourceOutput(duplicates, static (production, found) =>
        {
            foreach (var item in found.Diagnostics)
            {
                production.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        var networks = compiled
            .SelectMany(static (result, _) => result.Networks)
            .WithTrackingName(TrackingNames.Networks)
            .Combine(duplicates.Select(static (found, _) => found.Names))
            .Where(static pair => !pair.Right.Contains(NetGenCompiler.DuplicateKey($"{pair.Left.Namespace}.{pair.Left.ClassName}", pair.Left.SourcePath)))
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(TrackingNames.Emitted);
        context.RegisterSourceOutput(networks, static (production, network) =>
            production.AddSource($"{network.Namespace}.{network.ClassName}.g.cs", NetworkEmitter.Emit(network, NetGenCompiler.Version)));

        var catalog = networks
            .Select(static (network, _) => new CatalogEntry(network.Namespace, network.ClassName))
            .Collect()
            .Select(static (entries, _) => entries.ToEquatableArray())
            .WithTrackingName(TrackingNames.Catalog);
        context.RegisterSourceOutput(catalog, static (production, entries) =>
        {
            if (entries.Count > 0)
            {
                production.AddSource(CatalogEmitter.HintName, CatalogEmitter.Emit(entries, NetGenCompiler.Version));
            }
        });
    }

    private static string NamespaceFor(AnalyzerConfigOptions fileOptions, AnalyzerConfigOptions globalOptions)
    {
        if (fileOptions.TryGetValue("build_metadata.AdditionalFiles.NetGenNamespace", out var perFile) && IsUsable(perFile))
        {
            return perFile;
        }

        if (globalOptions.TryGetValue("build_property.RootNamespace", out var root) && IsUsable(root))
        {
            return root;
        }

        return NetGenCompiler.DefaultNamespace;
    }

    private static bool IsUsable(string @namespace) => CSharpNames.IsValidNamespace(@namespace) && CSharpNames.NamespaceProblem(@namespace) is null;
}
