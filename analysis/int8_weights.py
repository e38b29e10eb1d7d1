"""Unsigned int8 weights where onnxruntime's signed ones saturate: x86 CPUs without VNNI.

The shipped models are dynamically quantised: uint8 activations times int8 weights (U8S8). On x86 without
VNNI, onnxruntime computes U8S8 products with an instruction (VPMADDUBSW) that adds pairs of products into
int16 and saturates, so the scores drift from the model's: on an AVX2-only AMD EPYC, e5-multi's RuSentNE dev
F1_PN read 0.458 instead of its card's 0.504. Shifting every weight by 128 (uint8, zero point 128) is the same
model exactly, and onnxruntime's U8U8 kernels widen to int16 before multiplying, so nothing saturates (0.502
there, about 7% slower). CPUs with VNNI keep the signed weights: their U8S8 kernel does not saturate.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
from pathlib import Path

import numpy as np

# /proc/cpuinfo flags of the x86 instructions that multiply u8 by s8 into int32 without saturating
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
_X86 = frozenset({"x86_64", "amd64", "i686", "i386"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The CPU's feature flags from /proc/cpuinfo, or None where it cannot be read (not Linux)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return None


def signed_weights_saturate(machine: str | None = None, flags: frozenset[str] | None = None) -> bool:
    """Whether onnxruntime's U8S8 products can saturate here: an x86 CPU without VNNI (or one whose flags
    cannot be read, to be safe); never on ARM, whose int8 kernels widen first."""
    if (machine or platform.machine()).lower() not in _X86:
        return False
    found = cpu_flags() if flags is None else flags
    return found is None or not (found & VNNI_FLAGS)


def unsigned_weights(model: bytes) -> bytes:
    """The serialised model with each MatMulInteger's int8 weight and zero point shifted to uint8 (q + 128):
    the same products exactly, computed by onnxruntime's non-saturating U8U8 kernels."""
    import onnx
    from onnx import numpy_helper

    proto = onnx.load_from_string(model)
    initializers = {tensor.name: tensor for tensor in proto.graph.initializer}
    for node in proto.graph.node:
        if node.op_type != "MatMulInteger" or len(node.input) < 4:
            continue
        for name in (node.input[1], node.input[3]):  # B and its zero point
            tensor = initializers.get(name)
            if tensor is None or tensor.data_type != onnx.TensorProto.INT8:
                continue  # shared with a node already shifted, or computed at run time
            shifted = (numpy_helper.to_array(tensor).astype(np.int16) + 128).astype(np.uint8)
            tensor.CopyFrom(numpy_helper.from_array(shifted, name))
    return bytes(proto.SerializeToString())


def model_bytes(path: Path, cache_dir: Path) -> bytes:
    """The ONNX file's bytes as this CPU should run them: with unsigned weights where signed ones saturate,
    converted once (about a second) and kept under cache_dir, keyed by the file's content."""
    data = path.read_bytes()
    if not signed_weights_saturate():
        return data
    cached = Path(cache_dir) / "int8-unsigned" / f"{hashlib.sha256(data).hexdigest()[:20]}.onnx"
    if cached.is_file():
        return cached.read_bytes()
    converted = unsigned_weights(data)
    with contextlib.suppress(OSError):  # a read-only cache only costs the conversion next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        partial.write_bytes(converted)
        os.replace(partial, cached)  # whole or absent: concurrent workers may race to write it
    return converted
