using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker;
using FaceCraft4D.GpuWorker.Endpoints;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using FaceCraft4D.Weights.Scalars;
using Microsoft.AspNetCore.Builder;
using SixLabors.ImageSharp;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// The real GPU worker app running the real TrainStatic handler on small synthetic inputs in Azurite (the documented
/// stage 1-4 layout): worker A is disposed mid-training, worker B gets the same request and resumes from the training
/// state in Blob Storage; the result matches an uninterrupted run of the same inputs.
/// </summary>
public sealed class TrainingResumeAfterWorkerKillTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Iterations = 60;
    private const int CheckpointEvery = 10;

    [Fact]
    public async Task A_training_job_resubmitted_after_its_worker_died_resumes_from_the_blob_checkpoint_and_finishes_as_an_uninterrupted_run()
    {
        torch.set_num_threads(1); // libtorch's OpenMP threads stall on a busy 2-core machine; the rasterizer uses all cores
        var blobs = azurite.CreateBlobStore();
        var settings = PipelinePresets.Preview with
        {
            RenderSize = 32, CropSize = 64, ViewCount = 4, StaticIterations = Iterations, CheckpointEvery = CheckpointEvery,
        };
        var request = await SyntheticStaticViews.WriteAsync(blobs, settings, "resume-after-kill");
        var stateBlob = StorageLayout.StageOutput(request.RunId, PipelineStage.TrainStatic, request.Key, TrainingFiles.State);

        // Worker A: submit, wait for the first periodic checkpoint in Blob Storage, then take the worker down abruptly.
        long killedAfter;
        var workerA = await StartWorkerAsync();
        try
        {
            using var http = TestGpuWorker.AuthenticatedClient(workerA.Url);
            Assert.Equal(HttpStatusCode.Accepted, (await SubmitAsync(http, request)).StatusCode);
            // Read through the store: the blob starts with the job's fencing-token header.
            var checkpoint = await WaitForAsync(
                async () => await new BlobTrainingStateStore(blobs, stateBlob).TryReadAsync(CancellationToken.None) is { } state ? new BinaryData(state) : null,
                TimeSpan.FromMinutes(3));
            var (header, _) = TrainingStateFile.Unpack(checkpoint.ToArray());
            killedAfter = header.Iteration;
            output.WriteLine($"worker A saved {header.Reason} state at iteration {header.Iteration}; disposing worker A");
            Assert.True(header.Iteration is > 0 and < Iterations, $"checkpoint at {header.Iteration}");
        }
        finally
        {
            await workerA.App.DisposeAsync(); // no graceful StopAsync: the host goes away under the running job
        }

        // Worker B: the same request again (same idempotency key); A's ledger record is cancelled or stale after the short lease.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var workerB = await StartWorkerAsync();
        try
        {
            using var http = TestGpuWorker.AuthenticatedClient(workerB.Url);
            var seen = new List<JobProgress>();
            var final = await RunToEndAsync(http, request, seen);
            Assert.True(final.State == JobState.Succeeded, $"{final.State}: {final.Error}");
            var resumedFrom = final.Progress?.ResumedFrom;
            output.WriteLine($"worker B: resumed from iteration {resumedFrom}, first progress seen at {seen.Where(p => p.Done > 0).Select(p => p.Done).DefaultIfEmpty().Min()}, " +
                             $"final {final.Progress?.Done}/{final.Progress?.Total}");
            Assert.NotNull(resumedFrom);
            Assert.True(resumedFrom >= killedAfter, $"resumed from {resumedFrom}, a checkpoint existed at {killedAfter}");
            Assert.True(resumedFrom < Iterations);
            Assert.All(seen.Where(p => p.Done > 0), p => Assert.True(p.Done >= resumedFrom, $"iteration counter went back to {p.Done}"));
            Assert.Equal((double)resumedFrom!, final.Result!.Metrics!["resumed_from"]);
            Assert.Equal(Iterations, final.Result.Metrics["iterations"]);
            Assert.Contains(TrainingFiles.AvatarState, final.Result.Outputs.Keys);

            // The same inputs under another run id, trained without interruption by worker B.
            var fresh = await SyntheticStaticViews.WriteAsync(blobs, settings, "uninterrupted");
            var reference = await RunToEndAsync(http, fresh, []);
            Assert.True(reference.State == JobState.Succeeded, $"{reference.State}: {reference.Error}");
            Assert.Null(reference.Progress?.ResumedFrom);
            double resumedPsnr = final.Result.Metrics["psnr_consistent"], straightPsnr = reference.Result!.Metrics!["psnr_consistent"];
            output.WriteLine($"PSNR on the training views: resumed {resumedPsnr:F3} dB, uninterrupted {straightPsnr:F3} dB");
            Assert.True(Math.Abs(resumedPsnr - straightPsnr) < 0.1, $"resumed {resumedPsnr:F3} dB vs uninterrupted {straightPsnr:F3} dB");
        }
        finally
        {
            await workerB.App.StopAsync();
            await workerB.App.DisposeAsync();
        }
    }

    private sealed record Worker(WebApplication App, Uri Url);

    private async Task<Worker> StartWorkerAsync()
    {
        var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Find()}/");
        var app = GpuWorkerApp.Build(
        [
            "--urls", url.ToString().TrimEnd('/'),
            $"--Fc4d:Storage:ConnectionString={azurite.ConnectionString}",
            "--Fc4d:Worker:MaxConcurrentJobs=1",
            "--Fc4d:Worker:JobHeartbeat=00:00:01",
            "--Fc4d:Worker:JobLease=00:00:03",
            "--Fc4d:Training:Device=cpu",
            "--Fc4d:Training:ProgressEvery=1",
            "--Logging:LogLevel:Default=Warning",
            .. TestGpuWorker.AuthArguments,
        ]);
        await app.StartAsync();
        return new Worker(app, url);
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient http, StageRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{request.Stage.Slug()}")
        {
            Content = JsonContent.Create(request, options: ContractJson.Options),
        };
        message.Headers.Add(JobEndpoints.IdempotencyHeader, request.IdempotencyKey());
        return http.SendAsync(message);
    }

    /// <summary>Submits and polls until the job ends; a job reported lost (stale owner) is submitted again, as the orchestrator does.</summary>
    private static async Task<JobStatus> RunToEndAsync(HttpClient http, StageRequest request, List<JobProgress> seen)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(6);
        using (var submitted = await SubmitAsync(http, request))
            Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, $"submit: {(int)submitted.StatusCode} {await submitted.Content.ReadAsStringAsync()}");
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var status = await http.GetFromJsonAsync<JobStatus>($"api/jobs/{request.Stage.Slug()}/{request.IdempotencyKey()}", ContractJson.Options);
            if (status?.Progress is { } p) seen.Add(p);
            if (status is { State: JobState.Failed, Failure: JobFailureKind.Internal } && status.Error?.Contains("heartbeats", StringComparison.Ordinal) == true)
            {
                using var again = await SubmitAsync(http, request);
                continue;
            }
            if (status?.IsTerminal == true) return status;
        }
        throw new TimeoutException($"job {request.IdempotencyKey()} did not finish");
    }

    private static async Task<BinaryData> WaitForAsync(Func<Task<BinaryData?>> probe, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(100);
        }
        throw new TimeoutException("no training checkpoint appeared");
    }

    /// <summary>
    /// Static views of a known avatar in the stage 1-4 file layout (Stages README): a coarse procedural head with a colour
    /// pattern rendered from the orbit, written as preprocess/crop-white.png, shape-prior/{views.json, flame.json,
    /// head-model.safetensors, vertex-offsets.f32}, enhance-back-view/image.png and enhance-view/view-XX/image.png.
    /// </summary>
    private static class SyntheticStaticViews
    {
        public static async Task<StageRequest> WriteAsync(IBlobStore blobs, PipelineSettings settings, string name)
        {
            var runId = RunIdentity.For(ContentHash.OfText(name), settings);
            using var data = ProceduralHeadModel.Create(new ProceduralHeadOptions { AzimuthSegments = 32, CrownRows = 5, NeckRows = 3, EyeballSubdivisions = 1, MouthHalfWidthSegments = 5 });
            using var flame = new FlameModel(data);
            using var scope = torch.NewDisposeScope();
            using var truth = FlameGaussianAvatar.Create(flame, torch.zeros(1, data.ShapeCount), localScale: 0.7);
            Vector3d centre;
            using (torch.no_grad())
            {
                var c = truth.Evaluate().Means;
                var rgb = torch.stack([torch.sin(c[.., 0].Times(45)), torch.sin(c[.., 1].Times(30).Plus(1)), torch.sin(c[.., 2].Times(38))], 1).Times(0.35).Plus(0.5);
                truth.Parameters.ShDc.copy_(SphericalHarmonics.RgbToDc(rgb).unsqueeze(1));
                truth.Parameters.OpacityLogits.FilledWith(4f);
                var lo = c.amin(0).data<float>().ToArray();
                var hi = c.amax(0).data<float>().ToArray();
                centre = new Vector3d((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0, (lo[2] + hi[2]) / 2.0);
            }
            var cameras = OrbitCameras.Create(new OrbitCameraOptions
            {
                ViewCount = settings.ViewCount, Width = settings.RenderSize, Height = settings.RenderSize, FovYDegrees = 18,
                TargetX = centre.X, TargetY = centre.Y, TargetZ = centre.Z,
            });
            var rasterizer = new GaussianRasterizer();
            byte[] Png(Camera camera)
            {
                using var noGrad = torch.no_grad();
                using var image = ImageTensors.ToImage(rasterizer.Render(truth.Evaluate(), camera, torch.ones(3)).Image);
                using var stream = new MemoryStream();
                image.SaveAsPng(stream);
                return stream.ToArray();
            }

            var inputs = new Dictionary<string, BlobRef>();
            async Task Put(PipelineStage stage, string key, string file, byte[] bytes) =>
                inputs[key == PipelinePlan.SingleKey ? $"{stage.Slug()}/{file}" : $"{stage.Slug()}/{key}/{file}"] =
                    await blobs.WriteAsync(StorageLayout.StageOutput(runId, stage, key, file), new BinaryData(bytes), "application/octet-stream", CancellationToken.None);
            const string single = PipelinePlan.SingleKey;
            await Put(PipelineStage.Preprocess, single, StageFiles.CropWhite, Png(cameras[0].Resized(settings.CropSize, settings.CropSize)));
            await Put(PipelineStage.ShapePrior, single, StageFiles.Views, System.Text.Encoding.UTF8.GetBytes(new CameraSet(cameras).ToJson()));
            using (var model = new MemoryStream())
            {
                await FlameModelFile.SaveAsync(data, model);
                await Put(PipelineStage.ShapePrior, single, StageFiles.HeadModel, model.ToArray());
            }
            await Put(PipelineStage.ShapePrior, single, StageFiles.VertexOffsets, new byte[data.VertexCount * 12]);
            var fit = new FlameFitDocument(
                new HeadModelReference(data.Name, $"builtin:{data.Name}", StageFiles.HeadModel, data.VertexCount, data.FaceCount, data.ShapeCount, data.ExpressionCount, data.LandmarkCount, true),
                new float[data.ShapeCount], [], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], StageFiles.VertexOffsets, StageFiles.HeadMesh, null,
                cameras[0], new HeadPoseDocument([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 1], 0, 0, 0),
                new OrbitDocument([centre.X, centre.Y, centre.Z], [0, 1, 0], settings.ViewCount, 360.0 / settings.ViewCount), 0,
                Enumerable.Repeat<float[]?>(null, 68).ToArray(), null, "synthetic");
            await Put(PipelineStage.ShapePrior, single, StageFiles.Flame, JsonSerializer.SerializeToUtf8Bytes(fit, ContractJson.Indented));
            await Put(PipelineStage.EnhanceBackView, single, StageFiles.Image, Png(cameras[settings.BackViewIndex]));
            for (int k = 1; k < settings.ViewCount; k++)
                if (k != settings.BackViewIndex)
                    await Put(PipelineStage.EnhanceView, PipelinePlan.ViewKey(k), StageFiles.Image, Png(cameras[k]));
            return new StageRequest(runId, PipelineStage.TrainStatic, single, inputs, settings, new Dictionary<string, string>());
        }
    }
}
