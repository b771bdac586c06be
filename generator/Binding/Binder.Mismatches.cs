using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Syntax;

namespace NetGen.Generator.Binding;

// Shapes that a connection cannot join are reported where they were made: at the statement that set the
// mismatching channels or size, not at the connection, and with a fix that is not already written.
public sealed partial class Binder
{
    /// <summary>
    /// Whether a residual can add its body's output to its shortcut's; if not, reports NG0201 or NG0202 at the
    /// body statement that set the body's channels (or size), or at the shortcut when the body kept its input's.
    /// </summary>
    private bool ResidualFits(ResidualItemSyntax residual, List<Entry> body, ChildModel? shortcut, Shape bodyShape, Shape shortcutShape)
    {
        if (bodyShape.ChannelsLast != shortcutShape.ChannelsLast)
        {
            _diagnostics.NeedsChannelsFirst(residual.Span, "residual add", $"body {bodyShape}, shortcut {shortcutShape}");
            return false;
        }

        var rankDiffers = bodyShape.IsFlat != shortcutShape.IsFlat;
        var channelsDiffer = rankDiffers || bodyShape.Channels != shortcutShape.Channels || bodyShape.ChannelsExpression != shortcutShape.ChannelsExpression;
        if (!channelsDiffer && bodyShape.SameSpatial(shortcutShape))
        {
            return true;
        }

        var clause = residual.Shortcut is { Name.IsMissing: false } written ? written : null;
        var sets = channelsDiffer ? (System.Func<ModuleModel, bool>)SetsChannels : ChangesSize;
        var setter = LastSetter(body, sets);
        var shortcutSets = shortcut is not null && sets(shortcut.Module);
        var span = setter is { } entry ? entry.Span : shortcutSets ? clause!.Span : residual.Span;
        var bodySource = setter is { } set ? $"set on line {LineOf(set.Span.Start)}" : "unchanged from its input";
        string shortcutSource;
        if (clause is null)
        {
            shortcutSource = "the input: there is no shortcut";
        }
        else if (shortcut is null)
        {
            shortcutSource = $"the input: shortcut '{clause.Name.Text}' is off, its 'when' on line {LineOf(clause.Span.Start)} is false here";
        }
        else
        {
            shortcutSource = $"shortcut '{clause.Name.Text}', " + (shortcutSets ? $"set on line {LineOf(clause.Span.Start)}" : "unchanged from its input");
        }

        if (!channelsDiffer)
        {
            var bodySize = setter is { } changed ? $"body {bodyShape} from line {LineOf(changed.Span.Start)}" : $"body {bodyShape}";
            var shortcutSize = clause is null ? $"input {shortcutShape} with no shortcut"
                : shortcut is null ? $"input {shortcutShape} as shortcut '{clause.Name.Text}' is off: its 'when' on line {LineOf(clause.Span.Start)} is false here"
                : $"shortcut '{clause.Name.Text}' {shortcutShape}" + (shortcutSets ? $" from line {LineOf(clause.Span.Start)}" : string.Empty);
            var fix = shortcut is null
                ? "keep the size in the body (e.g. p=1 for a 3x3 conv), or give the shortcut the body's stride"
                : "make the strides and paddings agree";
            _diagnostics.SpatialMismatch(span, "residual add", $"{bodySize}, {shortcutSize}", fix);
            return false;
        }

        string bodyText = rankDiffers ? bodyShape.ToString() : Channels(bodyShape), shortcutText = rankDiffers ? shortcutShape.ToString() : Channels(shortcutShape);
        string advice;
        if (rankDiffers)
        {
            advice = "add flat features to flat features, or maps to maps (keep 'flatten' out of the residual)";
        }
        else if (setter is null && shortcutSets)
        {
            advice = $"end '{clause!.Name.Text}' with {bodyText}";
        }
        else if (clause is null)
        {
            advice = $"end the body with {shortcutText}, or give the residual a projection shortcut to {bodyText} (e.g. 'shortcut downsample when …' with a 1x1 conv)";
        }
        else if (shortcut is null)
        {
            advice = $"end the body with {shortcutText}, or make that 'when' true where the channels change";
        }
        else
        {
            advice = shortcutSets
                ? $"end the body with {shortcutText}, or '{clause.Name.Text}' with {bodyText}"
                : $"end the body with {shortcutText}, or give '{clause.Name.Text}' a 1x1 conv to {bodyText}";
        }

        _diagnostics.ChannelMismatch(span, $"{bodyText} (body, {bodySource})", $"{shortcutText} ({shortcutSource})", advice);
        return false;
    }

    /// <summary>Whether a dense connection can join its input and body; if not, reports NG0202 at the body statement that changed the size.</summary>
    private bool DenseFits(DenseItemSyntax dense, List<Entry> body, Shape input, Shape bodyShape)
    {
        if (input.IsFlat == bodyShape.IsFlat && (input.IsFlat || input.SameSpatial(bodyShape)))
        {
            return true;
        }

        var setter = LastSetter(body, ChangesSize);
        var source = setter is { } set ? $" from line {LineOf(set.Span.Start)}" : string.Empty;
        _diagnostics.SpatialMismatch(setter?.Span ?? dense.Span, "dense concat", $"input {input}, body {bodyShape}{source}",
            "keep the input's size in the body (e.g. p=1 for a 3x3 conv): a dense connection concatenates its input");
        return false;
    }

    /// <summary>
    /// Whether a concat can join its branches; if not, reports NG0202 at the first branch whose size differs
    /// from the size most branches make (the first branch's when no size is the most common).
    /// </summary>
    private bool ConcatFits(ConcatItemSyntax concat, List<Entry> branches, IReadOnlyList<(string Name, Shape Shape)> outputs)
    {
        static (bool, long, long) Size(Shape shape) => (shape.IsFlat, shape.IsFlat ? 0 : shape.Height, shape.IsFlat ? 0 : shape.Width);

        var sizes = outputs.Select(o => Size(o.Shape)).ToList();
        if (sizes.All(s => s == sizes[0]))
        {
            return true;
        }

        var counts = sizes.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var most = counts.Values.Max();
        var usual = counts.Count(c => c.Value == most) == 1 ? counts.First(c => c.Value == most).Key : sizes[0];
        var odd = sizes.FindIndex(s => s != usual);
        var span = odd < branches.Count && !branches[odd].Span.IsEmpty ? branches[odd].Span : concat.Span;
        _diagnostics.SpatialMismatch(span, "concat", string.Join(", ", outputs.Select(o => $"{o.Name} {o.Shape}")), "make the strides and paddings agree");
        return false;
    }

    /// <summary>
    /// Whether a gate's output can scale its input; if not, reports NG0207 at the body statement that set the
    /// wrong channels or size (at the gate for a flat input, which no gate fits).
    /// </summary>
    private bool GateFits(GateItemSyntax gate, List<Entry> body, Shape input, Shape gateShape)
    {
        var channelsFit = gateShape.Channels == input.Channels && gateShape.ChannelsExpression == input.ChannelsExpression;
        var sizeFits = (gateShape.Height == 1 && gateShape.Width == 1) || gateShape.SameSpatial(input);
        if (input.IsChannelsFirst && gateShape.IsChannelsFirst && channelsFit && sizeFits)
        {
            return true;
        }

        var setter = input.IsFlat || gateShape.IsFlat ? null : LastSetter(body, channelsFit ? ChangesSize : SetsChannels);
        _diagnostics.GateMismatch(setter?.Span ?? gate.Span, gateShape.ToString(), input.ToString());
        return false;
    }

    /// <summary>The last entry written in the file that <paramref name="sets"/> (a splice of a layer has no span of its own).</summary>
    private static Entry? LastSetter(List<Entry> entries, System.Func<ModuleModel, bool> sets)
    {
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Role != ChildRole.Auxiliary && sets(entries[i].Module))
            {
                return entries[i].Span.IsEmpty ? null : entries[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a module decides the channels it outputs: it changes them, or a layer on its path is given an output
    /// count (a conv to as many channels as it gets still sets them). Bounded: a network has at most <see cref="MaxModules"/>.
    /// </summary>
    private static bool SetsChannels(ModuleModel module) => module switch
    {
        _ when module.Output.IsFlat != module.Input.IsFlat || module.Output.Channels != module.Input.Channels
            || module.Output.ChannelsExpression != module.Input.ChannelsExpression => true,
        LayerModel layer => layer.Arguments.Any(a => a.Name is "out_channels" or "out_features"),
        SequenceModel sequence => sequence.Children.Any(c => c.Role != ChildRole.Auxiliary && SetsChannels(c.Module)),
        ResidualModel residual => residual.Body.Any(c => SetsChannels(c.Module)),
        DenseModel or ConcatModel => true,
        _ => false,
    };

    /// <summary>Whether a module's output has another height and width than its input.</summary>
    private static bool ChangesSize(ModuleModel module) =>
        module.Output.IsFlat != module.Input.IsFlat || !module.Output.SameSpatial(module.Input);
}
