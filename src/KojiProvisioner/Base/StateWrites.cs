namespace KojiProvisioner;

/// <summary>
/// Files a plan would write into the state folder (a new CA, issued certificates, generated
/// secrets), kept in memory until <see cref="Commit"/>: loading a farm's definition writes
/// nothing, and `up` writes them as its first plan step, in the order they were made (a key
/// before its certificate, so a run stopped in between leaves a pair the next run reissues).
/// </summary>
public sealed class StateWrites
{
    private readonly List<(string Path, string Content, bool Secret)> _files = [];
    private readonly object _lock = new();

    public void Add(string path, string content, bool secret)
    {
        lock (_lock)
            _files.Add((path, content, secret));
    }

    /// <summary>The files that would be written, in order.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_lock)
                return _files.Select(f => f.Path).ToList();
        }
    }

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
                return _files.Count == 0;
        }
    }

    /// <summary>Writes every file whole (folders 0700, secrets 0600 from their first byte) and forgets them.</summary>
    public void Commit()
    {
        lock (_lock)
        {
            foreach (var (path, content, secret) in _files)
            {
                var folder = System.IO.Path.GetDirectoryName(path)!;
                if (!Directory.Exists(folder))
                    Directory.CreateDirectory(folder, FileModes.PrivateDirectory);
                AtomicFile.Write(path, content, secret);
            }
            _files.Clear();
        }
    }
}
