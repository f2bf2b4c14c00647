using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KojiProvisioner.Pki;

/// <summary>The kind of key the farm's PKI makes for new certificates (the stack's `pki.keyAlgorithm`).</summary>
public enum KeyAlgorithm
{
    /// <summary>RSA, 3072-bit for the CA and 2048-bit for leaves: what every TLS stack has accepted for decades.</summary>
    Rsa,
    /// <summary>ECDSA on P-256: made in well under a millisecond, where an RSA key takes 0.1-2 s.</summary>
    Ecdsa,
}

/// <summary>Making, reading and signing with either kind of key, so the rest of the PKI is the same for both.</summary>
internal static class Keys
{
    public const int CaRsaKeySize = 3072;
    public const int LeafRsaKeySize = 2048;

    /// <summary>The stack's spelling of an algorithm (`pki.keyAlgorithm`).</summary>
    public static string Name(KeyAlgorithm algorithm) => algorithm == KeyAlgorithm.Ecdsa ? "ecdsa" : "rsa";

    /// <summary>The algorithm the stack's spelling names, or null for none.</summary>
    public static KeyAlgorithm? Parse(string name) => name switch
    {
        "rsa" => KeyAlgorithm.Rsa,
        "ecdsa" => KeyAlgorithm.Ecdsa,
        _ => null,
    };

    /// <summary>A new key. RSA.Create only sizes a key and OpenSSL makes it on first use, so it is used once here.</summary>
    public static AsymmetricAlgorithm Create(KeyAlgorithm algorithm, bool forCa)
    {
        AsymmetricAlgorithm key = algorithm == KeyAlgorithm.Ecdsa
            ? ECDsa.Create(ECCurve.NamedCurves.nistP256)
            : RSA.Create(forCa ? CaRsaKeySize : LeafRsaKeySize);
        key.ExportSubjectPublicKeyInfo();
        return key;
    }

    public static KeyAlgorithm Of(AsymmetricAlgorithm key) => key is ECDsa ? KeyAlgorithm.Ecdsa : KeyAlgorithm.Rsa;

    /// <summary>An unencrypted PEM private key of either kind (PKCS#8, or the older RSA/EC forms).</summary>
    public static AsymmetricAlgorithm ImportPem(string pem)
    {
        // The PEM label says which kind only for the older forms; PKCS#8 ("PRIVATE KEY") holds either.
        var first = pem.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal) ? KeyAlgorithm.Ecdsa : KeyAlgorithm.Rsa;
        try
        {
            return Import(first, pem);
        }
        catch (CryptographicException) when (!pem.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal)
                                             && !pem.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return Import(first == KeyAlgorithm.Rsa ? KeyAlgorithm.Ecdsa : KeyAlgorithm.Rsa, pem);
        }
    }

    private static AsymmetricAlgorithm Import(KeyAlgorithm algorithm, string pem)
    {
        AsymmetricAlgorithm key = algorithm == KeyAlgorithm.Ecdsa ? ECDsa.Create() : RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException($"no certificates with {key.GetType().Name} keys", nameof(key)),
    };

    /// <summary>SHA-256 with PKCS#1 v1.5 (RSA) or ECDSA: what mod_ssl, OpenSSL and Python accept everywhere.</summary>
    public static X509SignatureGenerator Signer(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new ArgumentException($"no signatures with {key.GetType().Name} keys", nameof(key)),
    };

    /// <summary>Whether <paramref name="signature"/> over <paramref name="signed"/>, by the algorithm <paramref name="oid"/>, is <paramref name="key"/>'s.</summary>
    public static bool Verify(AsymmetricAlgorithm key, string oid, byte[] signed, byte[] signature) => (key, oid) switch
    {
        // RSA PKCS#1 v1.5 (RFC 4055) and ECDSA (RFC 5758, DER-encoded r and s): any other is not one this CA makes
        (RSA rsa, "1.2.840.113549.1.1.11") => rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        (RSA rsa, "1.2.840.113549.1.1.12") => rsa.VerifyData(signed, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        (RSA rsa, "1.2.840.113549.1.1.13") => rsa.VerifyData(signed, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
        (ECDsa ec, "1.2.840.10045.4.3.2") => ec.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
        (ECDsa ec, "1.2.840.10045.4.3.3") => ec.VerifyData(signed, signature, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence),
        (ECDsa ec, "1.2.840.10045.4.3.4") => ec.VerifyData(signed, signature, HashAlgorithmName.SHA512, DSASignatureFormat.Rfc3279DerSequence),
        _ => false,
    };
}
