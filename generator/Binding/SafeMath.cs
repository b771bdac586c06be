using System;

namespace NetGen.Generator.Binding;

/// <summary>Checked arithmetic for counts; an overflow surfaces as <see cref="OverflowException"/>, which the binder reports.</summary>
public static class SafeMath
{
    public static long Add(long a, long b) => checked(a + b);

    public static long Multiply(long a, long b) => checked(a * b);

    public static long Multiply(long a, long b, long c) => checked(a * b * c);
}
