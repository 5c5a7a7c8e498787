using System.Reflection;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>Every <see cref="IParityModule"/> in this assembly, by module name.</summary>
public static class ParityModuleRegistry
{
    public static IReadOnlyDictionary<string, Type> Modules { get; } = Discover();

    public static IParityModule? Create(string module) =>
        Modules.TryGetValue(module, out var type) ? (IParityModule)Activator.CreateInstance(type)! : null;

    private static Dictionary<string, Type> Discover()
    {
        var result = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in Assembly.GetExecutingAssembly().GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IParityModule).IsAssignableFrom(t)))
        {
            var module = ((IParityModule)Activator.CreateInstance(type)!).Module;
            if (!result.TryAdd(module, type))
                throw new InvalidOperationException($"Two parity runners for '{module}': {result[module].Name} and {type.Name}.");
        }
        return result;
    }
}
