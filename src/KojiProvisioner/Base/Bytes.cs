namespace KojiProvisioner;

/// <summary>Bytes for people: 1.2 MB.</summary>
public static class Bytes
{
    public static string Format(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KB",
        < 1024L * 1024 * 1024 => $"{n / 1024.0 / 1024:0.0} MB",
        _ => $"{n / 1024.0 / 1024 / 1024:0.00} GB",
    };
}
