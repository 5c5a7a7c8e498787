using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Vision.Video;

/// <summary>Registers video decoding/encoding through the system FFmpeg and the intake checks.</summary>
public static class VideoIoServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IVideoReader"/> (<see cref="FfmpegVideoReader"/>), <see cref="IVideoWriter"/>
    /// (<see cref="FfmpegVideoWriter"/>), <see cref="FfmpegBinaries"/> and <see cref="VideoIntakeValidator"/> as
    /// singletons, binding <see cref="FfmpegOptions"/> and <see cref="VideoLimits"/> from <c>Fc4d:Video</c>. Safe to call
    /// more than once. The binaries are located on first use.
    /// </summary>
    public static IServiceCollection AddVideoIo(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FfmpegOptions>().Bind(configuration.GetSection(FfmpegOptions.SectionName));
        services.AddOptions<VideoLimits>().Bind(configuration.GetSection(VideoLimits.SectionName));
        services.TryAddSingleton<FfmpegBinaries>();
        services.TryAddSingleton<IVideoReader, FfmpegVideoReader>();
        services.TryAddSingleton<IVideoWriter, FfmpegVideoWriter>();
        services.TryAddSingleton<VideoIntakeValidator>();
        return services;
    }
}
