using System.Collections;
using System.Security.Cryptography;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Testing;
using FaceCraft4D.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Tests;

/// <summary>
/// Small random weights in the upstream formats: a LivePortrait-like <c>torch.save</c> state dict (.pth, zip format,
/// written with TorchSharp.PyBridge), a stitching-like checkpoint of several state dicts, a safetensors file and
/// diffusers-style JSON configs; plus a manifest describing them with real sizes and sha256.
/// </summary>
public sealed class TinyWeights
{
    /// <summary>Host part of the fake upstream URLs (the tests reach it through --mirror).</summary>
    public const string Host = "weights.example";

    public byte[] AppearancePth { get; }
    public byte[] StitchingPth { get; }
    public byte[] UnetSafeTensors { get; }
    public byte[] UnetConfig { get; } = "{\"_class_name\": \"UNet2DConditionModel\", \"sample_size\": 8}"u8.ToArray();
    public byte[] SchedulerConfig { get; } = "{\"_class_name\": \"DDIMScheduler\", \"num_train_timesteps\": 1000}"u8.ToArray();

    /// <summary>The tensors written to <see cref="AppearancePth"/>, by name.</summary>
    public IReadOnlyDictionary<string, float[]> AppearanceTensors { get; }

    public TinyWeights(int seed = 7)
    {
        torch.manual_seed(seed);
        var appearance = new Dictionary<string, Tensor>
        {
            ["conv_lower.conv.weight"] = torch.randn(4, 3, 3, 3),
            ["conv_lower.conv.bias"] = torch.randn(4),
            ["conv_lower.norm.running_mean"] = torch.randn(4),
            ["conv_lower.norm.num_batches_tracked"] = torch.tensor(17L),
        };
        AppearanceTensors = appearance.Where(kv => kv.Value.dtype == ScalarType.Float32)
            .ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());
        AppearancePth = Pickle(new Hashtable(appearance.ToDictionary(kv => (object)kv.Key, kv => (object)kv.Value)));

        var stitching = new Hashtable();
        foreach (var part in new[] { "retarget_shoulder", "retarget_mouth", "retarget_eye" })
            stitching[part] = new Hashtable { ["module.mlp.0.weight"] = torch.randn(5, 6), ["module.mlp.0.bias"] = torch.randn(5) };
        StitchingPth = Pickle(stitching);

        var path = Path.GetTempFileName();
        SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["conv_in.weight"] = torch.randn(2, 4, 3, 3) }).GetAwaiter().GetResult();
        UnetSafeTensors = File.ReadAllBytes(path);
        File.Delete(path);
    }

    private static byte[] Pickle(Hashtable dict)
    {
        using var stream = new MemoryStream();
        PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true);
        return stream.ToArray();
    }

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Upstream URL of a path under the fake host.</summary>
    public static string Url(string path) => $"https://{Host}/{path}";

    /// <summary>Server path of an upstream URL as seen through the mirror.</summary>
    public static string MirrorPath(string path) => $"/{Host}/{path}";

    /// <summary>Serves every file at its mirror path.</summary>
    public void ServeAll(WeightsServer server)
    {
        server.Serve(MirrorPath("org/portrait/base_models/appearance.pth"), AppearancePth);
        server.Serve(MirrorPath("org/portrait/retargeting_models/stitching.pth"), StitchingPth);
        server.Serve(MirrorPath("org/diffusion/unet/config.json"), UnetConfig);
        server.Serve(MirrorPath("org/diffusion/unet/diffusion_pytorch_model.safetensors"), UnetSafeTensors);
        server.Serve(MirrorPath("org/diffusion/scheduler/scheduler_config.json"), SchedulerConfig);
        server.Serve(MirrorPath("org/open/weights.pth"), AppearancePth);
    }

    /// <summary>
    /// Three priors: <c>portrait</c> (MIT, .pth → safetensors, pinned), <c>diffusion</c> (licence acceptance required,
    /// diffusers-style copies, pinned) and <c>open</c> (nothing pinned).
    /// </summary>
    public ModelManifest Manifest() => new()
    {
        Priors =
        [
            new PriorEntry
            {
                Name = "portrait", Version = "v1", Folder = "portrait/v1",
                Licence = new LicenceInfo { Id = "MIT", Url = "https://example.invalid/mit" },
                Files =
                [
                    new ManifestFile { Source = "base_models/appearance.pth", Url = Url("org/portrait/base_models/appearance.pth"),
                        Size = AppearancePth.Length, Sha256 = Sha(AppearancePth), Install = "appearance.safetensors", Convert = ConversionKinds.PthToSafeTensors },
                    new ManifestFile { Source = "retargeting_models/stitching.pth", Url = Url("org/portrait/retargeting_models/stitching.pth"),
                        Size = StitchingPth.Length, Sha256 = Sha(StitchingPth), Install = "stitching.safetensors", Convert = ConversionKinds.PthFlattenNested },
                ],
            },
            new PriorEntry
            {
                Name = "diffusion", Version = "v1", Folder = "diffusion/tiny/v1",
                Licence = new LicenceInfo { Id = "LicenseRef-Test-RAIL", Url = "https://example.invalid/rail", AcceptanceRequired = true },
                Files =
                [
                    new ManifestFile { Source = "unet/config.json", Url = Url("org/diffusion/unet/config.json"),
                        Size = UnetConfig.Length, Sha256 = Sha(UnetConfig), Install = "unet/config.json" },
                    new ManifestFile { Source = "unet/diffusion_pytorch_model.safetensors", Url = Url("org/diffusion/unet/diffusion_pytorch_model.safetensors"),
                        Size = UnetSafeTensors.Length, Sha256 = Sha(UnetSafeTensors), Install = "unet/diffusion_pytorch_model.safetensors" },
                    new ManifestFile { Source = "scheduler/scheduler_config.json", Url = Url("org/diffusion/scheduler/scheduler_config.json"),
                        Sha256 = Sha(SchedulerConfig), Install = "scheduler/scheduler_config.json" },
                ],
            },
            new PriorEntry
            {
                Name = "open", Version = "v1", Folder = "open/v1",
                Licence = new LicenceInfo { Id = "Apache-2.0", Url = "https://example.invalid/apache" },
                Files =
                [
                    new ManifestFile { Source = "weights.pth", Url = Url("org/open/weights.pth"), Install = "weights.safetensors", Convert = ConversionKinds.PthToSafeTensors },
                ],
            },
            new PriorEntry
            {
                Name = "registered", Version = "2023", Folder = "registered/2023", Acquisition = AcquisitionKinds.Import,
                HowToObtain = "Register upstream.",
                Licence = new LicenceInfo { Id = "LicenseRef-Registered", Url = "https://example.invalid/registered", AcceptanceRequired = true },
                Files = [new ManifestFile { Source = "head.safetensors", Install = "head.safetensors" }],
            },
        ],
    };
}
