using System.Globalization;

namespace NetGen.Generator.Binding;

/// <summary>
/// The shape of one sample (batch excluded): channels x height x width, or flat features.
/// <see cref="ChannelsExpression"/> is set when the channel count depends on a constructor parameter;
/// <see cref="Channels"/> is then its value for the default arguments. A map permuted with
/// <c>channels_last</c> is <see cref="ChannelsLast"/>: its tensor is height x width x channels, and only
/// layers that work on the last dimension (linear, layernorm, activations) accept it.
/// </summary>
public readonly record struct Shape(long Channels, long Height, long Width, bool IsFlat, RuntimeExpression? ChannelsExpression = null, bool ChannelsLast = false)
{
    public static Shape Spatial(long channels, long height, long width, RuntimeExpression? channelsExpression = null) =>
        new(channels, height, width, false, channelsExpression);

    public static Shape Flat(long features, RuntimeExpression? featuresExpression = null) => new(features, 1, 1, true, featuresExpression);

    /// <summary>A channels x height x width map in PyTorch's usual layout (what convolutions and pools need).</summary>
    public bool IsChannelsFirst => !IsFlat && !ChannelsLast;

    /// <summary>The channel (or feature) count as a C# expression.</summary>
    public string ChannelsCSharp => ChannelsExpression?.ToCSharp() ?? Channels.ToString(CultureInfo.InvariantCulture);

    /// <summary>The channel (or feature) count as a Python expression.</summary>
    public string ChannelsPython => ChannelsExpression?.ToPython() ?? Channels.ToString(CultureInfo.InvariantCulture);

    public Value ChannelsValue => Value.Int(Channels, ChannelsExpression);

    public bool SameSpatial(Shape other) => Height == other.Height && Width == other.Width && ChannelsLast == other.ChannelsLast;

    /// <summary>The same shape with another channel count.</summary>
    public Shape WithChannels(long channels, RuntimeExpression? channelsExpression) => this with { Channels = channels, ChannelsExpression = channelsExpression };

    /// <summary>The sizes of one sample in the tensor's order: C, H, W; features; or H, W, C channels-last.</summary>
    public long[] Sizes => IsFlat
        ? new[] { Channels }
        : ChannelsLast ? new[] { Height, Width, Channels } : new[] { Channels, Height, Width };

    /// <summary>The dimensions of one sample as C# array elements, in the tensor's order: "3, 224, 224", "1000", or "56, 56, 96" channels-last.</summary>
    public string Dimensions => string.Join(", ", System.Linq.Enumerable.Select(Sizes, N));

    public override string ToString() => IsFlat
        ? $"({N(Channels)})"
        : ChannelsLast ? $"{N(Height)}x{N(Width)}x{N(Channels)} (channels last)" : $"{N(Channels)}x{N(Height)}x{N(Width)}";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
