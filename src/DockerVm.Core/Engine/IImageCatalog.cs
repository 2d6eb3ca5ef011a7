using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>
    /// What a transport may offer beside <see cref="IDockerEngine"/>: the images present on the
    /// engine, for tab completion of New-DockerVm -Image. Both transports offer it; an engine that
    /// does not (a test's) completes no image.
    /// </summary>
    public interface IImageCatalog
    {
        /// <summary>
        /// The local images as references a user types (`repository:tag`; untagged images are
        /// left out), in any order. Honour <paramref name="ct"/>: completion waits only seconds.
        /// </summary>
        Task<IReadOnlyList<string>> ListImagesAsync(CancellationToken ct);
    }
}
