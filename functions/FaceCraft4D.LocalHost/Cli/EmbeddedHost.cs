using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.LocalHost.Infrastructure;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>The local stack plus the host app on a free port, quiet on the console (for CLI commands).</summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    private readonly ILoggerFactory loggerFactory;

    private EmbeddedHost(RepositoryLayout repo, LocalStack stack, WebApplication app, string baseUrl, ILoggerFactory loggerFactory)
    {
        Repository = repo;
        Stack = stack;
        App = app;
        BaseUrl = baseUrl;
        this.loggerFactory = loggerFactory;
    }

    /// <summary>The repository.</summary>
    public RepositoryLayout Repository { get; }

    /// <summary>The running stack.</summary>
    public LocalStack Stack { get; }

    /// <summary>The running host.</summary>
    public WebApplication App { get; }

    /// <summary>The API base URL.</summary>
    public string BaseUrl { get; }

    /// <summary>Starts Azurite, the worker(s), the durable engine and the host, from configuration arguments.</summary>
    public static async Task<EmbeddedHost> StartAsync(string[] configurationArgs, CancellationToken cancellationToken)
    {
        var repo = RepositoryLayout.Locate();
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configurationArgs).Build();
        var stackOptions = configuration.GetSection(LocalStackOptions.SectionName).Get<LocalStackOptions>() ?? new LocalStackOptions();
        var durableOptions = configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>() ?? new DurableEngineOptions();
        var loggerFactory = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("DurableTask", LogLevel.Error));
        LocalStack? stack = null;
        try
        {
            stack = await LocalStack.StartAsync(stackOptions, durableOptions, repo, loggerFactory, cancellationToken,
                WorkerConfigurationOverrides.From(configurationArgs)).ConfigureAwait(false);
            var baseUrl = $"http://127.0.0.1:{FreeTcpPort.Find()}";
            string[] quiet =
            [
                .. configurationArgs, "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft=Warning",
                "--Logging:LogLevel:Microsoft.DurableTask=Error", "--Logging:LogLevel:DurableTask=Error",
            ];
            var app = LocalHostApp.Build(stack, quiet, baseUrl, watchUploads: false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new EmbeddedHost(repo, stack, app, baseUrl, loggerFactory);
        }
        catch
        {
            if (stack is not null)
            {
                await stack.DisposeAsync().ConfigureAwait(false);
            }

            loggerFactory.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        await Stack.DisposeAsync().ConfigureAwait(false);
        loggerFactory.Dispose();
    }
}
