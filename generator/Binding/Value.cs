using System.Globalization;

namespace NetGen.Generator.Binding;

public enum ValueKind
{
    Error,
    Int,
    Float,
    Bool,
    Pair,
    Symbol,
}

/// <summary>
/// A value of the DSL: an int, float, bool, an (a, b) pair or a symbol such as <c>same</c>.
/// A value computed from a constructor parameter also carries <see cref="Dynamic"/>, the expression
/// that recomputes it when the generated class is built; its number is the value for the default arguments.
/// <see cref="ValueKind.Error"/> stands for a value whose error was already reported.
/// </summary>
public sealed record Value(ValueKind Kind, long Integer, double Number, long Second, string? Symbol, RuntimeExpression? Dynamic, string? DependsOn)
{
    public static readonly Value Error = new(ValueKind.Error, 0, 0, 0, null, null, null);
    public static readonly Value True = new(ValueKind.Bool, 1, 0, 0, null, null, null);
    public static readonly Value False = new(ValueKind.Bool, 0, 0, 0, null, null, null);

    // Constant small ints and bools are shared: the binder makes one for nearly every literal, index
    // and comparison it evaluates, and shared instances also compare by reference.
    private const long SmallestShared = -1;
    private const long LargestShared = 1024;
    private static readonly Value[] SmallInts = CreateSmallInts();

    public static Value Int(long value, RuntimeExpression? dynamic = null, string? dependsOn = null) =>
        dynamic is null && dependsOn is null && value is >= SmallestShared and <= LargestShared
            ? SmallInts[value - SmallestShared]
            : new(ValueKind.Int, value, value, 0, null, dynamic, dependsOn);

    public static Value Float(double value, RuntimeExpression? dynamic = null, string? dependsOn = null) => new(ValueKind.Float, 0, value, 0, null, dynamic, dependsOn);

    public static Value Bool(bool value, RuntimeExpression? dynamic = null, string? dependsOn = null) =>
        dynamic is null && dependsOn is null
            ? (value ? True : False)
            : new(ValueKind.Bool, value ? 1 : 0, 0, 0, null, dynamic, dependsOn);

    public static Value Pair(long first, long second) => new(ValueKind.Pair, first, 0, second, null, null, null);

    public static Value SymbolValue(string symbol) => new(ValueKind.Symbol, 0, 0, 0, symbol, null, null);

    private static Value[] CreateSmallInts()
    {
        var values = new Value[LargestShared - SmallestShared + 1];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new(ValueKind.Int, SmallestShared + i, SmallestShared + i, 0, null, null, null);
        }

        return values;
    }

    public bool IsError => Kind == ValueKind.Error;

    public bool IsDynamic => Dynamic is not null;

    public bool AsBool => Integer != 0;

    /// <summary>The number as a double, for ints and floats alike.</summary>
    public double AsDouble => Kind == ValueKind.Int ? Integer : Number;

    /// <summary>Both halves: a square value (3) is the pair (3, 3).</summary>
    public (long First, long Second) AsPair => Kind == ValueKind.Pair ? (Integer, Second) : (Integer, Integer);

    public bool IsSquare => Kind != ValueKind.Pair || Integer == Second;

    public string TypeName => Kind switch
    {
        ValueKind.Int => "int",
        ValueKind.Float => "float",
        ValueKind.Bool => "bool",
        ValueKind.Pair => "pair",
        ValueKind.Symbol => "symbol",
        _ => "error",
    };

    /// <summary>The value as the DSL writes it.</summary>
    public string Display => Kind switch
    {
        ValueKind.Int => Integer.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => FormatDouble(Number),
        ValueKind.Bool => AsBool ? "true" : "false",
        ValueKind.Pair => $"({Integer.ToString(CultureInfo.InvariantCulture)}, {Second.ToString(CultureInfo.InvariantCulture)})",
        ValueKind.Symbol => Symbol!,
        _ => "<error>",
    };

    /// <summary>"int 3", "float 2.5": for messages.</summary>
    public string Describe => Kind == ValueKind.Error ? "invalid" : $"{TypeName} {Display}";

    /// <summary>The C# expression for this value: the runtime expression if dynamic, else a literal.</summary>
    public string ToCSharp() => Dynamic?.ToCSharp() ?? Kind switch
    {
        ValueKind.Int => Integer.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => CSharpDouble(Number),
        ValueKind.Bool => AsBool ? "true" : "false",
        ValueKind.Pair => $"({Integer.ToString(CultureInfo.InvariantCulture)}, {Second.ToString(CultureInfo.InvariantCulture)})",
        _ => "default",
    };

    /// <summary>The Python expression for this value: the runtime expression if dynamic, else a literal.</summary>
    public string ToPython() => Dynamic?.ToPython() ?? Kind switch
    {
        ValueKind.Int => Integer.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => PythonFloat(Number),
        ValueKind.Bool => AsBool ? "True" : "False",
        ValueKind.Pair => $"({Integer.ToString(CultureInfo.InvariantCulture)}, {Second.ToString(CultureInfo.InvariantCulture)})",
        _ => "None",
    };

    /// <summary>A float literal that round-trips: 1e-05, 0.1, 2.0, math.inf.</summary>
    public static string PythonFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "math.nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "math.inf" : "-math.inf";
        }

        return FormatDouble(value).Replace("E", "e");
    }

    public static string FormatDouble(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") || text.Contains("N") || text.Contains("I") ? text : text + ".0";
    }

    /// <summary>A double literal that round-trips: 1E-05, 0.1, 2.0.</summary>
    public static string CSharpDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }

        return FormatDouble(value);
    }
}
