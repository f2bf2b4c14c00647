using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KojiProvisioner.Operations;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Tests.Base;

/// <summary>
/// `--output json` documents are a contract scripts parse. koji-farm writes them itself (a native
/// build cannot use System.Text.Json's run-time converters); these hold that writer to what
/// System.Text.Json writes with the documented policy, shape by shape the commands use.
/// </summary>
public class JsonOutputTests
{
    /// <summary>The documented policy as System.Text.Json spells it: the reference.</summary>
    private static readonly JsonSerializerOptions Reference = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private enum Kind { Tag, ExternalRepo, BuildGroup }

    [Flags]
    private enum Access { None = 0, Read = 1, WriteAll = 2 }

    private sealed record Row(string Package, int? Task, double Seconds, Kind Kind);

    private class Base { public string Name { get; init; } = "base"; }

    private sealed class Derived : Base { public int Extra { get; init; } = 7; }

    private class Hiding : Base { public new int Name { get; init; } = 3; public string Own { get; init; } = "own"; }

    private interface INamed { string Name { get; } }

    private interface ILabelled : INamed { string Label { get; } }

    private sealed class Labelled : ILabelled { public string Name => "n"; public string Label => "l"; public int Hidden => 9; }

    private sealed class WithAttributes
    {
        [JsonPropertyName("renamed")] public string Original { get; init; } = "x";
        [JsonIgnore] public string Secret { get; init; } = "never shown";
        [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? AlwaysThere { get; init; }
    }

    private sealed class WithConverter
    {
        [JsonConverter(typeof(JsonStringEnumConverter))] public Kind Kind { get; init; }
    }

    private static void Same(object value)
    {
        var expected = JsonSerializer.Serialize(value, Reference);
        Assert.Equal(expected, JsonOutput.Serialize(value));
    }

    [Fact]
    public void A_document_of_scalars_nulls_and_nested_objects_is_written_as_System_Text_Json_writes_it()
    {
        string? none = null;
        double? noAge = null;
        Same(new
        {
            stack = "demo",
            healthy = true,
            count = 3,
            big = 1L << 40,
            seconds = Math.Round(17.04, 1),
            fraction = 0.1,
            large = 1e21,
            negative = -2.5,
            none,
            noAge,
            age = (double?)12,
            when = new DateTime(2026, 12, 2, 5, 6, 7, DateTimeKind.Utc),
            whenOffset = new DateTimeOffset(2026, 12, 2, 5, 6, 7, TimeSpan.FromHours(2)),
            took = TimeSpan.FromSeconds(83.5),
            text = "quotes \" backslash \\ tab \t newline \n <b>&amp;</b> 'single' é 漢字 \u0001 \u2028 emoji 😀 +/=",
            nested = new { a = 1, empty = new { }, deeper = new { b = (string?)null, c = "x" } },
            emptyList = Array.Empty<string>(),
        });
    }

    [Fact]
    public void Lists_of_anonymous_objects_records_and_enums_are_written_as_System_Text_Json_writes_them()
    {
        var rows = new List<Row> { new("bash", 12, 3.25, Kind.ExternalRepo), new("zlib", null, 0, Kind.BuildGroup) };
        Same(new
        {
            changes = rows.Select(r => new { package = r.Package, task = r.Task, kind = r.Kind }),
            rows,
            kinds = new[] { Kind.Tag, Kind.ExternalRepo },
            access = Access.Read | Access.WriteAll,
            undefined = (Kind)42,
            ports = new Dictionary<string, int> { ["8443/tcp"] = 8443, ["Upper"] = 1 },
            labels = new SortedDictionary<string, string?> { ["b"] = "2", ["a"] = null },
            readOnly = (IReadOnlyList<string>)["x", "y"],
            matrix = new[] { new[] { 1, 2 }, [] },
            mixed = new object?[] { 1, "two", null, new { three = 3 }, Kind.Tag },
        });
        Same(rows.Select(r => new { r.Package, r.Seconds }));
    }

    [Fact]
    public void A_value_is_written_by_its_declared_type_unless_that_is_object()
    {
        Base declared = new Derived();
        object dynamic = new Derived();
        Same(new { declared, dynamic, list = new List<Base> { new Derived() }, objects = new List<object> { new Derived() } });
    }

    [Fact]
    public void Hidden_names_interfaces_attributes_bytes_and_dictionary_keys_are_written_as_System_Text_Json_writes_them()
    {
        Same(new Hiding());
        ILabelled labelled = new Labelled();
        Same(new { labelled });
        Same(new WithAttributes());
        Same(new { content = new byte[] { 1, 2, 255 }, none = Array.Empty<byte>() });
        Same(new { byKind = new Dictionary<Kind, int> { [Kind.ExternalRepo] = 2, [Kind.Tag] = 1 }, byNumber = new Dictionary<int, string> { [7] = "seven" } });
    }

    [Fact]
    public void The_document_is_written_by_its_own_type()
    {
        Base declared = new Derived();
        Same(declared);
        Assert.Contains("\"extra\": 7", JsonOutput.Serialize(declared));
    }

    [Fact]
    public void A_type_it_has_no_rule_for_is_refused_by_name_not_guessed()
    {
        var dateOnly = Assert.Throws<NotSupportedException>(() => JsonOutput.Serialize(new { day = new DateOnly(2026, 12, 2) }));
        Assert.Contains("System.DateOnly", dateOnly.Message);
        Assert.Throws<NotSupportedException>(() => JsonOutput.Serialize(new { version = new Version(1, 35, 3) }));
        Assert.Throws<NotSupportedException>(() => JsonOutput.Serialize(new { pair = new KeyValuePair<string, int>("a", 1) }));
        var converter = Assert.Throws<NotSupportedException>(() => JsonOutput.Serialize(new WithConverter()));
        Assert.Contains("WithConverter.Kind", converter.Message);
        Assert.Throws<NotSupportedException>(() => JsonOutput.Serialize(new { byDay = new Dictionary<DateTime, int> { [DateTime.UnixEpoch] = 1 } }));
    }

    [Fact]
    public void A_backup_manifest_inside_a_document_is_written_as_System_Text_Json_writes_it()
    {
        var manifest = new BackupManifest(1, "demo", "1.35.3", "1.35", new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero),
            [new BackupPart(BackupManifest.Database, "database.dump", 1234, new string('a', 64))]);
        Same(new { stack = "demo", backup = manifest, koji = new[] { "grant repo to kojira" }, hub = "https://localhost:8443/kojihub" });
    }

    [Fact]
    public void The_backup_manifest_file_reads_back_what_it_wrote_and_keeps_its_shape()
    {
        var manifest = new BackupManifest(1, "demo", "1.35.3", null, new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero),
            [new BackupPart(BackupManifest.Database, "database.dump", 1234, "ab"), new BackupPart(BackupManifest.State, "state.tar", 5, "cd")]);
        var json = manifest.ToJson();
        var reflection = JsonSerializer.Serialize(manifest, new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        });
        Assert.Equal(reflection, json);
        Assert.Contains("\"schemaVersion\": null", json);
        var dir = Directory.CreateTempSubdirectory("manifest-");
        try
        {
            manifest.Save(dir.FullName);
            var back = BackupManifest.Load(dir.FullName);
            Assert.Equal(manifest.Stack, back.Stack);
            Assert.Equal(manifest.Time, back.Time);
            Assert.Equal(manifest.Parts, back.Parts);
            Assert.Equal(1239, back.TotalBytes);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
