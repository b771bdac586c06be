using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>Generated C# compiled in memory against TorchSharp and the runtime, with zero warnings, and loaded.</summary>
internal static class InMemoryAssembly
{
    public static Assembly Compile(IEnumerable<string> sources, string name)
    {
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(NetGen.Sequence).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            name,
            sources.Select(s => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest))),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                // The SDK's own defaults: TorchSharp is built against an older System.Runtime.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(emit.Success && problems.Count == 0, string.Join("\n", problems.Take(10)));
        return Assembly.Load(stream.ToArray());
    }
}
