using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Binding;

namespace NetGen.Generator.Emit;

// Writes the nested classes that NetworkEmitter.Blocks.cs planned: fields under the DSL's names, a
// constructor that builds and registers them, read-only properties, and a forward that runs them as the
// runtime containers would (NetGen.Sequence, NetGen.Residual), with the same in-place choices.
public sealed partial class NetworkEmitter
{
    private void WriteBlockClasses(SourceWriter writer)
    {
        foreach (var block in _blockClassOrder)
        {
            writer.WriteLine();
            WriteBlockClass(writer, block);
        }
    }

    private void WriteBlockClass(SourceWriter writer, BlockClass block)
    {
        var residual = block.Template as ResidualModel;
        var children = BodyOf(block.Template);
        var constructions = Constructions(block.Template).ToList();
        var taken = new HashSet<string>(MemberNames.InheritedMembers.Concat(MemberNames.InheritedPublicMembers), System.StringComparer.Ordinal)
        {
            block.Name, "forward",
        };
        taken.UnionWith(block.Parameters.Select(p => p.CSharp.TrimStart('@')));
        var fields = children.Select(c => Unique("_" + c.Key.Replace('-', '_'), taken)).ToList();
        var shortcutField = block.Shortcut is { } s ? Unique("_" + s.Key.Replace('-', '_'), taken) : null;
        var thenField = residual?.Then is not null ? Unique("_then", taken) : null;
        var named = children.Select((c, i) => (Child: c, Field: fields[i])).ToList();
        if (block.Shortcut is { } shortcut)
        {
            named.Add((shortcut, shortcutField!));
        }

        var properties = named.Select(n => CSharpNames.ModuleProperty(n.Child.Key) is { } p ? Unique(p, taken) : null).ToList();

        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// The DSL block '{Xml(block.Origin)}' as a module: {Xml(Describe(block))}.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine($"public sealed class {block.Name} : {ModuleType}");
        writer.OpenBrace();
        for (var i = 0; i < children.Count; i++)
        {
            writer.WriteLine($"private readonly {TypeOf(children[i].Module)}{(block.Conditions.ContainsKey(children[i].Key) ? "?" : string.Empty)} {fields[i]};");
        }

        if (block.Shortcut is { } projection)
        {
            writer.WriteLine($"private readonly {TypeOf(projection.Module)}{(block.ShortcutFlag is null ? string.Empty : "?")} {shortcutField};");
        }

        if (residual?.Then is { } then)
        {
            writer.WriteLine($"private readonly {LayerEmitter.TypeOf(then)} {thenField};");
        }

        writer.WriteLine();
        WriteBlockConstructor(writer, block, children, fields, shortcutField, thenField, constructions);
        writer.WriteLine("/// <summary>The constructor registers every child under its DSL name; nothing is left to reflect over.</summary>");
        writer.WriteLine("protected override void RegisterComponents()");
        writer.OpenBrace();
        writer.CloseBrace();
        writer.WriteLine();
        for (var i = 0; i < named.Count; i++)
        {
            if (properties[i] is not { } property)
            {
                continue;
            }

            var isShortcut = ReferenceEquals(named[i].Child, block.Shortcut);
            var optional = isShortcut ? block.ShortcutFlag is not null : block.Conditions.ContainsKey(named[i].Child.Key);
            var absent = isShortcut ? ", or null where the call has no such shortcut" : ", or null where the call leaves it out";
            writer.WriteLine($"/// <summary>The module '{Xml(named[i].Child.Key)}' ({Xml(KindOf(named[i].Child.Module))}){(optional ? absent : string.Empty)}.</summary>");
            writer.WriteLine($"public {TypeOf(named[i].Child.Module)}{(optional ? "?" : string.Empty)} {property} => {named[i].Field};");
            writer.WriteLine();
        }

        WriteBlockForward(writer, block, children, fields, shortcutField, thenField);
        writer.CloseBrace();
    }

    private void WriteBlockConstructor(
        SourceWriter writer, BlockClass block, IReadOnlyList<ChildModel> children, List<string> fields, string? shortcutField, string? thenField, List<(ChildModel? Child, string Text)> constructions)
    {
        writer.WriteLine($"/// <summary>Builds the block as the DSL's call with these arguments does.</summary>");
        foreach (var parameter in block.Parameters)
        {
            var doc = parameter.Dsl == InChannels ? "The channels of the block's input." : $"The block's '{Xml(parameter.Dsl)}'.";
            writer.WriteLine($"/// <param name=\"{parameter.CSharp.TrimStart('@')}\">{doc}</param>");
        }

        if (block.ShortcutFlag is { } flag)
        {
            writer.WriteLine($"/// <param name=\"{flag.TrimStart('@')}\">Whether the shortcut '{Xml(block.Shortcut!.Key)}' projects the input (otherwise the input itself is added).</param>");
        }

        var parameters = block.Parameters.Select(p => $"{p.Type} {p.CSharp}").ToList();
        if (block.ShortcutFlag is { } shortcutFlag)
        {
            parameters.Add("bool " + shortcutFlag);
        }

        writer.WriteLine($"public {block.Name}({string.Join(", ", parameters)})");
        writer.WriteLine($"    : base({Quote(block.Origin)})");
        writer.OpenBrace();
        for (var i = 0; i < children.Count; i++)
        {
            writer.WriteLine(block.Conditions.TryGetValue(children[i].Key, out var condition)
                ? $"{fields[i]} = {condition} ? {constructions[i].Text} : null;"
                : $"{fields[i]} = {constructions[i].Text};");
        }

        if (block.Shortcut is { } shortcut)
        {
            var text = Render(shortcut.Module, inPlace: false);
            writer.WriteLine(block.ShortcutFlag is { } f ? $"{shortcutField} = {f} ? {text} : null;" : $"{shortcutField} = {text};");
        }

        if (thenField is not null)
        {
            writer.WriteLine($"{thenField} = {constructions[constructions.Count - 1].Text};");
        }

        for (var i = 0; i < children.Count; i++)
        {
            WhereBuilt(writer, fields[i], block.Conditions.ContainsKey(children[i].Key), $"register_module({Quote(children[i].Key)}, {fields[i]});");
        }

        if (block.Shortcut is { } registered)
        {
            WhereBuilt(writer, shortcutField!, block.ShortcutFlag is not null, $"register_module({Quote(registered.Key)}, {shortcutField});");
        }

        writer.CloseBrace();
        writer.WriteLine();
    }

    private void WriteBlockForward(SourceWriter writer, BlockClass block, IReadOnlyList<ChildModel> children, List<string> fields, string? shortcutField, string? thenField)
    {
        var residual = block.Template as ResidualModel;
        writer.WriteLine("/// <inheritdoc/>");
        writer.WriteLine($"public override {Tensor} forward({Tensor} input)");
        writer.OpenBrace();
        writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
        for (var i = 0; i < children.Count; i++)
        {
            if (block.Conditions.ContainsKey(children[i].Key))
            {
                WhereBuilt(writer, fields[i], optional: true, $"x = {fields[i]}.call(x);");
                continue;
            }

            writer.WriteLine($"{(i == 0 ? "var x" : "x")} = {fields[i]}.call({(i == 0 ? "input" : "x")});");
            if (residual is not null && i == residual.ShortcutFrom)
            {
                writer.WriteLine("var tapped = x;");
            }
        }

        if (residual is not null)
        {
            var source = residual.ShortcutFrom >= 0 ? "tapped" : "input";
            var shortcut = block.Shortcut is null ? "input"
                : block.ShortcutFlag is null ? $"{shortcutField}.call({source})"
                : $"{shortcutField} is null ? input : {shortcutField}.call({source})";
            // As NetGen.Residual: the sum is written into the body's output where autograd does not keep it.
            writer.WriteLine($"x = x.{(AddsInPlace(residual) ? "add_" : "add")}({shortcut});");
            if (thenField is not null)
            {
                writer.WriteLine($"x = {thenField}.call(x);");
            }

            writer.WriteLine("return x.MoveToOuterDisposeScope();");
        }
        else if (block.Template is DenseModel)
        {
            // As NetGen.DenseConnection: the input and the new features, side by side.
            writer.WriteLine("return global::TorchSharp.torch.cat(new[] { input, x }, 1).MoveToOuterDisposeScope();");
        }
        else if (block.Template is GateModel)
        {
            // As NetGen.Gate: the body's output scales the input.
            writer.WriteLine("return x.mul(input).MoveToOuterDisposeScope();");
        }
        else
        {
            // As NetGen.Sequence: a last layer that hands back its input (identity) must not move the caller's tensor.
            var last = children[children.Count - 1];
            writer.WriteLine(LayerEmitter.MakesFreshTensor(last.Module) && !block.Conditions.ContainsKey(last.Key)
                ? "return x.MoveToOuterDisposeScope();"
                : "return ReferenceEquals(x, input) ? x : x.MoveToOuterDisposeScope();");
        }

        writer.CloseBrace();
    }

    /// <summary>A statement about a child, guarded where only some calls build it (its field is then null).</summary>
    private static void WhereBuilt(SourceWriter writer, string field, bool optional, string statement)
    {
        if (!optional)
        {
            writer.WriteLine(statement);
            return;
        }

        writer.WriteLine($"if ({field} is not null)");
        writer.OpenBrace();
        writer.WriteLine(statement);
        writer.CloseBrace();
    }

    private static string Describe(BlockClass block) => block.Template switch
    {
        ResidualModel residual => $"a residual of {string.Join(", ", residual.Body.Select(c => c.Key))}"
            + (block.Shortcut is null ? ", adding its input" : block.ShortcutFlag is null ? $", adding the shortcut {block.Shortcut.Key}" : $", adding its input or, where the call has one, the shortcut {block.Shortcut.Key}")
            + (residual.Then is { } then ? $", then {then.Kind}" : string.Empty),
        SequenceModel sequence => $"{string.Join(", ", sequence.Children.Select(c => $"{c.Key} ({KindOf(c.Module)})"))}, in order",
        DenseModel dense => $"its input joined along channels with the output of {string.Join(", ", dense.Body.Select(c => c.Key))}",
        GateModel gate => $"its input scaled by the output of {string.Join(", ", gate.Body.Select(c => c.Key))}",
        _ => "a module",
    };

    private static string Unique(string name, HashSet<string> taken)
    {
        while (!taken.Add(name))
        {
            name += "_";
        }

        return name;
    }
}
