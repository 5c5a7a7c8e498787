using System.CommandLine;
using Azure.Storage.Blobs;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Models;
using FaceCraft4D.Models.Blob;
using FaceCraft4D.Models.Installation;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Storage;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// <c>fc4d models list|verify|pull|import</c>: the weights manifest (<c>infra/models/manifest.json</c>) against the
/// models folder (<c>--models-dir</c>, else <c>Fc4d:ModelsCli:Root</c>, else <c>Fc4d:Models:LocalPath</c>, else
/// <c>models/</c> in the repository). No local stack is started; <c>--to-blob</c> uploads to the storage that
/// <c>Fc4d:Storage</c> (or <c>Fc4d:Local:StorageConnectionString</c>) names.
/// </summary>
public static class ModelsCommand
{
    /// <summary>Exit codes: 0 done, 1 verify found problems, 2 refused or failed.</summary>
    public const int Problems = 1, Refused = 2;

    public static Command Create(string[] configArgs)
    {
        var manifestOption = new Option<string?>("--manifest") { Description = "Manifest file (default infra/models/manifest.json)." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder, layout {prior}/{version}/ (default: Fc4d:Models:LocalPath, else models/)." };
        var names = new Argument<string[]>("name") { Description = "Prior names (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var accept = new Option<string[]>("--accept-licence") { Description = "Accept this prior's licence (repeatable; 'all' accepts every one).", AllowMultipleArgumentsPerToken = false };
        var tofu = new Option<bool>("--trust-on-first-use") { Description = "Install files the manifest does not pin; the sha256 found is recorded and printed." };
        var mirror = new Option<string?>("--mirror") { Description = $"Fetch every upstream URL from MIRROR/host/path instead (default: ${ModelsOptions.MirrorEnvironmentVariable})." };
        var force = new Option<bool>("--force") { Description = "Download and install again even when installed files match their record." };
        var toBlob = new Option<bool>("--to-blob") { Description = "Also upload the installed folders to the models blob container." };
        var directory = new Argument<string>("dir") { Description = "Folder with weights obtained elsewhere (official names or already converted)." };

        var list = new Command("list", "Show every prior: installed / missing / corrupt, licence, size.") { manifestOption, modelsDir };
        list.SetAction((parse, ct) => Run(configArgs, parse.GetValue(manifestOption), parse.GetValue(modelsDir), null, ct,
            async (ctx, console) => { await ListAsync(ctx, console, ct); return 0; }));

        var verify = new Command("verify", "Check installed files against the manifest (size, sha256, layout); non-zero exit on problems.") { names, manifestOption, modelsDir };
        verify.SetAction((parse, ct) => Run(configArgs, parse.GetValue(manifestOption), parse.GetValue(modelsDir), null, ct,
            (ctx, console) => VerifyAsync(ctx, console, parse.GetValue(names) ?? [], ct)));

        var pull = new Command("pull", "Download, check, convert and install official weights (resumable).") { names, manifestOption, modelsDir, accept, tofu, mirror, force, toBlob };
        pull.SetAction((parse, ct) => Run(configArgs, parse.GetValue(manifestOption), parse.GetValue(modelsDir), parse.GetValue(mirror), ct,
            (ctx, console) => PullAsync(ctx, console, parse.GetValue(names) ?? [], parse.GetValue(accept) ?? [], parse.GetValue(tofu), parse.GetValue(force), parse.GetValue(toBlob), ct)));

        var import = new Command("import", "Install weights from a folder (official files are checked and converted).") { directory, names, manifestOption, modelsDir, toBlob };
        import.SetAction((parse, ct) => Run(configArgs, parse.GetValue(manifestOption), parse.GetValue(modelsDir), null, ct,
            (ctx, console) => ImportAsync(ctx, console, parse.GetValue(directory)!, parse.GetValue(names) ?? [], parse.GetValue(toBlob), ct)));

        return new Command("models", "Pretrained weights: list, verify, pull, import (manifest infra/models/manifest.json).") { list, verify, pull, import };
    }

    private static async Task<int> Run(string[] configArgs, string? manifestPath, string? modelsDir, string? mirror, CancellationToken ct,
        Func<ModelsContext, IAnsiConsole, Task<int>> action)
    {
        var console = CliConsole.Create();
        try
        {
            using var context = await ModelsContext.CreateAsync(configArgs, manifestPath, modelsDir, mirror, ct);
            return await action(context, console);
        }
        catch (ModelsException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return Refused;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or HttpRequestException or UnauthorizedAccessException or InvalidOperationException or Azure.RequestFailedException)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.GetType().Name)}: {Markup.Escape(e.Message)}[/]");
            return Refused;
        }
    }

    private static async Task ListAsync(ModelsContext ctx, IAnsiConsole console, CancellationToken ct)
    {
        var statuses = await ctx.Verifier.CheckAsync(ctx.Manifest, [], hash: false, ct);
        var table = new Table().AddColumns("prior", "folder", "state", "licence", "acceptance", "size", "pinned", "how");
        foreach (var s in statuses)
        {
            var p = s.Prior;
            var pinned = $"{p.Files.Count(f => f.Pinned)}/{p.Files.Count}";
            var size = s.InstalledBytes > 0 ? Bytes(s.InstalledBytes) + " installed" : p.KnownDownloadSize is { } d ? Bytes(d) + " download" : "unknown";
            table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Folder), StateMarkup(s.State), Markup.Escape(p.Licence.Id),
                p.Licence.AcceptanceRequired ? "required" : "-", size, pinned, Markup.Escape(p.Acquisition));
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape($"Models folder: {ctx.Folder.Root}   manifest: {ctx.ManifestPath}"));
    }

    private static async Task<int> VerifyAsync(ModelsContext ctx, IAnsiConsole console, string[] names, CancellationToken ct)
    {
        var statuses = await ctx.Verifier.CheckAsync(ctx.Manifest, names, hash: true, ct);
        var table = new Table().AddColumns("prior", "file", "state", "detail");
        foreach (var s in statuses)
        {
            if (s.State == PriorState.NotInstalled && names.Length == 0)
            {
                table.AddRow(Markup.Escape(s.Prior.Name), "", StateMarkup(s.State), Markup.Escape(s.Prior.HowToObtain));
                continue;
            }
            foreach (var f in s.Files)
                table.AddRow(Markup.Escape(s.Prior.Name), Markup.Escape(f.Install), FileMarkup(f.State), Markup.Escape(f.Detail));
            foreach (var l in s.LayoutProblems)
                table.AddRow(Markup.Escape(s.Prior.Name), "", "[red]layout[/]", Markup.Escape(l));
        }
        console.Write(table);
        var bad = statuses.Where(s => s.IsProblem(names.Length > 0)).ToList();
        if (bad.Count == 0) { console.MarkupLine("[green]verify: no problems[/]"); return 0; }
        console.MarkupLine($"[red]verify: problems in {Markup.Escape(string.Join(", ", bad.Select(b => $"{b.Prior.Name} ({b.State})")))}[/]");
        return Problems;
    }

    private static async Task<int> PullAsync(ModelsContext ctx, IAnsiConsole console, string[] names, string[] accepted, bool tofu, bool force, bool toBlob, CancellationToken ct)
    {
        var acceptedNames = accepted.ToList();
        if (!Console.IsInputRedirected && console.Profile.Capabilities.Interactive)
        {
            // Ask before the progress display starts; a "no" leaves the name out and pull refuses that prior.
            var selected = names.Length == 0 ? ctx.Manifest.Priors.Where(p => p.Downloadable) : names.Select(n => ctx.Manifest.Find(n)).OfType<PriorEntry>();
            foreach (var p in selected.Where(p => p.Licence.AcceptanceRequired && !acceptedNames.Any(a => a.Equals(p.Name, StringComparison.OrdinalIgnoreCase) || a == "all")))
                if (await console.ConfirmAsync(Markup.Escape($"{p.Name} is licensed under {p.Licence.Id} ({p.Licence.Url}). {p.Licence.Notes} Accept?"), false, ct))
                    acceptedNames.Add(p.Name);
        }
        var view = new ModelsProgressView(console);
        var outcomes = await view.RunAsync(() => ctx.Puller.PullAsync(ctx.Manifest, new PullRequest(names, acceptedNames, null, tofu, force), view, ct));
        Outcomes(console, outcomes);
        if (toBlob) await UploadAsync(ctx, console, outcomes, ct);
        return 0;
    }

    private static async Task<int> ImportAsync(ModelsContext ctx, IAnsiConsole console, string dir, string[] names, bool toBlob, CancellationToken ct)
    {
        var view = new ModelsProgressView(console);
        var outcomes = await view.RunAsync(() => ctx.Importer.ImportAsync(ctx.Manifest, dir, names, view, ct));
        Outcomes(console, outcomes);
        if (toBlob) await UploadAsync(ctx, console, outcomes, ct);
        return outcomes.Any(o => o.Result == "failed") ? Refused : 0;
    }

    private static async Task UploadAsync(ModelsContext ctx, IAnsiConsole console, IReadOnlyList<PriorOutcome> outcomes, CancellationToken ct)
    {
        var uploader = new ModelBlobUploader(ctx.CreateBlobService());
        foreach (var o in outcomes.Where(o => o.Result is "installed" or "up to date"))
        {
            var prior = ctx.Manifest.Find(o.Prior)!;
            var (uploaded, unchanged) = await uploader.UploadAsync(ctx.Folder, prior, ctx.Container, null, ct);
            console.MarkupLine(Markup.Escape($"[models] {prior.Name}: {uploaded} file(s) uploaded, {unchanged} unchanged in container {ctx.Container}/{prior.Folder}"));
        }
    }

    private static void Outcomes(IAnsiConsole console, IReadOnlyList<PriorOutcome> outcomes)
    {
        foreach (var o in outcomes)
            console.MarkupLine($"{(o.Result switch { "failed" => "[red]", "skipped" => "[yellow]", _ => "[green]" })}{Markup.Escape($"{o.Prior}: {o.Result}")}[/] {Markup.Escape(o.Detail)}");
    }

    private static string StateMarkup(PriorState s) => s switch
    {
        PriorState.Installed => "[green]installed[/]",
        PriorState.NotInstalled => "[grey]missing[/]",
        PriorState.Unverified => "[yellow]unverified[/]",
        PriorState.Incomplete => "[red]incomplete[/]",
        _ => "[red]corrupt[/]",
    };

    private static string FileMarkup(FileState s) => s switch
    {
        FileState.Ok => "[green]ok[/]",
        FileState.OptionalAbsent => "[grey]absent[/]",
        FileState.Unverified => "[yellow]unverified[/]",
        FileState.Missing => "[red]missing[/]",
        _ => "[red]corrupt[/]",
    };

    private static string Bytes(long b) => b >= 1L << 30 ? $"{b / (double)(1L << 30):0.00} GiB" : b >= 1 << 20 ? $"{b / (double)(1 << 20):0.0} MiB" : $"{b / 1024.0:0.0} KiB";
}
