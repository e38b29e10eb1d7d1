"""Unsigned int8 weights (analysis/int8_weights.py): when they are used, and that they are the same model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from analysis.int8_weights import VNNI_FLAGS, cpu_flags, model_bytes, signed_weights_saturate, unsigned_weights
from analysis.model import MODELS_DIR


def _weights(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Each MatMulInteger weight, dequantised by its zero point (the integers the products use)."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return {n.input[1]: inits[n.input[1]].astype(np.int32) - inits[n.input[3]].astype(np.int32)
            for n in model.graph.node if n.op_type == "MatMulInteger"}


def test_unsigned_weights_are_the_same_integers_shifted_by_128() -> None:
    path = MODELS_DIR / "e5-multi" / "model.onnx"
    signed = onnx.load(path)
    unsigned = onnx.load_from_string(unsigned_weights(path.read_bytes()))
    before, after = _weights(signed), _weights(unsigned)
    assert len(before) == 74 and before.keys() == after.keys()
    assert all(np.array_equal(before[name], after[name]) for name in before)
    inits = {t.name: t for t in unsigned.graph.initializer}
    matmuls = [n for n in unsigned.graph.node if n.op_type == "MatMulInteger"]
    assert all(inits[n.input[1]].data_type == onnx.TensorProto.UINT8 for n in matmuls)
    assert all(set(numpy_helper.to_array(inits[n.input[3]]).ravel()) == {128} for n in matmuls)
    # everything else is untouched
    assert [n.op_type for n in signed.graph.node] == [n.op_type for n in unsigned.graph.node]


def test_signed_weights_are_kept_on_vnni_cpus_and_arm() -> None:
    assert signed_weights_saturate("x86_64", frozenset({"sse2", "avx", "avx2", "fma"}))
    for flag in VNNI_FLAGS:
        assert not signed_weights_saturate("x86_64", frozenset({"avx2", flag}))
    assert not signed_weights_saturate("aarch64", frozenset())
    here = cpu_flags()
    if here is not None:  # with no flags given, this machine's are read
        assert signed_weights_saturate("x86_64") == (not here & VNNI_FLAGS)


def test_cpu_flags_read_the_flags_line(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2\n\n", encoding="utf-8")
    assert cpu_flags(info) == frozenset({"fpu", "sse2", "avx", "avx2"})
    assert cpu_flags(tmp_path / "missing") is None


def test_model_bytes_converts_once_and_keeps_the_result(tmp_path: Path) -> None:
    path = MODELS_DIR / "e5-multi" / "model.onnx"
    first = model_bytes(path, tmp_path)
    if not signed_weights_saturate():
        assert first == path.read_bytes()  # a VNNI or ARM CPU runs the file as it is
        return
    cached = list((tmp_path / "int8-unsigned").glob("*.onnx"))
    assert len(cached) == 1 and cached[0].read_bytes() == first == unsigned_weights(path.read_bytes())
    cached[0].write_bytes(b"the cached copy")  # the second call reads the cache, not the file
    assert model_bytes(path, tmp_path) == b"the cached copy"
