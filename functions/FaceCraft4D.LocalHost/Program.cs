using System.CommandLine;
using FaceCraft4D.LocalHost;
using FaceCraft4D.LocalHost.Cli;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.LocalHost.Infrastructure;
using Spectre.Console;

// fc4d-local: the embedded local host and CLI. Configuration (Fc4d:...) comes from environment variables
// (Fc4d__Local__WorkerCount=2) and from arguments after "--" (e.g. -- --Fc4d:Local:WorkerCount=2).
var configArgs = args.SkipWhile(a => a != "--").Skip(1).ToArray();
var cliArgs = args.TakeWhile(a => a != "--").ToArray();

var preset = new Option<string?>("--preset") { Description = "Settings preset: preview (CPU-friendly, default) or paper." };
var output = new Option<string?>("--out") { Description = "Folder for the finished avatar (default: out/<runId>)." };
var setting = new Option<string[]>("--set") { Description = "Override one setting, e.g. --set staticIterations=500 (repeatable).", AllowMultipleArgumentsPerToken = false };
var image = new Argument<string>("image") { Description = "Portrait photo (JPEG, PNG, WebP, BMP)." };
var port = new Option<int>("--port") { Description = "HTTP port of the API.", DefaultValueFactory = _ => 7071 };

var create = new Command("create", "Turn one portrait photo into an avatar on the local stack, with live progress.") { image, preset, output, setting };
create.SetAction((parse, ct) => new LocalRunner(CliConsole.Create())
    .RunAsync(parse.GetValue(image)!, parse.GetValue(preset), parse.GetValue(output), ParseSettings(parse.GetValue(setting)), configArgs, ct));

var demo = new Command("demo", "Run the bundled sample portrait with the preview preset.") { preset, output, setting };
demo.SetAction((parse, ct) => new LocalRunner(CliConsole.Create())
    .RunAsync(Path.Combine(RepositoryLayout.Locate().Root, "infra", "samples", "portrait.jpg"), parse.GetValue(preset), parse.GetValue(output),
        ParseSettings(parse.GetValue(setting)), configArgs, ct));

var host = new Command("host", "Serve the HTTP API (same as the Functions app) on the local stack until Ctrl+C.") { port };
host.SetAction(async (parse, ct) =>
{
    var repo = RepositoryLayout.Locate();
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configArgs).Build();
    var stackOptions = configuration.GetSection(LocalStackOptions.SectionName).Get<LocalStackOptions>() ?? new LocalStackOptions();
    var durableOptions = configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>() ?? new DurableEngineOptions();
    using var loggerFactory = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Information));
    await using var stack = await LocalStack.StartAsync(stackOptions, durableOptions, repo, loggerFactory, ct, WorkerConfigurationOverrides.From(configArgs));
    var url = $"http://127.0.0.1:{parse.GetValue(port)}";
    await using var app = LocalHostApp.Build(stack, configArgs, url, watchUploads: true);
    Console.WriteLine($"FaceCraft4D local host: API {url}/api/avatars, storage {stack.StorageConnectionString.Split(';').FirstOrDefault(p => p.StartsWith("BlobEndpoint", StringComparison.Ordinal))}, data {stack.DataDirectory}");
    await app.RunAsync(ct);
    return 0;
});

var set = new Argument<string>("set") { Description = "Evaluation set name (eval/sets/<name>/) or a local folder of photos." };
var evaluate = new Command("eval", "Run an evaluation batch on the local stack and write its report.") { set, preset };
evaluate.SetAction((parse, ct) => new EvaluationRunner(CliConsole.Create()).RunAsync(parse.GetValue(set)!, parse.GetValue(preset), configArgs, ct));

var runId = new Argument<string>("run") { Description = "A finished run's id (fc4d-...)." };
var video = new Argument<string>("video") { Description = "A video of a talking face (MP4, MOV, WebM; H.264, H.265, VP9, ...)." };
var clipName = new Option<string?>("--name") { Description = "Clip name in the viewer (lower-case letters, digits, - and _); default video-<hash>." };
var mode = new Option<string?>("--mode") { Description = "Expression transfer: relative (default: changes from the video's neutral frame) or absolute." };
var animate = new Command("animate", "Drive a finished avatar with a video: track it, add the clip to the avatar, write side-by-side previews.")
    { runId, video, clipName, mode, output };
animate.SetAction((parse, ct) => new AnimateRunner(CliConsole.Create()).RunAsync(
    parse.GetValue(runId)!, parse.GetValue(video)!, parse.GetValue(clipName), parse.GetValue(mode), parse.GetValue(output), configArgs, ct));

var root = new RootCommand("FaceCraft4D.Cloud local host: one portrait photo -> animatable 3D head avatar.") { create, demo, animate, host, evaluate, ModelsCommand.Create(configArgs) };
// Ctrl+C / SIGTERM cancel the command's token; the command then stops the stack in order (host, workers, engine,
// Azurite last). Should that take longer than this, the process exits anyway: its children run in their own
// sessions, notice that this process is gone and stop themselves gracefully (Azurite saves its state).
return await root.Parse(cliArgs).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(14) });

static IReadOnlyDictionary<string, string> ParseSettings(string[]? pairs) =>
    (pairs ?? []).Select(p => p.Split('=', 2)).ToDictionary(
        p => p[0].Trim(),
        p => p.Length == 2 ? p[1].Trim() : throw new ArgumentException($"--set expects name=value, got '{p[0]}'."));
