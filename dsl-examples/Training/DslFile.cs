extern alias NetGenFrontEnd;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using FrontEnd = NetGenFrontEnd::NetGen.Generator;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// Builds a network from a <c>.net.txt</c> file at run time, through the same front end and emitter the
/// source generator uses: the file's diagnostics are the compiler's, and the C# it yields is compiled
/// in memory and loaded.
/// </summary>
public static class DslFile
{
    /// <summary>
    /// <paramref name="spec"/> is <c>path.net.txt</c> (its first network) or <c>path.net.txt#ClassName</c>.
    /// Returns null when the spec names no DSL file.
    /// </summary>
    /// <param name="spec">The network's file, and its class after a '#'.</param>
    /// <param name="requireShape">Called before anything is built with the network's name and its compile-time input and
    /// output shapes (one sample); it throws to refuse a network that does not fit the caller's data.</param>
    /// <exception cref="IOException">The path is missing, not a regular file, over 16 MiB, or unreadable.</exception>
    /// <exception cref="ArgumentException">The file has errors or no such network.</exception>
    /// <exception cref="InsufficientMemoryException">The network is too large to train here.</exception>
    public static nn.Module<Tensor, Tensor>? TryCreate(string spec, Action<string, long[], long[]>? requireShape = null)
    {
        var hash = spec.LastIndexOf('#');
        var path = hash > 0 ? spec.Substring(0, hash) : spec;
        if (!path.EndsWith(".net.txt", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Create(path, RegularFile.ReadDslText(path), hash > 0 ? spec.Substring(hash + 1) : null, requireShape);
    }

    /// <summary>
    /// Compiles DSL <paramref name="text"/> (reported as <paramref name="path"/>) and creates its network
    /// <paramref name="className"/> (the first when null) with default arguments. Throws ArgumentException
    /// with the compiler's diagnostics when the text has errors, and InsufficientMemoryException, before
    /// building anything, when the network's compile-time parameter count is too large to train here;
    /// <paramref name="requireShape"/>, when given, sees the compile-time shapes first (see <see cref="TryCreate"/>).
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(string path, string text, string? className, Action<string, long[], long[]>? requireShape = null)
    {
        var result = FrontEnd.NetGenCompiler.Compile(new FrontEnd.NetFile(Path.GetFullPath(path), text, "NetGen.UserNetworks"));
        if (result.Diagnostics.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, result.Diagnostics.Select(d => d.ToString())));
        }

        var network = className is not null
            ? result.Networks.FirstOrDefault(n => n.ClassName == className)
            : result.Networks.FirstOrDefault();
        if (network is null)
        {
            throw new ArgumentException($"'{path}' has no network{(className is not null ? $" '{className}'" : string.Empty)}; it has {string.Join(", ", result.Networks.Select(n => n.ClassName))}");
        }

        var name = $"{network.ClassName} ({Path.GetFileName(path)})";
        MemoryBudget.RequireTrainable(name, network.ParameterCount);
        requireShape?.Invoke(name, network.Input.Sizes, network.Output.Sizes);
        var source = FrontEnd.Emit.NetworkEmitter.Emit(network, FrontEnd.NetGenCompiler.Version);
        var compilation = CSharpCompilation.Create(
            "NetGen.UserNetworks." + network.ClassName,
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success)
        {
            throw new ArgumentException("the generated code does not compile (a NetGen bug): " + string.Join(Environment.NewLine, emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        var type = Assembly.Load(stream.ToArray()).GetType($"{network.Namespace}.{network.ClassName}")!;
        // The constructor's parameters (from the network's header) take their defaults.
        var constructor = type.GetConstructors()[0];
        return (nn.Module<Tensor, Tensor>)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }

    /// <summary>The running app's own assemblies: the framework, TorchSharp and the NetGen runtime.</summary>
    private static IEnumerable<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p));
}
