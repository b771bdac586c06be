using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generator.Binding;

/// <summary>How the emitted Python registers a child and reads it back (the state_dict key is the DSL's in every case).</summary>
public enum ChildAccess
{
    /// <summary><c>self.layer1 = …</c>, read as <c>self.layer1</c>.</summary>
    Attribute,

    /// <summary>A key that is no Python name (<c>"2"</c>, <c>"block1-0"</c>, <c>"lambda"</c>): <c>self.add_module("2", …)</c>, read with <c>getattr</c>.</summary>
    Registered,

    /// <summary>
    /// A key <c>nn.Module</c> uses itself (<c>train</c>, <c>to</c>) or keeps private (<c>_modules</c>): registered and read
    /// through the runtime's <c>add_child</c> and <c>child</c>, since <c>add_module</c> refuses it.
    /// </summary>
    Runtime,
}

/// <summary>How DSL names become Python names in the PyTorch emitter's output, and which names that output reserves.</summary>
public static class PythonNames
{
    /// <summary>The runtime module every emitted file imports (<c>netgen_torch.py</c>, written beside it).</summary>
    public const string RuntimeModule = "netgen_torch";

    /// <summary>The name the emitted file imports the runtime module as.</summary>
    public const string RuntimeAlias = "ng";

    /// <summary>Python's keywords (3.8 to 3.13): never a name.</summary>
    private static readonly HashSet<string> Keywords = new(System.StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    };

    /// <summary>
    /// Names the emitted code reads inside a constructor or forward (modules, builtins, <c>self</c>): a parameter or
    /// local of the same name would shadow them.
    /// </summary>
    private static readonly HashSet<string> Reserved = new(System.StringComparer.Ordinal)
    {
        "self", "x", "math", "torch", "nn", "Tensor", "NamedTuple", "Dict", RuntimeAlias, "abs", "float", "int", "max", "min", "round", "super",
        "features", "outputs",
    };

    /// <summary>
    /// The attributes <c>torch.nn.Module</c> defines (torch 1.13 to 2.11), and the emitted classes' own members: a child
    /// under one of these keys is registered and read through the runtime (<see cref="ChildAccess.Runtime"/>).
    /// </summary>
    private static readonly HashSet<string> ModuleAttributes = new(System.StringComparer.Ordinal)
    {
        "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda", "double",
        "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule",
        "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children", "named_modules", "named_parameters",
        "parameters", "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook", "register_module", "register_parameter", "register_state_dict_post_hook",
        "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule", "share_memory", "state_dict", "to",
        "to_empty", "train", "training", "type", "xpu", "zero_grad", "forward_with_auxiliary", "forward_features", "Outputs",
        "parameter_count", "multiply_accumulates", "input_shape", "output_shape", "source_file", "feature_channels",
    };

    /// <summary>A constructor parameter: the DSL's name, with '_' appended where Python or the emitted code reserves it.</summary>
    public static string Parameter(string dslName) => Keywords.Contains(dslName) || Reserved.Contains(dslName) ? dslName + "_" : dslName;

    /// <summary>
    /// A class: the C# class name, with '_' appended where it is a Python keyword (<c>None</c>) or a name the module
    /// imports (<c>Tensor</c>, <c>NamedTuple</c>, <c>Dict</c>), which a class of that name would shadow.
    /// </summary>
    public static string Class(string name) => Keywords.Contains(name) || name is "Tensor" or "NamedTuple" or "Dict" ? name + "_" : name;

    /// <summary>How the emitted class registers and reads a child, by its key.</summary>
    public static ChildAccess Access(string key)
    {
        var identifier = key.Length > 0
            && (char.IsLetter(key[0]) || key[0] == '_')
            && key.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');
        if (ModuleAttributes.Contains(key) || key.StartsWith("_", System.StringComparison.Ordinal))
        {
            return ChildAccess.Runtime;
        }

        return identifier && !Keywords.Contains(key) ? ChildAccess.Attribute : ChildAccess.Registered;
    }

    /// <summary>A local function's name for a block (<c>Bottleneck</c> becomes <c>bottleneck</c>), made unique by the caller.</summary>
    public static string Function(string block)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < block.Length; i++)
        {
            var c = block[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(block[i - 1]) || (i + 1 < block.Length && char.IsLower(block[i + 1]))) && block[i - 1] != '_')
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        var name = builder.ToString();
        return Keywords.Contains(name) || Reserved.Contains(name) || ModuleAttributes.Contains(name) ? name + "_block" : name;
    }
}
