using KojiProvisioner.Config;
using KojiProvisioner.Content;

namespace KojiProvisioner.Operations;

/// <summary>A stack's content file, loaded and validated before anything is changed.</summary>
public static class StackContent
{
    /// <summary>The stack's `content` (or <paramref name="path"/>); null when the stack has none.</summary>
    public static KojiContent? Load(Stack stack, string? path = null)
    {
        path ??= stack.ContentPath;
        // A bad file is a ContentException: bad input, exit 2.
        return path is null ? null : ContentLoader.LoadFile(path);
    }
}
