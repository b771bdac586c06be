using System;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace NetGen;

/// <summary>
/// The processor this process runs on, read with CPUID: vendor, family and model as the vendor's
/// manuals define them, the brand string, and the AVX-512 features oneDNN chooses its kernels by.
/// On a processor without CPUID (Arm) every field says "unknown".
/// </summary>
public sealed record CpuInfo(string Vendor, int Family, int Model, string Brand, bool Avx512F, bool Avx512Vp2Intersect)
{
    /// <summary>The vendor string of AMD processors.</summary>
    public const string Amd = "AuthenticAMD";

    /// <summary>The processor of this process, read once.</summary>
    public static CpuInfo Current { get; } = Read();

    /// <summary>True on an AMD processor.</summary>
    public bool IsAmd => Vendor == Amd;

    /// <summary>One line for logs: brand, vendor, family/model in hex, AVX-512 features.</summary>
    public override string ToString()
    {
        if (Family < 0)
        {
            return $"{Brand} (no x86 CPUID)";
        }

        var features = Avx512F ? (Avx512Vp2Intersect ? "AVX-512 with VP2INTERSECT" : "AVX-512") : "no AVX-512";
        return string.Create(CultureInfo.InvariantCulture, $"{Brand} ({Vendor}, family 0x{Family:X2}, model 0x{Model:X2}, {features})");
    }

    private static CpuInfo Read()
    {
        if (!X86Base.IsSupported)
        {
            return new CpuInfo("unknown", -1, -1, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), false, false);
        }

        var (maxLeaf, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var vendor = Ascii(ebx, edx, ecx);

        // Leaf 1, EAX: stepping [3:0], model [7:4], family [11:8], extended model [19:16], extended family [27:20].
        var signature = X86Base.CpuId(1, 0).Eax;
        var baseFamily = (signature >> 8) & 0xF;
        var family = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        var model = (signature >> 4) & 0xF;
        if (baseFamily is 0x6 or 0xF)
        {
            model |= ((signature >> 16) & 0xF) << 4;
        }

        // Leaf 7, sub-leaf 0: EBX bit 16 AVX512F, EDX bit 8 AVX512_VP2INTERSECT.
        var (_, features7, _, features7Edx) = maxLeaf >= 7 ? X86Base.CpuId(7, 0) : default;
        return new CpuInfo(vendor, family, model, ReadBrand(vendor), (features7 & (1 << 16)) != 0, (features7Edx & (1 << 8)) != 0);
    }

    /// <summary>The brand string of leaves 0x80000002–4 (trimmed), or the vendor where there is none.</summary>
    private static string ReadBrand(string vendor)
    {
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000004)
        {
            return vendor;
        }

        var text = new StringBuilder(48);
        for (var leaf = 0x80000002u; leaf <= 0x80000004u; leaf++)
        {
            var (a, b, c, d) = X86Base.CpuId(unchecked((int)leaf), 0);
            text.Append(Ascii(a, b, c, d));
        }

        var brand = text.ToString().TrimEnd('\0').Trim();
        return brand.Length > 0 ? brand : vendor;
    }

    private static string Ascii(params int[] registers)
    {
        var bytes = new byte[registers.Length * 4];
        for (var i = 0; i < registers.Length; i++)
        {
            System.BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), registers[i]);
        }

        return Encoding.ASCII.GetString(bytes).TrimEnd('\0');
    }
}
