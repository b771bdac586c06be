using System.Globalization;

namespace NetGen.Generator.Binding;

/// <summary>
/// The shape of one sample (batch excluded): channels x height x width, or flat features.
/// <see cref="ChannelsExpression"/> is set when the channel count depends on a constructor parameter;
/// <see cref="Channels"/> is then its value for the default arguments.
/// </summary>
public readonly record struct Shape(long Channels, long Height, long Width, bool IsFlat, string? ChannelsExpression = null)
{
    public static Shape Spatial(long channels, long height, long width, string? channelsExpression = null) =>
        new(channels, height, width, false, channelsExpression);

    public static Shape Flat(long features, string? featuresExpression = null) => new(features, 1, 1, true, featuresExpression);

    /// <summary>The channel (or feature) count as a C# expression.</summary>
    public string ChannelsCSharp => ChannelsExpression ?? Channels.ToString(CultureInfo.InvariantCulture);

    public Value ChannelsValue => Value.Int(Channels, ChannelsExpression);

    public bool SameSpatial(Shape other) => Height == other.Height && Width == other.Width;

    /// <summary>The dimensions of one sample as C# array elements: "3, 224, 224" or "1000".</summary>
    public string Dimensions => IsFlat
        ? N(Channels)
        : $"{N(Channels)}, {N(Height)}, {N(Width)}";

    public override string ToString() => IsFlat ? $"({N(Channels)})" : $"{N(Channels)}x{N(Height)}x{N(Width)}";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
