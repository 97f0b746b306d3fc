"""The CPU a bench ran on: its model and the SIMD extensions CTranslate2's int8
kernels use, since how much raw batching gains over Argos-style batching
depends on them (2.6x with AVX2, 6.3x on a VM without)."""

from __future__ import annotations

import os
from pathlib import Path

# /proc/cpuinfo flag -> the name printed; VNNI is the int8 dot-product instruction.
SIMD_FLAGS = {"avx2": "AVX2", "avx512f": "AVX-512", "avx512_vnni": "AVX512-VNNI", "avx_vnni": "AVX-VNNI"}


def cpu_info(cpuinfo: str | None = None) -> dict:
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    model, flags = "unknown", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model == "unknown":
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return {
        "model": model,
        "cores": os.cpu_count() or 1,
        "simd": {name: flag in flags for flag, name in SIMD_FLAGS.items()},
    }


def describe(info: dict) -> str:
    simd = ", ".join(f"{name} {'yes' if present else 'no'}" for name, present in info["simd"].items())
    return f"CPU: {info['model']}, {info['cores']} cores; {simd}"
