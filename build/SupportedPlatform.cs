// koji-farm runs where Docker engines and Koji do: Linux (file modes, unix sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
