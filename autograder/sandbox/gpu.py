"""What a student's kernel gets on a worker that holds a GPU: that device alone, its memory taken as needed.

Standard library only, pure: the kernel manager adds ``kernel_gpu_environment``
to the environment it builds for each kernel, and ``gpu_device_files`` to the
files the sandbox lets the kernel open for writing (CUDA opens its devices
read-write). On a worker without a GPU both are empty: nothing changes.
"""

from __future__ import annotations

import glob
from typing import Mapping

# Set in a worker's environment when the worker holds a GPU: the device (its CUDA index) the worker's kernels use.
DEVICE_ENV = "AUTOGRADER_GPU"


def kernel_gpu_environment(worker_environment: Mapping[str, str]) -> dict[str, str]:
    """The variables a kernel started by this worker adds: its one device, and TensorFlow's memory growth on.

    Empty on a worker that declares no GPU. The kit's thread and oneDNN variables
    are not touched: they hold on a GPU too.
    """
    device = worker_environment.get(DEVICE_ENV, "").strip()
    if not device:
        return {}
    return {"CUDA_VISIBLE_DEVICES": device, "TF_FORCE_GPU_ALLOW_GROWTH": "true"}


def gpu_device_files(worker_environment: Mapping[str, str], devices: str = "/dev/nvidia*") -> list[str]:
    """The NVIDIA device files a kernel of this worker may open read-write; empty on a worker without a GPU.

    All of the server's NVIDIA devices: which GPU a kernel computes on is chosen
    by ``CUDA_VISIBLE_DEVICES``, not by the sandbox.
    """
    return sorted(glob.glob(devices)) if kernel_gpu_environment(worker_environment) else []
