using System.Numerics;
using System.Runtime.CompilerServices;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// A group of pixel lanes the SIMD CPU kernel computes on: either one hardware vector (<see cref="VectorLanes{T}"/>)
/// or a single scalar (<see cref="ScalarLanes{T}"/>, the fallback for CPUs without vector units and the forced-scalar
/// test path). The kernel is written once against this interface; the JIT specialises it per struct, so the
/// abstraction costs nothing. Masks are lane values: all bits set (a NaN) = true, zero = false.
/// </summary>
internal interface ICpuLanes<TSelf, T>
    where TSelf : struct, ICpuLanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract int Count { get; }
    static abstract TSelf Create(T value);
    /// <summary>Lane i holds i (0, 1, ... Count-1).</summary>
    static abstract TSelf Indices { get; }
    static abstract TSelf Load(ref T source, nuint offset);
    static abstract void Store(TSelf value, ref T destination, nuint offset);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Sub(TSelf a, TSelf b);
    static abstract TSelf Mul(TSelf a, TSelf b);
    static abstract TSelf Div(TSelf a, TSelf b);
    static abstract TSelf Min(TSelf a, TSelf b);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Exp(TSelf a);
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf LessOrEqual(TSelf a, TSelf b);
    static abstract TSelf GreaterOrEqual(TSelf a, TSelf b);
    static abstract TSelf And(TSelf a, TSelf b);
    static abstract TSelf Or(TSelf a, TSelf b);
    /// <summary>a and not b.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
    static abstract bool Any(TSelf mask);
    static abstract bool All(TSelf mask);
    /// <summary>Sum over lanes in double precision.</summary>
    static abstract double Sum(TSelf a);
    /// <summary>Largest lane value.</summary>
    static abstract T Max(TSelf a);
}

/// <summary>One hardware vector of <see cref="Vector{T}.Count"/> lanes (AVX2: 8 floats / 4 doubles).</summary>
internal readonly struct VectorLanes<T> : ICpuLanes<VectorLanes<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v;
    private VectorLanes(Vector<T> v) => _v = v;

    public static int Count => Vector<T>.Count;
    public static VectorLanes<T> Create(T value) => new(new Vector<T>(value));
    public static VectorLanes<T> Indices => new(Vector<T>.Indices);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes<T> Load(ref T source, nuint offset) => new(Vector.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLanes<T> value, ref T destination, nuint offset) => value._v.StoreUnsafe(ref destination, offset);
    public static VectorLanes<T> Add(VectorLanes<T> a, VectorLanes<T> b) => new(a._v + b._v);
    public static VectorLanes<T> Sub(VectorLanes<T> a, VectorLanes<T> b) => new(a._v - b._v);
    public static VectorLanes<T> Mul(VectorLanes<T> a, VectorLanes<T> b) => new(a._v * b._v);
    public static VectorLanes<T> Div(VectorLanes<T> a, VectorLanes<T> b) => new(a._v / b._v);
    // The native single instructions (minps/maxps): they differ from Vector.Min/Max only for NaN and for equal zeros of
    // opposite sign, where they return b; the kernel calls them as Min(MaxAlpha, raw) and Max(sigma, 0), so the lanes it
    // keeps get the same bits (Max(-0, +0) = +0 either way).
    public static VectorLanes<T> Min(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.MinNative(a._v, b._v));
    public static VectorLanes<T> Max(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.MaxNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes<T> Exp(VectorLanes<T> a)
    {
        if (typeof(T) == typeof(float)) return new(Vector.As<float, T>(VectorExp.Exp(Vector.As<T, float>(a._v))));
        if (typeof(T) == typeof(double)) return new(Vector.As<double, T>(Vector.Exp(Vector.As<T, double>(a._v))));
        throw new NotSupportedException(typeof(T).Name);
    }

    public static VectorLanes<T> LessThan(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.LessThan(a._v, b._v));
    public static VectorLanes<T> LessOrEqual(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.LessThanOrEqual(a._v, b._v));
    public static VectorLanes<T> GreaterOrEqual(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.GreaterThanOrEqual(a._v, b._v));
    public static VectorLanes<T> And(VectorLanes<T> a, VectorLanes<T> b) => new(a._v & b._v);
    public static VectorLanes<T> Or(VectorLanes<T> a, VectorLanes<T> b) => new(a._v | b._v);
    public static VectorLanes<T> AndNot(VectorLanes<T> a, VectorLanes<T> b) => new(Vector.AndNot(a._v, b._v));
    public static VectorLanes<T> Select(VectorLanes<T> mask, VectorLanes<T> whenTrue, VectorLanes<T> whenFalse) =>
        new(Vector.ConditionalSelect(mask._v, whenTrue._v, whenFalse._v));
    public static bool Any(VectorLanes<T> mask) => Vector.AsVectorByte(mask._v) != Vector<byte>.Zero;
    public static bool All(VectorLanes<T> mask) => Vector.AsVectorByte(mask._v) == new Vector<byte>(byte.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(VectorLanes<T> a)
    {
        // Widened to double lanes and summed as a vector (no per-lane extraction; the order of the double sums differs).
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(Vector.As<T, float>(a._v), out Vector<double> lo, out Vector<double> hi);
            return Vector.Sum(lo + hi);
        }
        if (typeof(T) == typeof(double)) return Vector.Sum(Vector.As<T, double>(a._v));
        double s = 0;
        for (int i = 0; i < Vector<T>.Count; i++) s += double.CreateTruncating(a._v[i]);
        return s;
    }

    public static T Max(VectorLanes<T> a)
    {
        T m = a._v[0];
        for (int i = 1; i < Vector<T>.Count; i++) m = T.Max(m, a._v[i]);
        return m;
    }
}

/// <summary>A single lane: the scalar fallback of the SIMD kernel (same arithmetic, scalar exp).</summary>
internal readonly struct ScalarLanes<T> : ICpuLanes<ScalarLanes<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v;
    private ScalarLanes(T v) => _v = v;
    private static ScalarLanes<T> Mask(bool b) => new(b ? T.NaN : T.Zero);
    private bool IsTrue => T.IsNaN(_v);

    public static int Count => 1;
    public static ScalarLanes<T> Create(T value) => new(value);
    public static ScalarLanes<T> Indices => new(T.Zero);
    public static ScalarLanes<T> Load(ref T source, nuint offset) => new(Unsafe.Add(ref source, offset));
    public static void Store(ScalarLanes<T> value, ref T destination, nuint offset) => Unsafe.Add(ref destination, offset) = value._v;
    public static ScalarLanes<T> Add(ScalarLanes<T> a, ScalarLanes<T> b) => new(a._v + b._v);
    public static ScalarLanes<T> Sub(ScalarLanes<T> a, ScalarLanes<T> b) => new(a._v - b._v);
    public static ScalarLanes<T> Mul(ScalarLanes<T> a, ScalarLanes<T> b) => new(a._v * b._v);
    public static ScalarLanes<T> Div(ScalarLanes<T> a, ScalarLanes<T> b) => new(a._v / b._v);
    public static ScalarLanes<T> Min(ScalarLanes<T> a, ScalarLanes<T> b) => new(T.Min(a._v, b._v));
    public static ScalarLanes<T> Max(ScalarLanes<T> a, ScalarLanes<T> b) => new(T.Max(a._v, b._v));
    public static ScalarLanes<T> Exp(ScalarLanes<T> a) => new(T.Exp(a._v));
    public static ScalarLanes<T> LessThan(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a._v < b._v);
    public static ScalarLanes<T> LessOrEqual(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a._v <= b._v);
    public static ScalarLanes<T> GreaterOrEqual(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a._v >= b._v);
    public static ScalarLanes<T> And(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a.IsTrue && b.IsTrue);
    public static ScalarLanes<T> Or(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a.IsTrue || b.IsTrue);
    public static ScalarLanes<T> AndNot(ScalarLanes<T> a, ScalarLanes<T> b) => Mask(a.IsTrue && !b.IsTrue);
    public static ScalarLanes<T> Select(ScalarLanes<T> mask, ScalarLanes<T> whenTrue, ScalarLanes<T> whenFalse) => mask.IsTrue ? whenTrue : whenFalse;
    public static bool Any(ScalarLanes<T> mask) => mask.IsTrue;
    public static bool All(ScalarLanes<T> mask) => mask.IsTrue;
    public static double Sum(ScalarLanes<T> a) => double.CreateTruncating(a._v);
    public static T Max(ScalarLanes<T> a) => a._v;
}
