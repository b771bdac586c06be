#!/usr/bin/env bash
# Builds the GPU check's bundle for a CUDA machine that has PyTorch (torch 2.x with CUDA, torchvision) but no .NET:
#   scripts/gpu/make-bundle.sh [OUTDIR]        (default: gpu-bundle/ in the checkout, added to .git/info/exclude)
# OUTDIR gets: programs.tar.xz, holding gpucheck/ (tests/NetGen.GpuCheck) and examples/ (dsl-examples, for the
# training runs), both framework-dependent publishes with TorchSharp's libLibTorchSharp.so and no libtorch (the CUDA
# machine's torch libraries are used); dotnet-runtime.tar.xz (this machine's .NET runtime); run.sh, ref.py; commit.txt.
# Both archives are xz-compressed: the bundle is about 45 MB instead of 83 MB, so that it fits a 64 MiB transfer
# beside a checkout. Copy OUTDIR to the GPU machine and run `bash OUTDIR/run.sh` there (or `run.sh --cpu` here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/gpu-bundle}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Keep a bundle inside the checkout out of git.
if [ "${out#"$root"/}" != "$out" ] && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  exclude=$(git -C "$root" rev-parse --git-path info/exclude)
  case $exclude in /*) ;; *) exclude=$root/$exclude ;; esac
  entry="/${out#"$root"/}/"
  mkdir -p "$(dirname "$exclude")"
  grep -qxF "$entry" "$exclude" 2>/dev/null || echo "$entry" >> "$exclude"
fi

# libtorch's CPU package stays out of both publishes (NoLibTorch.targets drops its files), and so do the
# translations of the libraries' messages.
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
publish() {
  dotnet publish "$root/$1" -c Release -r linux-x64 --self-contained false -nologo -v:q \
    -p:CustomAfterMicrosoftCommonTargets="$here/NoLibTorch.targets" -p:SatelliteResourceLanguages=en -o "$staging/$2"
}
publish tests/NetGen.GpuCheck/NetGen.GpuCheck.csproj gpucheck
publish dsl-examples/NetGen.Examples.csproj examples
rm -rf "$out/gpucheck" "$out/examples"
tar -C "$staging" -cJf "$out/programs.tar.xz" gpucheck examples

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)
tar -C "$dotnet_root" -cJf "$out/dotnet-runtime.tar.xz" dotnet host/fxr "shared/Microsoft.NETCore.App/$runtime"
cp "$here/run.sh" "$here/ref.py" "$out/"
chmod +x "$out/run.sh"
{ git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown; } | tr -d '\n' > "$out/commit.txt"
git -C "$root" diff --quiet HEAD 2>/dev/null || echo "-dirty" >> "$out/commit.txt"
echo "bundle: $out ($(du -sh "$out" | cut -f1), .NET $runtime, commit $(cat "$out/commit.txt"))"
