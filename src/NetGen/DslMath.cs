using System;

namespace NetGen;

/// <summary>
/// The DSL's arithmetic, shared word for word by the generator (to evaluate at compile time) and the
/// runtime library (for values that depend on constructor parameters), so both always agree.
/// </summary>
#if NETGEN_RUNTIME
public
#else
internal
#endif
static class DslMath
{
    /// <summary>Python's <c>a // b</c>: the quotient rounded toward negative infinity.</summary>
    public static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    /// <summary>Python's <c>a % b</c>: the remainder has the sign of the divisor.</summary>
    public static long Mod(long a, long b)
    {
        var r = a % b;
        return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }

    /// <summary>Python's <c>a % b</c> for floats.</summary>
    public static double Mod(double a, double b)
    {
        var r = a % b;
        return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }

    /// <summary>Python's <c>round</c>: halves go to the even neighbour.</summary>
    public static long Round(double x) => checked((long)Math.Round(x, MidpointRounding.ToEven));

    /// <summary>The smallest int not below <paramref name="x"/>.</summary>
    public static long Ceil(double x) => checked((long)Math.Ceiling(x));

    /// <summary>The largest int not above <paramref name="x"/>.</summary>
    public static long Floor(double x) => checked((long)Math.Floor(x));

    /// <summary>
    /// torchvision's and TensorFlow's <c>_make_divisible</c>: the multiple of <paramref name="divisor"/>
    /// nearest to <paramref name="value"/> (halves up), at least <paramref name="minValue"/> (default: the
    /// divisor), and never more than 10% below <paramref name="value"/>.
    /// </summary>
    public static long MakeDivisible(double value, long divisor, long minValue = 0)
    {
        var min = minValue > 0 ? minValue : divisor;
        var rounded = Math.Max(min, checked(FloorDiv(checked((long)(value + (divisor / 2.0))), divisor) * divisor));
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
