using System.Net.Http.Headers;
using System.Text.Json;
using Xunit;

namespace FaceCraft4D.Testing;

/// <summary>A portrait submitted over a host's HTTP API as a user's client sends it (<c>POST /api/avatars</c>, multipart).</summary>
public static class PortraitSubmission
{
    /// <summary>Submits <paramref name="jpeg"/> with <paramref name="settingsJson"/>; the run id, or a failed assertion with the answer.</summary>
    public static async Task<string> SubmitAsync(HttpClient http, byte[] jpeg, string settingsJson)
    {
        using var response = await PostAsync(http, jpeg, settingsJson);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("runId").GetString()!;
    }

    /// <summary>Posts <paramref name="jpeg"/> with <paramref name="settingsJson"/>; the answer as it came, whatever it says (the caller disposes it).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] jpeg, string settingsJson)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(jpeg);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "image", "portrait.jpg");
        form.Add(new StringContent(settingsJson), "settings");
        return await http.PostAsync("/api/avatars", form);
    }
}
