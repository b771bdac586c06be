using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Binding;
using NetGen.Generator.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

/// <summary>
/// The property that closes the class of bug "checks clean but does not compile": random valid files
/// whose names (networks, variants, namespaces, parameters, lets, blocks, module keys, auxiliary heads)
/// are drawn from C# keywords, contextual keywords, the generated classes' own members, TorchSharp's
/// Module members and case variants of all of them run through the real generator in a real
/// compilation. No NG error must mean zero C# diagnostics (warnings count: projects build with
/// TreatWarningsAsErrors), and the generator must never throw (CS8785). 200 files per run with a fixed
/// seed; NETGEN_NAMES_COUNT runs more.
/// </summary>
public class NamePropertyTests
{
    private const int PerCompilation = 10;

    /// <summary>Names the emitted code or its base classes use for members, locals and types.</summary>
    private static readonly string[] Members =
    {
        "ParameterCount", "MultiplyAccumulates", "InputShape", "OutputShape", "SourceFile", "Outputs", "ForwardWithAuxiliary", "Main",
        "forward", "call", "to", "parameters", "named_parameters", "state_dict", "load_state_dict", "register_module", "training", "train",
        "eval", "Dispose", "name", "children", "named_children", "modules", "apply", "cuda", "cpu", "load", "save", "GetName", "ToString",
        "Equals", "GetHashCode", "Deconstruct", "EqualityContract", "PrintMembers", "Clone", "GetType", "MemberwiseClone", "x", "input",
        "scope", "outputs", "aux", "torch", "nn", "Tensor", "Module", "NetGen", "TorchSharp", "System", "global", "Sequence", "Residual",
        "Concat", "Gate", "Activation", "Platform", "NetworkCatalog", "_1", "_", "__", "a_b", "_x", "x1", "conv1", "Conv_1", "a_1", "_a",
        "_a_1", "Logits", "Ωmega", "変数",
    };

    private static readonly string[] Pool = SyntaxFacts.GetKeywordKinds()
        .Concat(SyntaxFacts.GetContextualKeywordKinds())
        .Select(SyntaxFacts.GetText)
        .Where(t => t.Length > 0 && t.All(c => char.IsLetterOrDigit(c) || c == '_'))
        .Concat(Members)
        .Distinct()
        .ToArray();

    private readonly ITestOutputHelper _output;

    public NamePropertyTests(ITestOutputHelper output) => _output = output;

    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("NETGEN_NAMES_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 200;

    [Fact]
    public void A_file_without_ng_errors_compiles_without_any_csharp_diagnostic()
    {
        var pcg = new PCG(11, 20261127);
        var files = 0;
        var clean = 0;
        var choices = Gen.Int[0, 1_000_000].Array[40];
        for (var batch = 0; files < Count; batch++)
        {
            var texts = Enumerable.Range(0, PerCompilation).Select(i => Build(choices.Generate(pcg, null, out _), $"P{batch}_{i}")).ToArray();
            var outcome = Run(texts);
            files += texts.Length;
            clean += outcome.Clean.Count;
            if (outcome.CompilerDiagnostics.Count > 0)
            {
                // Find the file that broke the compilation, for a readable failure.
                foreach (var text in outcome.Clean)
                {
                    var alone = Run(new[] { text });
                    Assert.True(alone.CompilerDiagnostics.Count == 0, $"clean DSL, broken C#:\n{text}\n{string.Join("\n", alone.CompilerDiagnostics.Take(5))}");
                }
            }
        }

        _output.WriteLine($"{files} files, {clean} without NG errors, all compiled cleanly");
        // Names are drawn to be hostile, but most files must still check clean or the property says little.
        Assert.True(clean * 3 > files, $"only {clean} of {files} files were free of NG errors");
    }

    private static (List<string> Clean, List<Diagnostic> CompilerDiagnostics) Run(string[] texts)
    {
        var (run, output) = GeneratorHarness.Run(texts.Select((text, i) => ($"/r/f{i}.net.txt", text)).ToArray());
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CS8785");
        var withErrors = run.Diagnostics.Where(d => d.Id.StartsWith("NG", StringComparison.Ordinal)).Select(d => d.Location.GetLineSpan().Path).ToHashSet();
        var clean = texts.Where((_, i) => !withErrors.Contains($"/r/f{i}.net.txt")).ToList();
        return (clean, GeneratorHarness.CompilerDiagnostics(output).ToList());
    }

    /// <summary>A structurally valid file; only its names are random (so NG errors come from names alone).</summary>
    private static string Build(int[] choices, string fallbackNamespace)
    {
        var next = 0;
        string Name() => Cased(Pool[choices[next++ % choices.Length] % Pool.Length], choices[next++ % choices.Length]);
        string Class() => Capitalized(Name());
        var network = Class();
        var variant = Class();
        var (p1, p2, let, block, head, blockParameter, headParameter) = (Name(), Name(), Name(), Class(), Class(), Name(), Name());
        var keys = Enumerable.Range(0, 14).Select(_ => Name()).ToArray();
        var second = Class();
        var @namespace = choices[0] % 3 == 0 ? $"{Capitalized(Name())}.{Capitalized(Name())}" : fallbackNamespace;
        var text = new StringBuilder();
        text.Append($"namespace {@namespace}\n");
        text.Append($"network {network}({p1} = 4, {p2} = 10)\n");
        text.Append($"  let {let} = {p1} * 2\n");
        text.Append("  input 3x16x16\n");
        text.Append($"  {keys[0]}: conv({let}, k=3, p=1)\n");
        text.Append($"  {keys[1]}: {block}({p1})\n");
        text.Append($"  {keys[2]}: aux {head}({p2})\n");
        text.Append($"  {keys[3]}: relu\n");
        text.Append($"  {keys[4]}: adaptive_avgpool(1)\n");
        text.Append("  flatten\n");
        text.Append($"  {keys[5]}: linear({p2})\n");
        text.Append($"  variant {variant}({p1} = 8)\n");
        text.Append($"network {second}\n");
        text.Append("  input 3x8x8\n");
        text.Append($"  {keys[8]}: residual\n");
        text.Append($"    {keys[9]}: conv(3, k=3, p=1)\n");
        text.Append($"  {keys[10]}: concat\n");
        text.Append($"    {keys[11]}: conv(2, k=1)\n");
        text.Append($"    {keys[12]}: conv(2, k=1)\n");
        text.Append($"  {keys[13]}: {block}(4) x 2\n");
        text.Append($"block {block}({blockParameter} = 3)\n");
        text.Append($"  {keys[6]}: conv({blockParameter}, k=1)\n");
        text.Append("  relu\n");
        text.Append($"block {head}({headParameter})\n");
        text.Append("  adaptive_avgpool(1)\n");
        text.Append("  flatten\n");
        text.Append($"  {keys[7]}: linear({headParameter})\n");
        return text.ToString();
    }

    private static string Cased(string name, int choice) => (choice % 4) switch
    {
        0 => name,
        1 => Capitalized(name),
        2 => name.ToUpperInvariant(),
        _ => name.ToLowerInvariant(),
    };

    private static string Capitalized(string name) =>
        name.Length == 0 || !char.IsLower(name[0]) ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
}
