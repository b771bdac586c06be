using System;
using System.Collections.Generic;
using System.CommandLine;
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
    /// <summary>The <c>emit</c> command: its arguments, options and action.</summary>
    public static Command Create()
    {
        var file = ToolOptions.File();
        var target = ToolOptions.Value(
            new Option<string>("--target")
            {
                Description = "csharp (default): the C# the source generator produces, exactly its text; pytorch: one Python module with a torch.nn.Module class per network (same class names, constructor parameters, state_dict keys and forward)",
                HelpName = "csharp|pytorch",
            },
            "csharp",
            "pytorch");
        var network = ToolOptions.Network();
        var destination = ToolOptions.Output("write files instead of printing: C# as one <Class>.g.cs per network into the folder PATH; PyTorch as a .py file, or a folder that gets <file>.py, with the runtime module netgen_torch.py beside it (folders are created if missing)");
        var @namespace = ToolOptions.Namespace("the namespace of the C# classes, as a project's RootNamespace (default NetGen.Generated)");
        var skipInvalid = new Option<bool>("--skip-invalid")
        {
            Description = "emit the networks that bind and pass over the others and their diagnostics in silence, as the build's NetGenEmitPython step does (the compiler has reported them already)",
        };
        var command = new Command("emit", "The C# the source generator produces for each network of FILE (or with --target pytorch, the same networks as a PyTorch module), to stdout or -o.")
        {
            file,
            target,
            network,
            destination,
            @namespace,
            skipInvalid,
        };
        command.SetAction(parse => Run(
            new EmitRequest(parse.GetRequiredValue(file), parse.GetValue(target) ?? "csharp", parse.GetValue(network), parse.GetValue(destination), ToolOptions.NamespaceOrDefault(parse, @namespace), parse.GetValue(skipInvalid)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Emits the file's networks (or the one named) as <paramref name="request"/> says.</summary>
    public static int Run(EmitRequest request, TextWriter output, TextWriter error)
    {
        if (request.Target is not "csharp" and not "pytorch")
        {
            throw new UsageException($"unknown target '{request.Target}' for 'emit'; the targets are csharp and pytorch");
        }

        var path = NetworkFiles.ExpandOne(request.File);
        var workspace = NetworkFiles.Load(new[] { path }, request.Namespace);
        if (request.SkipInvalid && request.Network is null && !workspace.Networks.Any())
        {
            // The build's pass over every .net.txt file: a file of blocks alone has nothing to emit.
            return Cli.Success;
        }

        if (!request.SkipInvalid && Cli.ReportDiagnostics(workspace, error))
        {
            return Cli.Failure;
        }

        var networks = NetworkFiles.Select(workspace, request.Network);
        if (request.Target == "pytorch")
        {
            return EmitPython(path, networks, request.Output, output);
        }

        var directory = request.Output;
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

/// <summary>What <c>netgen emit</c> was asked for: the file, the target language, one network or all, where to write, the C# namespace.</summary>
public sealed record EmitRequest(string File, string Target, string? Network, string? Output, string Namespace, bool SkipInvalid);
