using FaceCraft4D.Priors.Benchmarks;
using TorchSharp;

// dotnet run -c Release --project tests/FaceCraft4D.Priors.Benchmarks -- unet|vae|liveportrait|all [--runs N] [--latent N] [--image N]
var command = args.Length > 0 ? args[0].ToLowerInvariant() : "all";
int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
int runs = Option("--runs", 2);
int latent = Option("--latent", 64);
int image = Option("--image", 512);
torch.set_num_threads(Environment.ProcessorCount);
Console.WriteLine($"FaceCraft4D.Priors benchmarks on CPU ({Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}), median of {runs} runs after 1 warm-up");
switch (command)
{
    case "unet": UnetBenchmark.Run(runs, latent, Console.WriteLine); break;
    case "vae": VaeBenchmark.Run(runs, image, Console.WriteLine); break;
    case "liveportrait": LivePortraitBenchmark.Run(runs, Console.WriteLine); break;
    case "all":
        UnetBenchmark.Run(runs, latent, Console.WriteLine);
        VaeBenchmark.Run(runs, image, Console.WriteLine);
        LivePortraitBenchmark.Run(runs, Console.WriteLine);
        break;
    default:
        Console.Error.WriteLine("usage: unet|vae|liveportrait|all [--runs N] [--latent N] [--image N]");
        return 2;
}
return 0;
