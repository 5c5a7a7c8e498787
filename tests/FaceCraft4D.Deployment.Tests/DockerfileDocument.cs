using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>One Dockerfile instruction after joining continuation lines.</summary>
/// <param name="Keyword">Upper-case instruction (FROM, RUN, USER, ...).</param>
/// <param name="Arguments">Everything after the keyword, continuations joined with spaces.</param>
public sealed record DockerInstruction(string Keyword, string Arguments);

/// <summary>One build stage: its base image (global ARG defaults substituted), optional name and instructions.</summary>
public sealed record DockerStage(string BaseImage, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> ArgumentsOf(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
}

/// <summary>
/// A small Dockerfile reader, enough to lint the properties the GPU worker image must have (Docker itself is not
/// available on the development and CI machines). Handles comments, `\` continuations, stages and global ARG defaults.
/// </summary>
public sealed partial class DockerfileDocument
{
    [GeneratedRegex(@"^\s*(?<keyword>[A-Za-z]+)\s*(?<arguments>.*)$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();

    private DockerfileDocument(IReadOnlyDictionary<string, string> globalArguments, IReadOnlyList<DockerStage> stages)
    {
        GlobalArguments = globalArguments;
        Stages = stages;
    }

    /// <summary>ARGs declared before the first FROM, with their default values.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage FinalStage => Stages[^1];

    public static DockerfileDocument Parse(string text)
    {
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        (string Image, string? Name, List<DockerInstruction> Instructions)? current = null;

        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is { } finished)
                {
                    stages.Add(new DockerStage(finished.Image, finished.Name, finished.Instructions));
                }

                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                var image = Variable().Replace(words[0], m => globals.GetValueOrDefault(m.Groups["name"].Value, m.Value));
                var name = words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                current = (image, name, []);
            }
            else if (current is { } stage)
            {
                stage.Instructions.Add(instruction);
            }
            else if (instruction.Keyword == "ARG")
            {
                var declaration = instruction.Arguments.Split('=', 2);
                globals[declaration[0].Trim()] = declaration.Length == 2 ? declaration[1].Trim().Trim('"') : "";
            }
        }

        if (current is { } last)
        {
            stages.Add(new DockerStage(last.Image, last.Name, last.Instructions));
        }

        return new DockerfileDocument(globals, stages);
    }

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        var logical = new List<string>();
        foreach (var rawLine in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.TrimStart().StartsWith('#'))
            {
                continue; // comments (also inside continued instructions)
            }

            if (line.EndsWith('\\'))
            {
                logical.Add(line[..^1].Trim());
                continue;
            }

            logical.Add(line.Trim());
            var joined = string.Join(' ', logical.Where(l => l.Length > 0));
            logical.Clear();
            if (joined.Length == 0)
            {
                continue;
            }

            var match = InstructionLine().Match(joined);
            yield return new DockerInstruction(match.Groups["keyword"].Value.ToUpperInvariant(), match.Groups["arguments"].Value.Trim());
        }
    }
}
