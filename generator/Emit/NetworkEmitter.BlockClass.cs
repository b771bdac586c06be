using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

// What a planned block class is: its name, its constructor parameters, the template its body is emitted from, and
// how one call of the block becomes a constructor call.
public sealed partial class NetworkEmitter
{
    /// <summary>A nested class for one block: its parameters, and its body emitted once with their names.</summary>
    private sealed class BlockClass
    {
        public BlockClass(
            string origin, string name, ModuleModel template, IReadOnlyList<(string Dsl, string CSharp, string Type)> parameters, string? shortcutFlag,
            IReadOnlyDictionary<string, string> conditions)
        {
            Conditions = conditions;
            Origin = origin;
            Name = name;
            Template = template;
            Parameters = parameters;
            ShortcutFlag = shortcutFlag;
        }

        public string Origin { get; }

        public string Name { get; }

        /// <summary>One call's module with every varying quantity replaced by its parameter's name.</summary>
        public ModuleModel Template { get; }

        /// <summary>The shortcut, named likewise, when some calls have it.</summary>
        public ChildModel? Shortcut => (Template as ResidualModel)?.Shortcut;

        /// <summary>DSL name (<see cref="InChannels"/> for the input's channels), C# name and type, in order.</summary>
        public IReadOnlyList<(string Dsl, string CSharp, string Type)> Parameters { get; }

        /// <summary>The condition under which a child only some calls have is built, by its key.</summary>
        public IReadOnlyDictionary<string, string> Conditions { get; }

        /// <summary>The bool parameter that says whether a call has its shortcut, when only some do.</summary>
        public string? ShortcutFlag { get; }

        /// <summary>The construction of one call (a real one, or a template inside another block's class).</summary>
        public string Call(ModuleModel instance)
        {
            // Labels keep their '@': 'out' is a keyword, '@out: 192' names the parameter.
            var arguments = Parameters.Select(p => $"{p.CSharp}: {Argument(instance, p.Dsl)}").ToList();
            if (ShortcutFlag is not null)
            {
                arguments.Add($"{ShortcutFlag}: {(instance is ResidualModel { Shortcut: not null } ? "true" : "false")}");
            }

            return $"new {Name}({string.Join(", ", arguments)})";
        }

        private static string Argument(ModuleModel instance, string name)
        {
            if (name == InChannels)
            {
                return instance.Input.ChannelsCSharp;
            }

            foreach (var binding in instance.Bindings)
            {
                if (binding.Name == name)
                {
                    return binding.Value.ToCSharp();
                }
            }

            return "default";
        }
    }
}
