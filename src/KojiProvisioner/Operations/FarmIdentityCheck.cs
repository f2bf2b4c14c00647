using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Operations;

/// <summary>`up`'s first step: the engine's volumes against the state folder's identity (<see cref="FarmIdentity"/>).</summary>
public static class FarmIdentityCheck
{
    /// <summary>
    /// Reads the stack's volumes and stops (exit 2) when they belong to another state folder, unless
    /// <paramref name="adopt"/>: then returns the fingerprints to record with <see cref="FarmIdentity.RecordAdopted"/>
    /// once this folder has its CA.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(DockerEngine engine, string stack, StateFolder state, bool adopt, CancellationToken ct)
    {
        var volumes = await engine.VolumeLabelsAsync(stack, ct);
        var fingerprint = FarmIdentity.Fingerprint(state);
        var foreign = FarmIdentity.Foreign(fingerprint, FarmIdentity.Adopted(state), volumes);
        if (foreign.Count > 0 && !adopt)
            throw new InputException(FarmIdentity.MismatchMessage(stack, state.Path, fingerprint, foreign, volumes));
        return foreign;
    }
}
