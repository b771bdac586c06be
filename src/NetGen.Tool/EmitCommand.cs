using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Generator;
using NetGen.Generator.Emit;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen emit FILE</c>: the C# the source generator adds to a compilation, byte for byte, from the same
/// front end and <see cref="NetworkEmitter"/>; with <c>--target pytorch</c>, the same networks as one Python
/// module (<see cref="PythonEmitter"/>) and its runtime module.
/// </summary>
public static class EmitCommand
{
    public const string Usage =
        """
        Usage: netgen emit FILE [--target csharp|pytorch] [--network NAME] [-o PATH] [--namespace NS] [--skip-invalid]

        Prints the C# the NetGen source generator produces for each network of FILE (exactly its text),
        or writes one <Class>.g.cs per network into the folder PATH.

        With --target pytorch, prints one Python module with a torch.nn.Module class per network of FILE
        (same class names, constructor parameters, state_dict keys and forward as the C# classes), or
        writes it to PATH (a .py file, or a folder that gets <file>.py) together with the runtime module
        netgen_torch.py it imports.

          --target T        csharp (default) or pytorch
          --network NAME    only this network (a network or variant class name)
          -o, --output PATH write files instead of printing (folders are created if missing)
          --namespace NS    the namespace of the C# classes, as a project's RootNamespace (default NetGen.Generated)
          --skip-invalid    emit the networks that bind and pass over the others and their diagnostics in silence,
                            as the build's NetGenEmitPython step does (the compiler has reported them already)
        """;

    private static readonly Dictionary<string, string> ValueOptions = new()
    {
        ["--network"] = "--network",
        ["-o"] = "--output",
        ["--output"] = "--output",
        ["--namespace"] = "--namespace",
        ["--target"] = "--target",
    };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Cli.Help(args, output, Usage))
        {
            return Cli.Success;
        }

        var line = CommandLine.Parse("emit", args, ValueOptions, new[] { "--skip-invalid" });
        var path = NetworkFiles.ExpandOne(line.Single("emit", "file"));
        var workspace = NetworkFiles.Load(new[] { path }, line.Value("--namespace") ?? NetGenCompiler.DefaultNamespace);
        var skipInvalid = line.Flag("--skip-invalid");
        if (skipInvalid && line.Value("--network") is null && !workspace.Networks.Any())
        {
            // The build's pass over every .net.txt file: a file of blocks alone has nothing to emit.
            return Cli.Success;
        }

        if (!skipInvalid && Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, line.Value("--network"));
        switch (line.Value("--target") ?? "csharp")
        {
            case "csharp":
                break;
            case "pytorch":
                return EmitPython(path, networks, line.Value("--output"), output);
            case var other:
                throw new UsageException($"unknown target '{other}' for 'emit'; the targets are csharp and pytorch");
        }

        var directory = line.Value("--output");
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        for (var i = 0; i < networks.Count; i++)
        {
            var source = NetworkEmitter.Emit(networks[i], NetGenCompiler.Version);
            if (directory is null)
            {
                if (i > 0)
                {
                    output.WriteLine();
                }

                output.Write(source);
            }
            else
            {
                var file = Path.Combine(directory, networks[i].ClassName + ".g.cs");
                File.WriteAllText(file, source);
                output.WriteLine("wrote " + file);
            }
        }

        return Cli.Success;
    }

    /// <summary>The Python module to stdout, or to the .py file (or into the folder) given, with the runtime module beside it.</summary>
    private static int EmitPython(string dslPath, IReadOnlyList<NetGen.Generator.Binding.NetworkModel> networks, string? destination, TextWriter output)
    {
        var source = PythonEmitter.Emit(networks, NetGenCompiler.Version);
        if (destination is null)
        {
            output.Write(source);
            return Cli.Success;
        }

        var file = destination.EndsWith(".py", StringComparison.OrdinalIgnoreCase)
            ? destination
            : Path.Combine(destination, PythonModuleName(dslPath));
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        Directory.CreateDirectory(directory);
        if (string.Equals(Path.GetFileName(file), PythonEmitter.RuntimeFileName, StringComparison.Ordinal))
        {
            throw new UsageException($"'{file}' would overwrite the runtime module {PythonEmitter.RuntimeFileName}; choose another name");
        }

        File.WriteAllText(file, source);
        output.WriteLine("wrote " + file);
        // Named as the module was (relative where it was given relative), beside it.
        var runtime = Path.Combine(Path.GetDirectoryName(file) ?? string.Empty, PythonEmitter.RuntimeFileName);
        File.WriteAllText(runtime, PythonEmitter.Runtime);
        output.WriteLine("wrote " + runtime);
        return Cli.Success;
    }

    /// <summary>resnet.net.txt becomes resnet.py; a name Python cannot import gets '_' for each other character.</summary>
    public static string PythonModuleName(string dslPath)
    {
        var name = Path.GetFileName(dslPath);
        foreach (var suffix in new[] { ".net.txt", ".txt" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name.Substring(0, name.Length - suffix.Length);
                break;
            }
        }

        var chars = name.Select(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_').ToArray();
        var module = chars.Length == 0 || char.IsDigit(chars[0]) ? "net_" + new string(chars) : new string(chars);
        return module + ".py";
    }
}
