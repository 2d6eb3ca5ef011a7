using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// An engine address as the API transport dials it: unix:///path, npipe:////server/pipe/name,
    /// tcp://host:port (with <see cref="Tls"/> when the context or the environment asks for TLS).
    /// </summary>
    internal sealed class ApiTarget
    {
        private ApiTarget(string address, string source, string scheme)
        {
            Address = address;
            Source = source;
            Scheme = scheme;
        }

        /// <summary>The address as configured (unix:///var/run/docker.sock ...).</summary>
        public string Address { get; }

        /// <summary>Where the address came from (DOCKER_HOST, context 'x', default ...).</summary>
        public string Source { get; }

        public string Scheme { get; }

        /// <summary>The socket path (unix) or the pipe name (npipe).</summary>
        public string? Path { get; private set; }

        /// <summary>The tcp host, or the pipe's server.</summary>
        public string? HostName { get; private set; }

        public int Port { get; private set; }

        /// <summary>TLS settings for tcp; null: plain.</summary>
        public TlsSettings? Tls { get; private set; }

        /// <summary>Why the API transport cannot reach this address; null when it can.</summary>
        public string? Unsupported { get; private set; }

        /// <summary>The Host header: the tcp authority, or a fixed name for local sockets and pipes.</summary>
        public string HostHeader => Scheme == "tcp" ? (HostName!.Contains(":") ? $"[{HostName}]:{Port}" : $"{HostName}:{Port}") : "docker";

        /// <summary>Identifies the connections that can be shared: the address and its TLS material.</summary>
        public string Key => Address + (Tls is null ? "" : "|tls:" + Tls.Key);

        public override string ToString() => Tls is null ? Address : Address + " (TLS)";

        /// <summary>Where the engine of <paramref name="context"/> is, as the docker CLI finds it, ready to dial.</summary>
        public static ApiTarget Resolve(string? context) => EndpointCache.Get("api|" + (context ?? ""), () => ResolveNow(context));

        private static ApiTarget ResolveNow(string? context)
        {
            var endpoint = EngineEndpoint.Resolve(context);
            var target = Parse(endpoint.Host, endpoint.Source);
            if (target.Scheme == "tcp" && target.Unsupported is null)
            {
                var material = TlsMaterial.For(context);
                if (material is not null)
                {
                    target.Tls = TlsSettings.Load(material, out var why);
                    target.Unsupported = why;
                    if (target.Port == 0)
                    {
                        target.Port = 2376;
                    }
                }
            }
            if (target.Scheme == "tcp" && target.Port == 0)
            {
                target.Port = 2375;
            }
            return target;
        }

        /// <summary>Reads an address (no TLS); <see cref="Unsupported"/> says why one cannot be dialled.</summary>
        public static ApiTarget Parse(string address, string source)
        {
            if (string.IsNullOrWhiteSpace(address))
            {
                return new ApiTarget(address, source, "") { Unsupported = $"no engine address ({source})" };
            }
            var at = address.IndexOf("://", StringComparison.Ordinal);
            var scheme = at < 0 ? "" : address.Substring(0, at).ToLowerInvariant();
            var rest = at < 0 ? address : address.Substring(at + 3);
            var target = new ApiTarget(address, source, scheme);
            switch (scheme)
            {
                case "unix":
                    target.Path = rest;
                    if (!Dialer.HasUnixSockets)
                    {
                        target.Unsupported = "this .NET runtime has no unix domain sockets";
                    }
                    break;
                case "npipe":
                    // npipe:////./pipe/docker_engine -> server ".", pipe "docker_engine"
                    var parts = rest.TrimStart('/').Split('/');
                    if (parts.Length >= 3 && parts[1].Equals("pipe", StringComparison.OrdinalIgnoreCase))
                    {
                        target.HostName = parts[0];
                        target.Path = string.Join("/", parts.Skip(2));
                    }
                    else
                    {
                        target.Unsupported = $"'{address}' is not a named pipe address (npipe:////./pipe/NAME)";
                    }
                    break;
                case "tcp":
                case "http":
                    if (Uri.TryCreate("http://" + rest, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
                    {
                        target = new ApiTarget(address, source, "tcp")
                        {
                            HostName = uri.Host.Trim('[', ']'),
                            Port = HasPort(rest) ? uri.Port : 0,
                        };
                    }
                    else
                    {
                        target.Unsupported = $"'{address}' is not a tcp address (tcp://HOST:PORT)";
                    }
                    break;
                case "ssh":
                    target.Unsupported = "ssh:// engines are reached through the docker CLI";
                    break;
                default:
                    target.Unsupported = $"'{address}' has a scheme the Engine API transport does not dial (unix, npipe, tcp)";
                    break;
            }
            return target;
        }

        // tcp://host:2375 names its port; tcp://host takes the default (2375, or 2376 with TLS).
        private static bool HasPort(string rest)
        {
            var authority = rest.Split('/')[0];
            var colon = authority.LastIndexOf(':');
            return colon > authority.LastIndexOf(']') && colon < authority.Length - 1 && authority.Substring(colon + 1).All(char.IsDigit);
        }

        /// <summary>A target for tests: one unix socket.</summary>
        internal static ApiTarget Unix(string path) => Parse("unix://" + path, "test");
    }

    /// <summary>Where the TLS files of an engine are, and whether the server is verified.</summary>
    internal sealed class TlsMaterial
    {
        public TlsMaterial(string directory, bool verify)
        {
            Directory = directory;
            Verify = verify;
        }

        /// <summary>Holds ca.pem, cert.pem and key.pem (any of them may be absent).</summary>
        public string Directory { get; }

        /// <summary>Check the server's certificate (against ca.pem when there is one).</summary>
        public bool Verify { get; }

        /// <summary>
        /// The TLS material of the engine <paramref name="context"/> reaches, as the docker CLI finds
        /// it; null for plain tcp. A context keeps its files under contexts/tls/&lt;id&gt;/docker and says
        /// SkipTLSVerify in its meta.json; DOCKER_HOST uses DOCKER_TLS_VERIFY / DOCKER_TLS and the files
        /// in DOCKER_CERT_PATH (default: the docker config folder).
        /// </summary>
        public static TlsMaterial? For(string? context)
        {
            var name = EffectiveContext(context);
            if (name is null)
            {
                var verify = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"));
                var tls = verify || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS"));
                if (!tls)
                {
                    return null;
                }
                var certPath = Environment.GetEnvironmentVariable("DOCKER_CERT_PATH");
                var folder = string.IsNullOrWhiteSpace(certPath) ? ConfigDir() : certPath!;
                // Each file noted, so that a cached resolution sees certificates renewed in place, or appearing.
                foreach (var f in new[] { "ca.pem", "cert.pem", "key.pem" })
                {
                    EndpointFiles.Exists(System.IO.Path.Combine(folder, f));
                }
                return new TlsMaterial(folder, verify);
            }
            var id = ContextId(name);
            var dir = System.IO.Path.Combine(ConfigDir(), "contexts", "tls", id, "docker");
            // Each file tested (no short cut), so that a cached resolution sees any of them appear.
            if (!new[] { "ca.pem", "cert.pem", "key.pem" }.Select(f => EndpointFiles.Exists(System.IO.Path.Combine(dir, f))).ToList().Any(e => e))
            {
                return null;
            }
            var skip = false;
            try
            {
                var meta = System.IO.Path.Combine(ConfigDir(), "contexts", "meta", id, "meta.json");
                using var doc = JsonDocument.Parse(EndpointFiles.ReadAllText(meta));
                skip = doc.RootElement.TryGetProperty("Endpoints", out var eps) && eps.TryGetProperty("docker", out var d) &&
                       d.TryGetProperty("SkipTLSVerify", out var s) && s.ValueKind == JsonValueKind.True;
            }
            catch (Exception e) when (e is IOException || e is JsonException || e is UnauthorizedAccessException)
            {
                // no meta: verify
            }
            return new TlsMaterial(dir, !skip);
        }

        // The context whose store entry applies, as EngineEndpoint.Resolve picks it; null: the environment's (DOCKER_HOST or default).
        private static string? EffectiveContext(string? context)
        {
            string? name;
            if (!string.IsNullOrEmpty(context))
            {
                name = context;
            }
            else if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
            {
                return null;
            }
            else
            {
                name = Environment.GetEnvironmentVariable("DOCKER_CONTEXT")?.Trim();
                if (string.IsNullOrEmpty(name))
                {
                    name = CurrentContext();
                }
            }
            return string.IsNullOrEmpty(name) || name == "default" ? null : name;
        }

        private static string? CurrentContext()
        {
            try
            {
                var path = System.IO.Path.Combine(ConfigDir(), "config.json");
                if (!EndpointFiles.Exists(path))
                {
                    return null;
                }
                using var doc = JsonDocument.Parse(EndpointFiles.ReadAllText(path));
                return doc.RootElement.TryGetProperty("currentContext", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }
            catch (Exception e) when (e is IOException || e is JsonException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static string ConfigDir()
        {
            var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            return string.IsNullOrWhiteSpace(dir)
                ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker")
                : dir!;
        }

        // The store keeps each context under the SHA-256 of its name.
        private static string ContextId(string name)
        {
            using var sha = SHA256.Create();
            return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(name)).Select(b => b.ToString("x2")));
        }
    }

    /// <summary>Loaded TLS material: the CA to trust and the client certificate to present.</summary>
    internal sealed class TlsSettings
    {
        private static readonly ConcurrentDictionary<string, (TlsSettings? Settings, string? Why)> Cache = new();
        private static readonly MethodInfo? CreateFromPemFile =
            typeof(X509Certificate2).GetMethod("CreateFromPemFile", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null);
        private static readonly MethodInfo? ImportFromPemFile =
            typeof(X509Certificate2Collection).GetMethod("ImportFromPemFile", BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(string) }, null);

        private TlsSettings(string key, bool verify, X509Certificate2Collection authorities, X509CertificateCollection clientCertificates)
        {
            Key = key;
            Verify = verify;
            Authorities = authorities;
            ClientCertificates = clientCertificates;
        }

        public string Key { get; }
        public bool Verify { get; }
        public X509Certificate2Collection Authorities { get; }
        public X509CertificateCollection ClientCertificates { get; }

        /// <summary>True when this runtime reads PEM files (.NET 5 and later; not Windows PowerShell 5.1's .NET Framework).</summary>
        public static bool PemSupported => CreateFromPemFile is not null && ImportFromPemFile is not null;

        /// <summary>Loads (once per folder and mode) the files of <paramref name="material"/>; null with <paramref name="why"/> when they cannot be used.</summary>
        public static TlsSettings? Load(TlsMaterial material, out string? why)
        {
            var key = material.Directory + "|" + material.Verify;
            var stamp = string.Join("|", new[] { "ca.pem", "cert.pem", "key.pem" }.Select(f =>
            {
                var p = System.IO.Path.Combine(material.Directory, f);
                return File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks.ToString() : "-";
            }));
            var loaded = Cache.GetOrAdd(key + "|" + stamp, _ => LoadCore(material, key));
            why = loaded.Why;
            return loaded.Settings;
        }

        private static (TlsSettings?, string?) LoadCore(TlsMaterial material, string key)
        {
            if (!PemSupported)
            {
                return (null, "TLS client certificates in PEM files need .NET 5 or later (PowerShell 7); Windows PowerShell reaches TLS engines through the docker CLI");
            }
            try
            {
                var ca = System.IO.Path.Combine(material.Directory, "ca.pem");
                var cert = System.IO.Path.Combine(material.Directory, "cert.pem");
                var keyFile = System.IO.Path.Combine(material.Directory, "key.pem");
                var authorities = new X509Certificate2Collection();
                if (File.Exists(ca))
                {
                    ImportFromPemFile!.Invoke(authorities, new object[] { ca });
                }
                var clients = new X509CertificateCollection();
                if (File.Exists(cert) && File.Exists(keyFile))
                {
                    var pem = (X509Certificate2)CreateFromPemFile!.Invoke(null, new object[] { cert, keyFile })!;
                    // An ephemeral key does not work with every platform's TLS (SChannel): round-trip it through PKCS#12.
#if NET9_0_OR_GREATER
                    clients.Add(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
#else
                    clients.Add(new X509Certificate2(pem.Export(X509ContentType.Pkcs12)));
#endif
                }
                return (new TlsSettings(key, material.Verify, authorities, clients), null);
            }
            catch (Exception e) when (e is TargetInvocationException || e is CryptographicException || e is IOException || e is UnauthorizedAccessException)
            {
                return (null, $"the TLS files in '{material.Directory}' cannot be read: {(e.InnerException ?? e).Message}");
            }
        }

        /// <summary>The server is trusted when verification is off, or its chain ends in ca.pem (the system's roots without one), for the host dialled.</summary>
        public bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (!Verify)
            {
                return true;
            }
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }
            if (Authorities.Count == 0)
            {
                return errors == SslPolicyErrors.None;
            }
            using var custom = new X509Chain();
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            custom.ChainPolicy.ExtraStore.AddRange(Authorities);
            if (!custom.Build(new X509Certificate2(certificate)))
            {
                return false;
            }
            var root = custom.ChainElements[custom.ChainElements.Count - 1].Certificate;
            return Authorities.Cast<X509Certificate2>().Any(a => a.Thumbprint == root.Thumbprint);
        }

        public X509Certificate SelectClientCertificate(object sender, string targetHost, X509CertificateCollection local, X509Certificate? remote, string[] acceptable) =>
            local.Count > 0 ? local[0] : null!;
    }
}
