using KojiProvisioner.Templates;

namespace KojiProvisioner.Farm;

/// <summary>Writes a farm's files to a folder: `<container>/<path in the container>`, modes kept.</summary>
public static class RenderedFiles
{
    public static int Write(FarmDefinition definition, string root)
    {
        var count = 0;
        foreach (var container in definition.Plan.Containers)
        {
            foreach (var file in container.Files)
            {
                Write(Path.Combine(root, container.Name, file.Path.TrimStart('/')), file.Content, (UnixFileMode)file.Mode);
                count++;
            }
        }
        var profile = new FarmPlanner(new TemplateRenderer(Assets.Templates)).ClientProfile(
            definition.Stack, definition.AdminCertificatePath, definition.CaPath);
        Write(Path.Combine(root, "client", definition.Stack.Name + ".conf"), System.Text.Encoding.UTF8.GetBytes(profile), FileModes.Public);
        return count + 1;
    }

    private static void Write(string path, byte[] content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            stream.Write(content);
        File.SetUnixFileMode(path, mode);
    }
}
