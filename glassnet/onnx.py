"""ONNX: run glassnet models anywhere onnxruntime runs, and bring ONNX MLPs into glassnet.

Export (:func:`export`) writes an ONNX model of

* a network: ``nn.MLP``, ``nn.Neuron`` or a ``Sequential`` of ``Linear`` layers and
  activations. Each layer is one ``Gemm`` node, ``Z = X @ W + b`` with ``W`` of shape
  ``(inputs, neurons)`` stored as it is (``transB = 0``), then its activation
  (``Sigmoid``, ``Tanh``, ``Relu``, ``LeakyRelu``, ``Softmax``; the identity adds none).
  Input ``X`` (N, inputs), output ``Y`` (N, outputs), in the model's dtype. A leading
  ``nn.Flatten`` is ONNX's ``Flatten`` at axis 1; ``input_shape=(d1, d2, ...)`` declares
  ``X`` as (N, d1, d2, ...).
* a fitted :class:`glassnet.sklearn.MLPClassifier` or ``MLPRegressor``: the network and
  its output head. A classifier has two outputs, as skl2onnx writes them: ``label``
  (N,) (or (N, K) 0/1 for multi-label) and ``probabilities`` (N, C); a regressor one,
  ``variable`` (N, K).
* a model file written by ``glassnet train``: raw rows in, predictions out. One input
  per feature column, named after it: a number column as double (N, 1), a text column
  as string (N, 1). The graph imputes missing cells with the training statistics (a
  text cell is missing when it is one of the training run's ``--missing`` texts, in any
  case; by default empty, ``nan``, ``NA``, ``N/A``, ``null``),
  standardizes with the training mean and scale, one-hot encodes text (a category not
  seen in training becomes all zeros, as scikit-learn's ``handle_unknown='ignore'``),
  runs the network, and outputs ``label`` and ``probabilities`` (classification) or
  ``variable`` in the target's units (regression).

Every export uses opset :data:`DEFAULT_OPSET` (any of 17 to the installed onnx
package's newest can be asked for) and ``ai.onnx.ml`` 3 for the text columns, has a
dynamic batch dimension ``N``, and carries the model's description in its doc strings
and in ``metadata_props`` (``glassnet.config``, ``glassnet.task``, ...).

Import (:func:`load`) reads an ONNX MLP, a chain of ``Gemm`` (or ``MatMul`` + ``Add``)
and ``Relu``, ``LeakyRelu``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``Identity`` and
``Flatten`` nodes, into a glassnet ``MLP`` (or ``Sequential``), which ``explain``, ``viz``,
``summary`` and ``fit`` then take like any glassnet network. Of a classifier's graph (skl2onnx's
of scikit-learn's ``MLPClassifier``, with its ``label`` and ``ZipMap`` probabilities) it reads
the network up to the ``Softmax`` or ``Sigmoid`` the outputs branch off. Anything else is
refused with :class:`OnnxError` naming the first node that is not in that subset. Files are
untrusted data: sizes are checked before anything is allocated, external data is
never read, and cycles, truncation and wrong opsets are errors.

``register_skl2onnx()`` teaches skl2onnx glassnet's estimators, so that
``skl2onnx.to_onnx(pipeline, X[:1])`` converts a scikit-learn ``Pipeline`` ending in one.

>>> import numpy as np
>>> import onnxruntime as ort
>>> from glassnet import nn
>>> from glassnet.onnx import export, load
>>> net = nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
>>> proto = export(net)                                # or export(net, "net.onnx")
>>> sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
>>> X = np.array([[0.0, 1.0], [1.0, 1.0]], dtype=np.float32)
>>> bool(np.allclose(sess.run(None, {"X": X})[0], net.predict(X), rtol=1e-5, atol=1e-6))
True
>>> load(proto)
MLP(
  (0): Linear(inputs=2, neurons=3)
  (1): Tanh()
  (2): Linear(inputs=3, neurons=1)
  (3): Sigmoid()
)

The ``onnx`` extra installs what this module needs: ``pip install 'glassnet[onnx]'``.
"""

from __future__ import annotations

import inspect
import itertools
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

try:
    import onnx
    from google.protobuf.message import EncodeError
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        f"glassnet.onnx needs the onnx package ({e}). Install it with: pip install 'glassnet[onnx]'"
    ) from e

from . import functional as F
from ._validation import check_bool, check_number
from .chain import as_chain
from .datasets import MISSING_TOKENS, missing_tokens
from .files import NOT_ONNX, WriteError, atomic_write, misnamed, same_file
from .functional import replaced_entry
from .fused import FastMLP, Layer, layers_of
from .fused import flatten as opened
from .io import (
    PANDAS_NA,
    ModelFileError,
    ModelWriteError,
    Pipeline,
    file_kind,
    load_model,
    not_in_model,
    oneline,
    open_regular,
    tilde_hint,
    write_error,
)
from .nn import MLP, Flatten, Linear, Module, Sequential, activation_module
from .preprocessing import (
    FAR_OUTSIDE,
    CategoryValues,
    LabelEncoder,
    Preprocessor,
    StandardScaler,
    first_beyond,
)
from .stream import as_point, check_decimal

__all__ = [
    "DEFAULT_OPSET",
    "MIN_OPSET",
    "ML_OPSET",
    "MAX_WEIGHTS",
    "OnnxError",
    "export",
    "feeds",
    "load",
    "register_skl2onnx",
]

DEFAULT_OPSET = 19
"""The ``ai.onnx`` opset of an export: onnxruntime 1.15 and later run it."""
MIN_OPSET = 17
ML_OPSET = 3  # ai.onnx.ml: LabelEncoder with string keys (text columns)
MAX_WEIGHTS = 200_000_000
"""The most weights :func:`load` reads (800 MB in float32); pass ``max_weights`` for more."""
MAX_FILE_BYTES = 2**31 - 1  # protobuf cannot parse more
MAX_NODES = 100_000

_ONNX_ACT = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "softmax": "Softmax",
}
_GLASSNET_ACT = {op: name for name, op in _ONNX_ACT.items()}
_SUPPORTED = (
    *("Gemm", "MatMul", "Add", *_GLASSNET_ACT, "Identity", "Constant", "Mul", "Max"),
    *("Cast", "Reshape"),  # no-ops as skl2onnx writes them: Cast to a float, Reshape to (N, k)
    "Dropout",  # the identity at inference (training_mode absent or false)
    "Flatten",  # to (N, features): PyTorch's nn.Flatten (a no-op on rows already flat)
)
_FLOATS = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}
_FLOAT_TYPES = (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16)
# element types a constant may have (integer ones: shapes and the like, refused later;
# bool: a Dropout's training_mode)
_READABLE = (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16, TensorProto.INT64,
             TensorProto.INT32, TensorProto.BOOL)  # fmt: skip
_READABLE_NAMES = {v: k for k, v in TensorProto.DataType.items()}


class OnnxError(ModelFileError):
    """An ONNX file glassnet cannot read (malformed, hostile, or not an MLP), or a model
    that cannot be written as ONNX. A ``ValueError``, as every model-file error is."""


# ================================================================ building graphs


class _Graph:
    """Nodes and constants of an ONNX graph, under unique names.

    :func:`export` collects them into a ``GraphProto``; the skl2onnx converter
    (:class:`_SklGraph`) sends the same calls into skl2onnx's container instead.
    """

    def __init__(self, reserved: Sequence[str] = ()) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._used = set(reserved)

    def name(self, base: str) -> str:
        if base not in self._used:
            self._used.add(base)
            return base
        for i in itertools.count(1):
            if f"{base}_{i}" not in self._used:
                self._used.add(f"{base}_{i}")
                return f"{base}_{i}"
        raise AssertionError  # pragma: no cover

    def const(self, base: str, value: Any) -> str:
        name = self.name(base)
        arr = np.asarray(value)
        if arr.dtype.kind in "UO":
            tensor = helper.make_tensor(
                name, TensorProto.STRING, arr.shape, [str(v).encode() for v in arr.ravel()]
            )
        else:
            tensor = numpy_helper.from_array(arr, name)
        self.inits.append(tensor)
        return name

    def op(
        self,
        op_type: str,
        inputs: Sequence[str],
        base: str,
        *,
        out: str | None = None,
        domain: str = "",
        doc: str,
        **attrs: Any,
    ) -> str:
        """Add one node; returns its output's name (``out`` when given). ``doc``: what the
        node computes, the layer or column it belongs to and its formula (its doc string:
        every node has one, as docs/onnx.md says)."""
        output = out if out is not None else self.name(base)
        node = helper.make_node(
            op_type, list(inputs), [output], name=self.name(f"{base}_{op_type}"), domain=domain,
            **attrs,
        )  # fmt: skip
        if doc:
            node.doc_string = doc
        self.nodes.append(node)
        return output


class _SklGraph(_Graph):
    """The same calls, made on skl2onnx's scope and container (the converter's case)."""

    def __init__(self, scope: Any, container: Any) -> None:
        super().__init__()
        self.scope, self.container = scope, container

    def name(self, base: str) -> str:
        return self.scope.get_unique_variable_name(base)

    def const(self, base: str, value: Any) -> str:
        name = self.name(base)
        arr = np.asarray(value)
        if arr.dtype.kind in "UO":
            data = [str(v).encode() for v in arr.ravel()]
            self.container.add_initializer(name, TensorProto.STRING, list(arr.shape), data)
        else:
            tensor = numpy_helper.from_array(arr, name)
            self.container.add_initializer(name, tensor.data_type, list(arr.shape), tensor)
        return name

    def op(
        self,
        op_type: str,
        inputs: Sequence[str],
        base: str,
        *,
        out: str | None = None,
        domain: str = "",
        doc: str,
        **attrs: Any,
    ) -> str:
        output = out if out is not None else self.name(base)
        self.container.add_node(
            op_type, list(inputs), [output], op_domain=domain,
            name=self.scope.get_unique_operator_name(op_type), **attrs,
        )  # fmt: skip
        nodes = getattr(self.container, "nodes", None)  # (skl2onnx's list, the node last)
        if nodes and list(nodes[-1].output) == [output]:
            nodes[-1].doc_string = doc
        return output


def _network(
    g: _Graph, layers: list[Layer], x: str, out: str | None = None, z: list[str] | None = None
) -> str:
    """The layers as nodes: ``Z_l = A_{l-1} @ W_l + b_l`` (Gemm), ``A_l = g(Z_l)``. ``z``:
    a list the last layer's ``Z_L`` (its output before the activation) is appended to."""
    for i, lay in enumerate(layers, 1):
        last = i == len(layers)
        W = g.const(f"W{i}", lay.W)  # (inputs, neurons), as glassnet stores it
        act = lay.act if lay.act in _ONNX_ACT else "identity"
        z_out = out if last and act == "identity" else None
        doc = f"layer {i}: Z{i} = A{i - 1} @ W{i} + b{i}, W{i}: ({lay.inputs}, {lay.neurons})"
        if lay.b is not None:
            b = g.const(f"b{i}", lay.b)  # (neurons,)
            x = g.op("Gemm", [x, W, b], f"Z{i}", out=z_out, doc=doc)
        else:
            x = g.op("MatMul", [x, W], f"Z{i}", out=z_out, doc=doc + " (no bias)")
        if last and z is not None:
            z.append(x)
        if act == "leaky_relu" and lay.W.dtype == np.float64:
            # onnxruntime has no float64 LeakyRelu kernel; for 0 <= alpha < 1,
            # max(z, alpha z) is the same function, bit for bit (load() reads it back)
            az = g.op(
                "Mul", [x, g.const(f"alpha{i}", np.array(lay.alpha))], f"alphaZ{i}",
                doc=f"layer {i}: alpha Z{i}, alpha = {lay.alpha} (leaky_relu's slope below 0)",
            )  # fmt: skip
            x = g.op(
                "Max", [x, az], f"A{i}", out=out if last else None,
                doc=f"layer {i}: A{i} = g(Z{i}), g = leaky_relu: max(alpha z, z)",
            )  # fmt: skip
        elif act != "identity":
            kw: dict[str, Any] = {"alpha": float(lay.alpha)} if act == "leaky_relu" else {}
            if act == "softmax":
                kw["axis"] = -1
            formula = F.ACTIVATIONS[act].formula
            x = g.op(
                _ONNX_ACT[act], [x], f"A{i}", out=out if last else None,
                doc=f"layer {i}: A{i} = g(Z{i}), g = {act}: {formula}", **kw,
            )  # fmt: skip
    return x


#: What to do with a layer export cannot write (a GELU, a BatchNorm1d, a LayerNorm).
_EXPORTED = (
    "glassnet exports nn.Linear layers, the activations ReLU, LeakyReLU, Sigmoid, Tanh and "
    "Softmax (at the output), and Identity, Dropout and a leading Flatten: build the network "
    "of those and train it again"
)
#: The advice for a network object (a model file's network is in a glassnet file already)
_KEEP = ", or keep this one in a glassnet file (glassnet.io.save_model)"


#: The chains that layers_of refuses (its words) and export names (load reads them).
_CHAIN_SHAPES = (
    ("two activations follow one Linear layer", "two activations after one Linear layer"),
    ("starts with an activation", "an activation before its first Linear layer"),
    ("softmax is only supported on the output layer", "a softmax on a hidden layer"),
)


#: The most bytes of weights one ONNX file holds: protobuf, which writes ONNX files,
#: serializes at most 2 GiB, and the graph's names, doc strings and metadata take the rest.
_MAX_WEIGHT_BYTES = MAX_FILE_BYTES - 2**20


def _check_size(layers: list[Layer], owner: str) -> None:
    """Refuse, before the graph is built, weights that one ONNX file cannot hold (protobuf
    raised 'Failed to serialize proto' from onnx.helper, or onnx.checker did, for them)."""
    arrays = [w for lay in layers for w in (lay.W, lay.b) if w is not None]
    size = sum(int(w.nbytes) for w in arrays)
    if size <= _MAX_WEIGHT_BYTES:
        return
    count = sum(int(w.size) for w in arrays)
    dtypes = sorted({str(w.dtype) for w in arrays})
    smaller = ""
    if dtypes == ["float64"] and size // 2 <= _MAX_WEIGHT_BYTES:
        smaller = f" In float32 they take {size // 2:,} bytes, which fit: {_in_float32(owner)}."
    raise OnnxError(
        f"{owner}: the network's weights take {size:,} bytes ({count:,} values of "
        f"{', '.join(dtypes)}), more than one ONNX file holds: protobuf, which writes ONNX "
        f"files, stores at most 2 GiB ({MAX_FILE_BYTES:,} bytes) with the graph's names and "
        f"descriptions, and export writes no external data.{smaller} Keep this network in a "
        "glassnet file (glassnet.io.save_model), which has no such limit, or export a smaller "
        "network."
    )


def _check_bytes(proto: onnx.ModelProto, owner: str) -> None:
    """Refuse a built graph that one ONNX file cannot hold: :func:`_check_size` counts the
    weights before the graph is built, and this the whole graph, with what else it holds
    (the feature names in its description, class labels, preprocessing constants), before it
    is checked, run or written (protobuf raised its EncodeError, or onnx.checker did, for
    it)."""
    try:
        size = proto.ByteSize()
    except EncodeError:  # (protobuf may refuse to count past its limit)
        size = None
    if size is not None and size <= MAX_FILE_BYTES:
        return
    inits = list(proto.graph.initializer)
    weights = sum(len(t.raw_data) for t in inits)
    doubles = sum(len(t.raw_data) for t in inits if t.data_type == TensorProto.DOUBLE)
    smaller = ""
    if doubles and (size is None or size - doubles // 2 <= MAX_FILE_BYTES):
        smaller = f" Its float64 values take half as much in float32: {_in_float32(owner)}."
    raise OnnxError(
        f"{owner}: the ONNX graph takes "
        f"{'more than 2 GiB' if size is None else f'{size:,} bytes'}, more than one ONNX "
        f"file holds: protobuf, which writes ONNX files, stores at most 2 GiB "
        f"({MAX_FILE_BYTES:,} bytes), and export writes no external data. Its numbers (weights, "
        f"preprocessing constants) take {weights:,} bytes; the rest is its names and text "
        f"(the feature names in its description, class labels).{smaller} Keep this model in a "
        "glassnet file (glassnet.io.save_model), which has no such limit, or export a smaller "
        "network (or fewer features)."
    )


def _in_float32(owner: str) -> str:
    """How to export in float32: a network converts (``export``), an estimator
    (``export(MLPClassifier)``) is fitted in float32, which keeps its labels."""
    if owner == "export":
        return "export net.to(np.float32) (which predicts to float32's precision)"
    return (
        f"fit the {owner[len('export(') : -1]} with dtype='float32' (which predicts to "
        "float32's precision)"
    )


def _placed(exc: TypeError, model: Module) -> str:
    """layers_of's refusal of a layer (``... The model holds a GELU.``) with where the layer
    sits in ``model`` (its name in ``named_modules``) and why export refuses it."""
    found = re.search(r"The model holds an? (\w+)\.", str(exc))
    if found is None:
        return str(exc)
    kind = found.group(1)
    names = getattr(model, "named_modules", None)
    where = next(
        (name for name, m in (names() if callable(names) else ()) if type(m).__name__ == kind),
        None,
    )
    text, at = str(exc), f"{where!r} in the model" if where else ""
    if kind in ("Flatten", "Dropout", "Identity"):  # (exported where the chain allows them)
        said = f" It is {at}." if at else ""
    else:
        said = f" Export has no ONNX operator for it{f' ({at})' if at else ''}."
    return f"{text[: found.end()]}{said}{text[found.end() :]}"


def _network_layers(model: Module, owner: str, in_file: bool = False) -> list[Layer]:
    keep = "" if in_file else _KEEP  # (a file's network: to keep it in one says nothing)
    for m in opened(model):  # (before layers_of, whose words are the fast path's)
        slope = getattr(m, "alpha", 0.0) if getattr(m, "name", None) == "leaky_relu" else 0.0
        if not 0 <= slope < 1:
            raise TypeError(
                f"{owner} writes a LeakyReLU for 0 <= negative_slope < 1 only (ONNX's "
                f"LeakyRelu, in float64 max(z, slope z), which equals it there only; load "
                f"reads those back). The model holds a LeakyReLU with negative_slope="
                f"{float(slope):g}: train the network with a slope in [0, 1) to export it"
                f"{keep}{', which takes any slope' if keep else ''}."
            )
    try:
        layers = layers_of(model, owner=owner)
    except TypeError as exc:  # (a layer of glassnet's that has no ONNX form here: say what does)
        if "has no Linear layer" in str(exc):  # (an empty Sequential, a Dropout alone)
            raise TypeError(f"{exc} {_EXPORTED}.") from None
        shape = next(
            (name for words, name in _CHAIN_SHAPES if words in str(exc)), None
        )  # (a chain glassnet.onnx.load reads, as a Sequential, from another writer's file)
        if shape is not None:
            hint = (
                " Softmax goes at the output only (MLP(..., output_activation='softmax')): "
                "train the network with relu, tanh or sigmoid in its hidden layers to export it."
                if shape == "a softmax on a hidden layer"
                else ""
            )
            raise TypeError(
                f"{exc} {owner} writes a chain of Linear layers, each followed by at most one "
                f"activation (softmax at the output only), and this network has {shape}, "
                f"which it does not write (as explain and draw_network do not read it).{hint} "
                "A network glassnet.onnx.load read from such a file predicts, fits and "
                "summarizes as it is: "
                + (
                    "gn.load reads this file, and the ONNX file it came from is its ONNX form."
                    if in_file
                    else "keep it in a glassnet file (gn.save(net, 'net.glassnet')), or use "
                    "the ONNX file it came from."
                )
            ) from None
        if "handles networks of Linear layers" not in str(exc):
            raise
        raise TypeError(f"{_placed(exc, model)} {_EXPORTED}{keep}.") from None
    if owner.startswith("export"):  # (skl2onnx's in-memory model may keep external data)
        _check_size(layers, owner)
    for i, lay in enumerate(layers, 1):
        if lay.act == "leaky_relu" and np.float32(lay.alpha) >= 1:
            how = (  # (ONNX's LeakyRelu stores alpha as float32: load refuses its 1.0)
                "1.0 in float32, as the network computes it and as ONNX's LeakyRelu stores its "
                "alpha (the identity, which load refuses as a LeakyRelu)"
                if lay.W.dtype == np.float32
                else "1.0 once rounded to float32, and onnxruntime's graph optimizer does "
                "round max(z, slope z)'s slope so: it would compute the identity"
            )
            raise TypeError(
                f"{owner}: layer {i}'s LeakyReLU slope {float(lay.alpha)!r} is {how}. Give a "
                f"slope of at most {np.nextafter(np.float32(1), np.float32(0))} (float32's "
                f"largest below 1){keep}{', which takes any slope' if keep else ''}."
            )
        if replaced_entry(lay.act):  # (the operator below is the built-in's: refused by name)
            op = _ONNX_ACT.get(lay.act, "Identity")
            raise OnnxError(
                f"{owner}: the table entry of {lay.act!r} (layer {i}'s activation) was replaced "
                f"in glassnet.functional.ACTIVATIONS; ONNX exports only glassnet's built-in "
                f"functions (its {op} operator computes the built-in {lay.act}, not yours). "
                "Put the built-in entry back to export this network, or keep its weights, "
                "gn.save(model.state_dict(), path), and load them into a network built where "
                "the same table entry is in force."
            )
        if lay.act not in _ONNX_ACT and lay.act != "identity":
            raise OnnxError(
                f"{owner}: the activation {lay.act!r} has no ONNX operator here; glassnet "
                f"exports {', '.join(sorted(_ONNX_ACT))} and identity."
            )
        for w in (lay.W, lay.b):
            if (
                w is not None
                and w.dtype not in _FLOATS
                and w.dtype.kind == "f"
                and (w.dtype.newbyteorder("=") in _FLOATS)
            ):  # (">f4": float32 in the other byte order, from a file of a big-endian machine)
                raise OnnxError(
                    f"{owner}: layer {layers.index(lay) + 1}'s weights are "
                    f"{w.dtype.newbyteorder('=')} in big-endian byte order ({w.dtype.str}); "
                    f"convert them to the machine's order first, e.g. W.data = "
                    f"W.data.astype(np.{w.dtype.newbyteorder('=')})."
                )
        if lay.W.dtype not in _FLOATS:
            raise OnnxError(f"{owner}: weights must be float32 or float64. Got {lay.W.dtype}.")
        for name, w in (("W", lay.W), ("b", lay.b)):
            if w is not None and not np.all(np.isfinite(w)):
                raise OnnxError(
                    f"{owner}: {name} of layer {layers.index(lay) + 1} holds NaN or inf (did "
                    "training diverge?); an ONNX model of it would predict NaN."
                )
    dtypes = {lay.W.dtype for lay in layers} | {lay.b.dtype for lay in layers if lay.b is not None}
    if len(dtypes) > 1:
        raise OnnxError(
            f"{owner}: the layers mix dtypes {sorted(str(d) for d in dtypes)}; ONNX needs one. "
            "Convert the model to one dtype first."
        )
    return layers


def _classes_const(g: _Graph, classes: np.ndarray) -> tuple[str, int]:
    """The class labels as a constant and its ONNX element type: int64 for integers and
    booleans, double for other numbers, string for text."""
    kind = classes.dtype.kind
    if kind == "u" and len(classes) and int(classes.max()) > np.iinfo(np.int64).max:
        raise OnnxError(
            f"export: the class label {int(classes.max())} does not fit ONNX's int64 labels "
            "(at most 2**63 - 1). Encode the labels first (e.g. as strings)."
        )
    if kind in "iub":
        return g.const("classes", classes.astype(np.int64)), TensorProto.INT64
    if kind == "f":
        return g.const("classes", classes.astype(np.float64)), TensorProto.DOUBLE
    texts = _utf8_labels(classes, "export")
    return g.const("classes", np.array(texts, dtype=object)), TensorProto.STRING


def _utf8_labels(classes: Any, owner: str, what: str = "class label") -> list[str]:
    """The class labels (or feature names) as text, each refused unless UTF-8 can write it,
    as ONNX stores text (protobuf's UnicodeEncodeError came out of the graph, unexplained)."""
    texts = [str(c) for c in classes]
    fix = (
        "Fix the labels and fit again, e.g. y = [t.encode('utf-8', 'replace').decode() for t in y]."
        if what == "class label"
        else "Rename the column and fit again, e.g. df.columns = [str(c).encode('utf-8', "
        "'replace').decode() for c in df.columns]."
    )
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise OnnxError(
                f"{owner}: the {what} {text!r} cannot be written as UTF-8, as ONNX stores "
                f"text: it holds {text[exc.start : exc.end]!r} at character {exc.start} (a lone "
                f"surrogate, from an undecodable file name?). {fix}"
            ) from None
    return texts


def _columns_text(classes: Any, shown: int = 64) -> str:
    """The ``probabilities`` output's doc string: its columns' classes in their order (the
    model's, ``--classes``'s when given; the first ``shown`` of more)."""
    return f"class probabilities, columns: {_names_text(classes, shown)}"


def _names_text(names: Any, shown: int = 16) -> str:
    """``names`` (columns, classes, categories) for a doc string: the first ``shown``, in
    their order, and how many there are when more."""
    names = [str(c) for c in names]
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return f"{', '.join(names[:shown])}{more}"


def _half_logit(dt: np.dtype, prob: Any = None) -> np.ndarray:
    """The largest logit z of dtype ``dt`` whose probability ``prob(z)`` is 0.5 or less, so
    that the label read as ``p > 0.5`` is 0 for z up to it and 1 above: not 0, since
    probabilities round to 0.5 for 0 < z <= it, where onnxruntime's Sigmoid can give the
    next float above 0.5. ``prob``: the probability of a (1,) array of ``dt`` as the model's
    predict computes it: None, a glassnet.sklearn classifier's float64 ``exp(-log(1 +
    e^-z))`` (MLPClassifier._proba_and_log; about 1.7e-16); ``F.sigmoid_fn``, a network's
    own sigmoid ``(1 + tanh(z / 2)) / 2`` in ``dt``, which ``task.decode`` reads (2^-52 in
    float64, 2^-23 in float32). Found by bisection over ``dt``'s values in [0, 1]."""
    ints = np.int32 if dt == np.float32 else np.int64

    def above(k: int) -> bool:
        z = np.array([k], ints).view(dt)
        if prob is not None:
            return bool(prob(z)[0] > 0.5)
        return bool(np.exp(-np.logaddexp(0.0, -z.astype(np.float64)))[0] > 0.5)

    lo, hi = 0, int(np.array(1.0, dt).view(ints))  # (z = 0: 0.5, not above; z = 1: above)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if above(mid) else (mid, hi)
    return np.array(lo, ints).view(dt)


def _above_half(g: _Graph, z: str, dt: np.dtype, prob: Any = None) -> str:
    """A boolean of ``z``'s shape: the logit z (of dtype ``dt``) is above
    :func:`_half_logit`, i.e. its probability, as the model's predict computes it
    (``prob``), is above 0.5: the label a binary or multi-label head reads."""
    return g.op(
        "Greater", [z, g.const("half_logit", _half_logit(dt, prob))], "z_above",
        doc="label: z > half_logit, the output layer's logit z whose probability is above 0.5 "
        "(as predict reads p > 0.5)",
    )  # fmt: skip


def _classifier_head(
    g: _Graph,
    p: str,
    dt: np.dtype,
    classes: np.ndarray,
    kind: str,
    label: str,
    proba: str,
    logits: tuple[str, np.dtype] | None = None,
    prob: Any = None,
) -> int:
    """From the network's output ``p`` to ``label`` and ``probabilities`` (skl2onnx's pair).

    kind: ``'single'`` (one class: probabilities a column of ones, as ``predict_proba``),
    ``'binary'`` (p: (N, 1), probabilities [1 - p, p], label of p > 0.5),
    ``'multiclass'`` (argmax; the first of ties, as NumPy) or ``'multilabel'``
    (label (N, K): 1 where p > 0.5). Returns the label's element type. ``logits``: the
    output layer's z (before its sigmoid or softmax) and its dtype, which the label is then
    read from, as a glassnet.sklearn classifier's predict reads it (from float64
    probabilities of z, which float32 ones can round to a tie or to 0.5): the argmax of
    float64 softmax probabilities of z (not argmax z: logits a few ulps apart are a tie
    there, the first class), or z above :func:`_half_logit` of ``prob`` (None: the
    estimator's probability; ``F.sigmoid_fn``: a network's own sigmoid, as a task's decode
    reads ``p > 0.5`` of it, whose float64 value rounds to 0.5 for 0 < z <= 2^-52, where
    onnxruntime's Sigmoid gives the next float above); None: from ``p``, as a task's
    decode reads it.
    """
    if logits is not None and kind in ("binary", "multilabel"):
        above = _above_half(g, logits[0], logits[1], prob)
    elif kind in ("binary", "multilabel"):  # (p > 0.5)
        above = g.op(
            "Greater", [p, g.const("half", np.array(0.5, dt))], "above_half",
            doc="label: p > 0.5, p the output layer's probability",
        )  # fmt: skip
    if kind == "single":  # one class: a column of ones, and that class for every row
        _probabilities(g, p, dt, proba, ones=True)
        return _label(g, kind, classes, label, p)
    _probabilities(g, p, dt, proba, two=kind == "binary")
    if kind in ("binary", "multilabel"):
        return _label(g, kind, classes, label, above)
    scores = proba
    if logits is not None:  # (predict's float64 probabilities: its ties, the first)
        z64 = g.op(
            "Cast", [logits[0]], "z_double", to=TensorProto.DOUBLE,
            doc="label: the output layer's logits z in float64 (predict's probabilities)",
        )  # fmt: skip
        scores = g.op(
            "Softmax", [z64], "probabilities_double", axis=1,
            doc="label: float64 probabilities softmax(z) = e^z / sum(e^z), read by the argmax",
        )  # fmt: skip
    return _label(g, kind, classes, label, scores)


def _probabilities(
    g: _Graph, p: str, dt: np.dtype, proba: str, two: bool = False, ones: bool = False
) -> None:
    """The ``probabilities`` output from ``p`` (N, k): [1 - p, p] (``two``: a binary
    output's one column), a column of ones (``ones``: one class, as ``predict_proba``), else
    ``p``."""
    if ones:
        col = g.const("ones", np.ones((1, 1), dt))
        rows = g.op("Shape", [p], "p_shape", doc="probabilities: the shape (N, 1) of p")
        g.op(
            "Expand", [col, rows], "probabilities", out=proba,
            doc="probabilities: 1 for every row (one class, as predict_proba)",
        )  # fmt: skip
    elif two:
        q = g.op(
            "Sub", [g.const("one", np.array(1.0, dt)), p], "one_minus_p",
            doc="probabilities: 1 - p, the first class's (p: the second class's)",
        )  # fmt: skip
        g.op(
            "Concat", [q, p], "probabilities", out=proba, axis=1,
            doc="probabilities = [1 - p, p], one column per class",
        )  # fmt: skip
    else:
        g.op(
            "Identity", [p], "probabilities", out=proba,
            doc="probabilities = p, the output layer's values (a column per class or label)",
        )  # fmt: skip


def _label(g: _Graph, kind: str, classes: np.ndarray, label: str, values: str) -> int:
    """The ``label`` output and its element type: for ``'multilabel'`` the int64 0/1 of
    ``values`` (a boolean (N, K): p > 0.5); for ``'binary'`` the class of ``values`` (a
    boolean (N, 1)); for ``'multiclass'`` the class of the argmax of ``values`` (the first
    of ties, as NumPy's); for ``'single'`` the one class (the argmax of one column is 0,
    NaN too; Shape's start/end would need opset 15, and skl2onnx's target_opset may be
    older)."""
    if kind == "multilabel":
        g.op(
            "Cast", [values], "label", out=label, to=TensorProto.INT64,
            doc="label = 1 where a label's probability is above 0.5, else 0 (int64)",
        )  # fmt: skip
        return TensorProto.INT64
    cls, elem = _classes_const(g, classes)
    if kind == "binary":
        flat = g.op(
            "Reshape", [values, g.const("flat", np.array([-1], np.int64))], "above_flat",
            doc="label: p > 0.5 as one value per row (N,)",
        )  # fmt: skip
        idx = g.op(
            "Cast", [flat], "class_index", to=TensorProto.INT64,
            doc="label: class index = 1 where p > 0.5, else 0",
        )  # fmt: skip
    else:
        idx = g.op(
            "ArgMax", [values], "class_index", axis=1, keepdims=0,
            doc="label: class index = argmax of the row's probabilities (the first of ties)",
        )  # fmt: skip
    g.op(
        "Gather", [cls, idx], "label", out=label, axis=0,
        doc=f"label = classes[class index], classes: {_names_text(classes)}",
    )  # fmt: skip
    return elem


# ================================================================ export


def export(
    model: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    opset: int = DEFAULT_OPSET,
    impute_from: str | os.PathLike[str] | None = None,
    task: Any = None,
    doc: str | None = None,
    verify: bool = True,
    input_shape: Sequence[int] | None = None,
    replace_any: bool = False,
) -> onnx.ModelProto:
    """Write ``model`` as an ONNX model (to ``path`` when given) and return it.

    Parameters
    ----------
    model : glassnet.nn.Module, fitted glassnet.sklearn estimator, or path of a model file
        (a Module of your own whose forward calls its Linear layers and activations in turn
        is read as that chain of layers: :func:`glassnet.chain.as_chain`)
        A network (``MLP``, ``Neuron``, ``Sequential`` of ``Linear`` layers and
        activations), an ``MLPClassifier``/``MLPRegressor``, or a ``.glassnet`` file
        (a file from ``glassnet train`` exports with its preprocessing and labels).
    path : str or PathLike, optional
        Where to write; written atomically (a temporary file, then a rename).
    opset : int
        The ``ai.onnx`` opset, from 17 to the installed onnx package's newest
        (default :data:`DEFAULT_OPSET`).
    impute_from : str or PathLike, optional
        For a ``glassnet train`` model trained with ``--impute``: the training CSV, from
        which the imputation statistics are recomputed exactly as training computed them
        (needed only while the model file does not store them).
    task : fitted glassnet.tasks.Task, optional
        For a network, or the file of one (``gn.save``; a ``glassnet train`` file knows its
        task, and refuses this): the task it was trained for (``infer_task(y)`` or
        ``get_task(...).fit(y)``). A classification task adds the outputs ``label``
        (``task.decode``) and ``probabilities`` (``task.proba``) in place of ``Y``; a
        regression task names the output ``variable``.
    doc : str, optional
        Your own description, put before glassnet's in the model's doc string.
    verify : bool
        Run the graph in onnxruntime on 64 random rows and compare it with glassnet's own
        predictions before anything is written (labels equal, values to 1e-5 relative in
        float32, 1e-12 in float64); the result is in the metadata ``glassnet.verified``.
    input_shape : sequence of int, optional
        For a network that starts with ``nn.Flatten()``: the shape of one input sample,
        e.g. ``(28, 28)``; the graph's input ``X`` is then declared ``(N, 28, 28)``.
        Without it, ``X`` is declared as rows, ``(N, inputs)``, which the ``Flatten`` leaves
        as they are (onnxruntime refuses inputs of another rank). A network without a
        leading ``Flatten`` takes rows: ``input_shape`` may only be ``(inputs,)``.
    replace_any : bool, default False
        An existing file at ``path`` that is not an ONNX model (a glassnet model file or
        checkpoint, a CSV file: data of yours) is refused unless this is True; an ONNX
        file, or an empty one, is replaced.

    Returns
    -------
    onnx.ModelProto
        Checked with ``onnx.checker`` (and shape inference) and, with ``verify``, in
        onnxruntime, before it is written.

    Raises
    ------
    OnnxError
        A model that has no ONNX form (NaN weights, an activation without an operator),
        or, with ``verify``, onnxruntime's outputs differ from glassnet's.
    ValueError, TypeError
        An argument of the wrong type or value (named).
    glassnet.io.ModelWriteError
        A ``path`` that cannot be written, as ``gn.save`` and ``save_model`` refuse it (a
        ValueError and an OSError): a file of yours in the way
        (``ModelFileExistsError``: a CSV file, a model file, the model's own file or the
        ``impute_from`` CSV), a directory (``ModelIsADirectoryError``), no permission.
    """
    opset = int(check_number(opset, "opset", "export", low=MIN_OPSET, integer=True))
    newest = onnx.defs.onnx_opset_version()
    if opset > newest:
        raise ValueError(
            f"The 'opset' parameter of export must be in [{MIN_OPSET}, {newest}] (the "
            f"installed onnx package's newest). Got {opset}."
        )
    verify = check_bool(verify, "verify", "export")
    if doc is not None and not isinstance(doc, str):
        raise TypeError(
            f"export: 'doc' must be a str (your description). Got {type(doc).__name__}."
        )
    try:  # (ONNX strings are UTF-8: a lone surrogate, as os.fsdecode gives for an undecodable
        # file name, raised protobuf's UnicodeEncodeError once the graph was built)
        _ = doc.encode("utf-8") if doc is not None else None
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"export: 'doc' cannot be written as UTF-8, as ONNX stores text: it holds "
            f"{doc[exc.start : exc.end]!r} at character {exc.start} (a lone surrogate, from an "
            "undecodable file name?); replace it, e.g. doc.encode('utf-8', "
            "'replace').decode()."
        ) from None
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"export: 'path' must be a str or os.PathLike (the file to write), or None to "
            f"write nothing. Got {type(path).__name__}."
        )
    if path is not None and not os.fspath(path):
        raise ValueError("export: 'path' is empty; give the file to write, e.g. 'model.onnx'.")
    if isinstance(model, (str, os.PathLike)) and not os.fspath(model):  # (Path('') is '.')
        raise ValueError("export: 'model' is an empty path; give the .glassnet file to export.")
    for name, source in (("model", model), ("impute_from", impute_from)):
        if path is not None and isinstance(source, (str, os.PathLike)) and os.fspath(source):
            if same_file(source, path):  # (links followed: the ONNX would replace the input)
                raise _write_refusal(
                    f"export: 'path' {os.fspath(path)!r} is the file of {name!r} "
                    f"({os.fspath(source)!r}); writing the ONNX model there would replace "
                    "it. Choose another path.",
                    path,
                )
    replace_any = check_bool(replace_any, "replace_any", "export")
    if path is not None and not replace_any:
        _not_replaced(path)
        wrong = misnamed(
            Path(path), "export: 'path'", NOT_ONNX, "export writes an ONNX model (binary)", ".onnx"
        )  # (as glassnet export refuses it)
        if wrong is not None:
            raise ValueError(f"{wrong} (or pass replace_any=True to write it under this name).")
    if input_shape is not None and not isinstance(model, Module):
        raise ValueError(
            "The 'input_shape' parameter of export applies to networks (glassnet.nn modules); "
            "an estimator or a model file takes rows of features."
        )
    if isinstance(model, (str, os.PathLike)):
        if os.fspath(model).endswith(("/", os.sep)) and Path(model).is_file():
            raise ModelFileError(
                f"export: '{os.fspath(model)}' ends in '/', so it names a directory, but "
                f"'{Path(model)}' is a file; give the file's path without the '/'."
            )
        proto = _export_file(Path(model), impute_from, task)
    elif impute_from is not None:
        raise ValueError(
            "The 'impute_from' parameter of export applies to model files written by "
            "'glassnet train'; a model object has no preprocessing."
        )
    elif task is not None and not isinstance(model, Module):
        raise ValueError(
            "The 'task' parameter of export applies to networks (glassnet.nn modules, or "
            "the file of one); an estimator knows its task."
        )
    elif isinstance(model, Module):  # (a Module of the user's own: its chain of layers)
        shape = None if input_shape is None else _sample_shape(input_shape)
        rows = None  # (a Module of your own is traced on samples of input_shape)
        if shape is not None:
            rows = np.random.default_rng(0).standard_normal((16, *shape))
            rows[8:] *= 1e3  # (as as_chain's own rows: pre-activations of both signs)
        try:
            network = as_chain(model, rows, owner="export", flatten=True)
        except ValueError as e:  # (the forward of a Module of your own, on those samples)
            if rows is None:
                raise
            raise ValueError(
                f"export: {type(model).__name__}'s forward does not take inputs of shape (N, "
                f"{', '.join(map(str, shape))}) (input_shape={shape}): {e}"
            ) from e
        proto = _export_network(network, task, shape)
    elif _is_estimator(model):
        proto = _export_estimator(model)
    else:
        kind = type(model)
        hint = ""
        if isinstance(model, Pipeline):  # (load_model's value for a 'glassnet train' file)
            hint = (
                " A Pipeline (a 'glassnet train' model, loaded) exports from its file, with its "
                "preprocessing and labels: export('model.glassnet', 'model.onnx') (or "
                "'glassnet export'); its network alone with export(pipeline.network)."
            )
        elif hasattr(model, "get_params") and hasattr(model, "fit"):  # scikit-learn's
            hint = (
                " A scikit-learn estimator or Pipeline converts with skl2onnx: "
                "skl2onnx.to_onnx(model, X[:1]), after glassnet.onnx.register_skl2onnx() "
                "when it holds a glassnet estimator or glassnet.preprocessing's "
                "StandardScaler or OneHotEncoder (registered too; other steps need "
                "skl2onnx's own converters)."
            )
        elif kind.__module__.split(".")[0] == "torch":  # (a PyTorch module or tensor)
            hint = (
                " A PyTorch model exports with torch.onnx.export(model, x, 'model.onnx'), "
                "which glassnet.onnx.load reads back when it is an MLP; or copy its weights "
                "into a glassnet network, glassnet.io.load_torch_state_dict(net, "
                "model.state_dict()), and export that."
            )
        raise TypeError(
            f"export: 'model' must be a glassnet network (glassnet.nn.MLP, Sequential, ...), "
            f"a fitted glassnet.sklearn estimator, or the path of a .glassnet file. Got "
            f"{kind.__module__}.{kind.__qualname__}.{hint}"
        )
    graph_doc, meta, graph, sample = proto
    description = graph_doc if doc is None else f"{doc}\n\n{graph_doc}"
    owner = f"export({type(model).__name__})" if _is_estimator(model) else "export"
    return _finish(graph, description, meta, opset, path, sample if verify else None, owner)


_KIND_NAMES = {
    "model": "a glassnet model file", "checkpoint": "a glassnet checkpoint",
    "arrays": "a glassnet arrays file", "safetensors": "a safetensors file",
    "text": "a text file (CSV or JSON?)", "binary": "a binary file that is no ONNX model",
}  # fmt: skip


def _not_replaced(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, to write over an existing file that is no ONNX model (a
    model file, a checkpoint, a CSV file): as glassnet's other writers and the command line
    refuse it."""
    kind = _in_the_way(path)
    if kind is not None:
        raise _write_refusal(
            f"export: 'path' {os.fspath(path)!r} exists and is {_KIND_NAMES[kind]}: writing "
            "the ONNX model would replace it. Choose another path or delete it (or pass "
            "replace_any=True to replace it).",
            path,
        )


def _in_the_way(path: str | os.PathLike[str]) -> str | None:
    """The :func:`~glassnet.io.file_kind` of the existing file at ``path`` that an export
    does not replace (any file but an empty one or an ONNX model), else None (no file, a
    directory, a dangling link, a path that cannot be read: the writer names those). The
    rule export refuses a path by, and :func:`_write_refusal` classes a failed write by,
    as gn.save's :func:`~glassnet.io.foreign_file` is for a glassnet file."""
    try:
        kind = file_kind(path)
    except (OSError, TypeError, ValueError):
        return None
    if kind == "empty":
        return None
    if kind in ("binary", "text"):
        try:
            proto = _read(path, "export", "path")[0]
        except (OSError, ValueError):
            proto = None
        if proto is not None and proto.ir_version > 0 and len(proto.opset_import) > 0:
            return None  # an ONNX model: replaced, as an export replaces its own earlier file
    return kind


def _write_refusal(
    message: str, path: str | os.PathLike[str], cause: BaseException | None = None
) -> ModelWriteError:
    """The glassnet.io.ModelWriteError that gn.save and save_model raise for ``path``
    (:func:`~glassnet.io.write_error`): a ModelFileExistsError for a file in the way
    (:func:`_in_the_way`: not for an ONNX model that cannot be written, nor for a dangling
    link), a ModelIsADirectoryError for a directory, else a plain ModelWriteError with the
    cause's errno."""
    return write_error(message, path, cause, _in_the_way(path) is not None)


def _finish(
    graph: onnx.GraphProto,
    description: str,
    meta: dict[str, Any],
    opset: int,
    path: str | os.PathLike[str] | None,
    sample: _Sample | _Unverifiable | None,
    owner: str = "export",
) -> onnx.ModelProto:
    from . import __version__

    uses_ml = any(n.domain == "ai.onnx.ml" for n in graph.node)
    imports = [helper.make_opsetid("", opset)]
    if uses_ml:
        imports.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    proto = helper.make_model(
        graph,
        opset_imports=imports,
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=description,
        # the IR version of the opset, so older runtimes read the file
        ir_version=helper.find_min_ir_version_for(imports),
    )
    meta = {"glassnet.version": __version__, **meta}
    helper.set_model_props(
        proto, {k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items()}
    )
    _check_bytes(proto, owner)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as exc:  # an internal error: glassnet wrote a graph onnx refuses
        raise OnnxError(f"export: the ONNX graph does not check: {exc}") from exc
    if isinstance(sample, _Unverifiable):
        raise OnnxError(
            f"export: the check in onnxruntime (verify=True) compares the graph's outputs with "
            f"glassnet's on {SAMPLE_ROWS} random rows of N(0, 1) features, and glassnet refused "
            f"its own outputs for them: {sample.why} The ONNX graph would give inf or NaN for "
            "such rows. Fix the weights (retrain: did training diverge?), or pass verify=False "
            "to write the graph unchecked."
        )
    if sample is not None:
        props = {p.key: p.value for p in proto.metadata_props}
        helper.set_model_props(proto, {**props, "glassnet.verified": _verify(proto, *sample)})
    if path is not None:
        if sample is not None:  # (its summary in the metadata)
            _check_bytes(proto, owner)
        try:
            atomic_write(path, proto.SerializeToString())
        except WriteError as exc:  # (a directory, no permission: as gn.save raises it)
            raise _write_refusal(f"{exc}{tilde_hint(path)}", path, exc.__cause__) from exc
    return proto


# inputs for onnxruntime, and glassnet's own outputs for them (in the graph's output order)
# and the network's dtype (which sets the tolerance)
_Sample = tuple[Any, ...]  # (feeds, expected, dtype[, the last layer's largest term])
SAMPLE_ROWS = 64


class _Unverifiable(NamedTuple):
    """In place of a :data:`_Sample`: glassnet's own prediction for the random rows was
    refused (``why``: its outputs overflow to inf or NaN, weights of 1e37), so there is
    nothing to compare with. Raised by :func:`_finish` only when the check is asked for:
    ``verify=False`` writes the graph (the prediction ran even then, and refused it)."""

    why: str


def _verify(
    proto: onnx.ModelProto,
    feeds_: dict[str, np.ndarray],
    expected: list,
    dt: np.dtype,
    terms: float = 0.0,
) -> str:
    """Run ``proto`` in onnxruntime on ``feeds_`` and compare with glassnet's ``expected``:
    labels equal (but for rows within 1e-4 of a decision boundary), values within
    ``rtol * (|y| + max(max |y|, terms))``, rtol 1e-5 in float32 and 1e-12 in float64 (the
    tolerance of tests/test_onnx.py, where the reason is written down; ``terms``: the
    largest term of the network's last layer, where outputs are sums of larger terms).
    Returns a summary."""
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ImportError(
            f"export(verify=True) runs the graph in onnxruntime ({e}): pip install "
            "'glassnet[onnx]', or pass verify=False."
        ) from e
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(None, feeds_)
    names = [o.name for o in sess.get_outputs()]
    worst = 0.0
    # a classifier's outputs are (label, probabilities): its labels (numbers too) are
    # compared exactly, but for rows whose probabilities sit at a decision boundary
    probs = np.asarray(expected[-1]) if len(expected) == 2 else None
    for i, (name, g, e) in enumerate(zip(names, got, expected, strict=True)):
        g, e = np.asarray(g), np.asarray(e)
        if e.dtype.kind == "b":  # boolean classes are int64 labels in the graph
            e = e.astype(np.int64)
        if g.shape != e.shape:
            raise OnnxError(
                f"export: onnxruntime's output {name!r} has shape {g.shape}, glassnet's "
                f"{e.shape}; the file was not written (a bug in glassnet.onnx: please report)."
            )
        label = probs is not None and i == 0
        if e.dtype.kind == "f" and g.dtype.kind == "f" and not label:
            rtol = 1e-5 if dt == np.float32 else 1e-12
            scale = max(float(np.abs(e).max(initial=0.0)), terms if name == names[-1] else 0.0)
            e64 = e.astype(np.float64)  # (in float32, 1e-300 would round to 0: 0/0 for zeros)
            err = np.abs(g.astype(np.float64) - e64) / (np.abs(e64) + scale + 1e-300)
            worst = max(worst, float(err.max(initial=0.0)))
            bad = ~(err <= rtol)
        else:
            bad = g.astype(str) != e.astype(str)
            if probs is not None:  # a label at a decision boundary may fall either way
                bad &= ~_ambiguous(probs, e.ndim)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise OnnxError(
                f"export: onnxruntime and glassnet disagree on output {name!r} at row {row} "
                f"of {len(g)} random rows ({g[row]!r} against {e[row]!r}); the file was not "
                "written (a bug in glassnet.onnx: please report it)."
            )
    labels = "labels equal, " if probs is not None else ""  # (a regressor has none)
    return (
        f"onnxruntime {ort.__version__}: {len(got[0])} random rows, {labels}values "
        f"within {worst:.1e} * (|y| + max |y|)"
    )


def _ambiguous(P: np.ndarray, label_ndim: int) -> np.ndarray:
    """Rows whose label depends on the last bits: a probability within 1e-4 of 0.5
    (multi-label) or two top probabilities within 2e-4."""
    P = P.reshape(len(P), -1)
    if label_ndim == 2 or P.shape[1] == 1:
        near = np.abs(P - 0.5) < 1e-4
        return near.any(axis=1, keepdims=label_ndim == 2) if label_ndim == 2 else near[:, 0]
    top = np.sort(P, axis=1)
    return top[:, -1] - top[:, -2] < 2e-4


def _quiet(fn: Any, *args: Any) -> Any:
    """glassnet's prediction for the sample, without the warnings of a model fitted on a
    DataFrame (named features) being given a plain array."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _value(name: str, elem: int, shape: Sequence[Any], doc: str) -> onnx.ValueInfoProto:
    info = helper.make_tensor_value_info(name, elem, list(shape))
    info.doc_string = doc
    return info


def _describe_layers(layers: list[Layer]) -> str:
    sizes = [layers[0].inputs] + [lay.neurons for lay in layers]
    acts = ", ".join(f"layer {i}: {lay.act}" for i, lay in enumerate(layers, 1))
    return f"{'-'.join(map(str, sizes))} network ({acts}), {layers[0].W.dtype}"


def _task_kind(task: Any, layers: list[Layer]) -> str | None:
    """``'binary'``, ``'multiclass'`` or ``'multilabel'`` for a fitted classification task
    that fits the network's head; None for a regression task."""
    name = getattr(task, "name", None)
    if not hasattr(task, "is_classifier") or name is None:
        raise TypeError(f"export: 'task' must be a glassnet.tasks.Task. Got {type(task).__name__}.")
    if not task.is_classifier:  # (checked against the network as a classifier's task is)
        head, k = layers[-1].act, int(task.n_outputs)
        if head != task.output_activation:
            given = task.output_activation
            fix = (
                f"pass {type(task).__name__}({head!r}).fit(y) (infer_task(y) gives an "
                "identity one), or leave out 'task'"
                if head in ("identity", "sigmoid", "tanh")
                else f"no regression task describes a {head} output layer: leave out 'task' "
                "(the file computes the network's outputs as they are)"
            )
            raise ValueError(
                f"export: 'task' is a {name} task of {'an' if given[0] in 'aeiou' else 'a'} "
                f"{given} output layer, but the network's output layer is {head}: {fix}."
            )
        if layers[-1].neurons != k:
            raise ValueError(
                f"export: 'task' is a {name} task of {k} outputs; the network has "
                f"{layers[-1].neurons}: fit the task on the targets the network was trained "
                "on (task.fit(y)), or leave out 'task'."
            )
        return None
    if getattr(task, "classes_", None) is None:
        raise ValueError(f"export: the {name} task is not fitted: call task.fit(y) first.")
    classes = np.asarray(task.classes_).reshape(-1)
    if name == "binary" and len(classes) != 2:  # (a task made from a config, not fitted)
        shown = ", ".join(repr(c) for c in classes[:5].tolist()) + (
            ", ..." if len(classes) > 5 else ""
        )
        one = (
            " (A classifier fitted on one class exports from glassnet.sklearn.MLPClassifier: "
            "that class for every row, probability 1, as its predict and predict_proba.)"
            if len(classes) == 1
            else ""
        )
        raise ValueError(
            f"export: 'task' is a binary task of {len(classes)} "
            f"class{'' if len(classes) == 1 else 'es'} ([{shown}]); a binary task needs "
            f"exactly 2 (its sigmoid output is the probability of the second): "
            + (
                "fit it on labels of both classes, get_task('binary').fit(y)."
                if len(classes) < 2
                else "for more classes use a multiclass task (softmax outputs, one per class), "
                "get_task('multiclass').fit(y)."
            )
            + one
        )
    head = layers[-1].act
    if head != task.output_activation:
        raise ValueError(
            f"export: a {name} task reads probabilities from a {task.output_activation} output "
            f"layer, but the network's output layer is {head}."
        )
    width = 1 if name == "binary" else len(task.classes_)
    if layers[-1].neurons != width:
        raise ValueError(
            f"export: a {name} task with {len(task.classes_)} classes needs {width} outputs; "
            f"the network has {layers[-1].neurons}."
        )
    return str(name)


def _sample_shape(input_shape: Any) -> tuple[int, ...]:
    """``export``'s ``input_shape``: the shape of one sample, positive ints."""
    fix = "give the shape of one sample, e.g. input_shape=(28, 28) for (N, 28, 28) inputs"
    if isinstance(input_shape, np.ndarray) and input_shape.ndim == 1:  # (its ints, as a tuple)
        input_shape = tuple(v.item() if v.dtype.kind in "iu" else v for v in input_shape)
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise TypeError(
            f"export: 'input_shape' must be a tuple of ints; {fix}. Got "
            f"{type(input_shape).__name__}."
        )
    dims = tuple(input_shape)
    if not dims or not all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims
    ):
        raise ValueError(f"export: 'input_shape' must hold positive ints; {fix}. Got {dims!r}.")
    return tuple(int(d) for d in dims)


def _flattened(model: Module, shape: tuple[int, ...] | None) -> tuple[Module, bool]:
    """``model`` without its ``nn.Flatten`` modules, and whether one flattens the input.

    ``shape``: one input sample's shape (None: a row of the first layer's inputs). The
    ``Flatten`` modules before the first ``Linear`` must make such samples rows (N,
    features): the graph's ONNX ``Flatten`` at axis 1 does. After a ``Linear`` the rows
    are (N, k): a ``Flatten`` of one axis is a no-op there, and is dropped; one that
    merges the rows is refused."""
    modules = list(opened(model))
    first = next((i for i, m in enumerate(modules) if isinstance(m, Linear)), None)
    if first is None or not any(isinstance(m, Flatten) for m in modules):
        return model, False  # (no Linear: layers_of says so)
    lead = [m for m in modules[:first] if isinstance(m, Flatten)]
    width = modules[first].inputs
    given = shape is not None
    shown = ", ".join(map(str, shape if given else (width,)))
    now = (1, *(shape if given else (width,)))  # the sample through the Flattens before it
    for m in lead:
        n = len(now)
        s, e = m.start_dim + n * (m.start_dim < 0), m.end_dim + n * (m.end_dim < 0) + 1
        if not 0 <= s < e <= n:
            raise ValueError(f"export: {m!r} does not apply to inputs of shape (N, {shown}).")
        now = now[:s] + (int(np.prod(now[s:e])),) + now[e:]
    if len(now) != 2 or now[0] != 1:
        rows = "(N, " + ", ".join(map(str, now[1:])) + ")" if now[0] == 1 else f"{now}"
        raise ValueError(
            f"export: inputs of shape (N, {shown}) reach the first Linear layer as {rows}, not "
            "as rows (N, features): nn.Flatten() (start_dim=1, end_dim=-1) flattens each sample"
            f"{'' if given else '; pass input_shape=, the shape of one sample'}."
        )
    if now[1] != width:
        raise ValueError(
            f"export: inputs of shape (N, {shown}) (input_shape={shape}) flatten to rows of "
            f"{now[1]} features, but the first Linear layer takes {width} (input_shape is the "
            "shape of one sample)."
        )
    for m in modules[first:]:
        if isinstance(m, Flatten):  # on rows (N, k): a no-op when it merges one axis only
            s, e = (d + 2 * (d < 0) for d in (m.start_dim, m.end_dim))
            if not (0 <= s == e <= 1):
                raise ValueError(
                    f"export: {m!r} after a Linear layer merges the rows (N, k) into one "
                    "vector; glassnet exports networks whose layers take rows (N, features)."
                )
    return Sequential(*(m for m in modules if not isinstance(m, Flatten))), bool(lead)


def _export_network(
    model: Module, task: Any = None, shape: tuple[int, ...] | None = None
) -> tuple[str, dict[str, Any], onnx.GraphProto]:
    inner, lead = _flattened(model, shape)
    layers = _network_layers(inner, "export")
    dt = layers[0].W.dtype
    d, k = layers[0].inputs, layers[-1].neurons
    if not lead and shape is not None and shape != (d,):
        fix = (  # (a Linear on the last axis of (N, ..., d) is not exported: say so)
            "needs an nn.Flatten() before its first Linear layer (or pass input_shape=None)"
            if int(np.prod(shape)) == d
            else f"is not exported: the export takes rows (N, {d}) only (a Linear applied to "
            f"the last axis of (N, ..., {d}) is not); pass input_shape=None, or ({d},)"
            if shape[-1:] == (d,)
            else f"does not fit it (input_shape is the shape of one sample: ({d},))"
        )
        raise ValueError(
            f"export: the network takes rows of {d} features; input_shape={shape} {fix}."
        )
    x = "X"
    reserved = ("X", "X_rows")
    if lead:  # nn.Flatten: (N, d1, d2, ...) to rows (N, d1 * d2 * ...), ONNX's Flatten
        x = "X_rows"
        flat_doc = f"nn.Flatten: each sample (N, d1, d2, ...) as a row (N, {d}), C order"
    kind = None if task is None else _task_kind(task, layers)
    if kind is not None:  # a classifier: labels and probabilities, as skl2onnx writes them
        g = _Graph(reserved=(*reserved, "label", "probabilities"))
        if lead:
            g.op("Flatten", ["X"], "X_rows", out=x, axis=1, doc=flat_doc)
        z: list[str] = []
        out = _network(g, layers, x, z=z)
        classes = np.asarray(task.classes_)
        # (binary, multi-label: the label of z against the logit task.decode reads as 0.5)
        logits = (z[0], dt) if kind in ("binary", "multilabel") else None
        elem = _classifier_head(
            g, out, dt, classes, kind, "label", "probabilities", logits, F.sigmoid_fn
        )
        c = len(classes)
        outs = [
            _value("label", elem, ["N", c] if kind == "multilabel" else ["N"],
                   f"task.decode: predicted labels ({kind})"),
            _value("probabilities", _FLOATS[dt], ["N", c], "task.proba: class probabilities"),
        ]  # fmt: skip
    else:
        name = "Y" if task is None else "variable"
        g = _Graph(reserved=(*reserved, name))
        if lead:
            g.op("Flatten", ["X"], "X_rows", out=x, axis=1, doc=flat_doc)
        _network(g, layers, x, out=name)
        outs = [_value(name, _FLOATS[dt], ["N", k], f"the network's outputs A_L: (N, {k}), {dt}")]
    what = f"glassnet {type(model).__name__}: {_describe_layers(layers)}"
    if lead:
        what += "; its nn.Flatten makes each input sample a row"
    if task is not None:
        what += f"; task {task.name}"
    x_info = _value("X", _FLOATS[dt], ["N", d], f"inputs: N rows of {d} features, {dt}")
    if lead and shape is not None:  # (without input_shape: rows, which Flatten keeps)
        dims = ", ".join(map(str, shape))
        x_info = _value("X", _FLOATS[dt], ["N", *shape], f"inputs: N samples ({dims}), {dt}")
    graph = helper.make_graph(
        g.nodes, f"glassnet_{type(model).__name__}", [x_info], outs, g.inits, doc_string=what
    )
    meta: dict[str, Any] = {"glassnet.kind": "network"}
    if task is not None:
        meta["glassnet.task"] = task.name
        if kind is not None:
            meta["glassnet.classes"] = [str(c) for c in classes.tolist()]
    rows = (SAMPLE_ROWS, *shape) if lead and shape is not None else (SAMPLE_ROWS, d)
    X = np.random.default_rng(0).normal(size=rows).astype(dt)
    try:
        meta["glassnet.config"] = model.config()
    except NotImplementedError:
        pass
    try:
        out = model.predict(X)  # (the model itself: its Flatten runs too)
    except ValueError as exc:  # (outputs of inf or NaN: "the network's arithmetic overflows")
        return what, meta, graph, _Unverifiable(str(exc))
    expected = [task.decode(out), task.proba(out)] if kind is not None else [out]
    # the size of the last layer's terms, |A| |W| + |b|: an output near 0 that sums large
    # terms of both signs is off by a rounding of the terms in onnxruntime's order, not of
    # its value (all 64 outputs near 0.003, from terms near 0.5, were refused in float32)
    A = X.reshape(len(X), -1)
    if len(layers) > 1:
        A = FastMLP(layers[:-1], "mse").trace(A, finite=False, jacobians=False).layers[-1]["A"]
    last = layers[-1].linear
    terms = np.abs(A) @ np.abs(last.W.data) + (0 if last.b is None else np.abs(last.b.data))
    scale = float(np.nanmax(terms, initial=0.0)) if kind is None else 0.0  # (values alone)
    return what, meta, graph, ({"X": X}, expected, dt, scale)


# ---------------------------------------------------------------- the estimators


def _is_estimator(model: Any) -> bool:
    try:
        from .sklearn import MLPClassifier, MLPRegressor
    except ImportError:  # without scikit-learn there are no glassnet estimators
        return False
    return isinstance(model, (MLPClassifier, MLPRegressor))


def _estimator_parts(est: Any) -> tuple[list[Layer], str, np.ndarray | None, str]:
    """A fitted estimator's layers, kind, classes and head.

    kind: a classifier's labels, from the labels it was fitted on (``'single'``,
    ``'binary'``, ``'multiclass'`` or ``'multilabel'``), or ``'regression'``. head: its
    ``out_activation_`` now, which predict and predict_proba apply to the output layer's z
    (a classifier's ``'identity'``, set by hand, makes predict_proba return z, the logits,
    as scikit-learn's); one they do not apply is refused here, naming it."""
    from sklearn.base import is_classifier
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)  # sklearn's NotFittedError: "This MLPClassifier instance is not fitted"
    layers = _network_layers(est.model_, f"export({type(est).__name__})")
    if is_classifier(est):
        head = est._proba_head()  # (a ValueError naming out_activation_ for another)
        y_type = est._label_binarizer.y_type_
        if y_type == "multilabel-indicator":
            kind = "multilabel"
        elif len(est.classes_) == 1:
            kind = "single"
        else:
            kind = "multiclass" if y_type == "multiclass" else "binary"
        return layers, kind, np.asarray(est.classes_), head
    head = est.out_activation_
    if not (isinstance(head, str) and head in _REGRESSOR_HEADS):
        raise ValueError(
            f"export({type(est).__name__}): out_activation_={head!r} is not an output "
            f"activation glassnet exports: one of {sorted(_REGRESSOR_HEADS)} ('exp': "
            "loss='poisson'). Set out_activation_ back to the one fit set, "
            f"{'exp' if est.loss == 'poisson' else est.output_activation!r}."
        )
    return layers, "regression", None, head


#: A regressor's out_activation_ and the ONNX operator that applies it to z.
_REGRESSOR_HEADS = {
    "identity": None, "logistic": "Sigmoid", "sigmoid": "Sigmoid", "tanh": "Tanh",
    "softmax": "Softmax", "exp": "Exp", "relu": "Relu", "leaky_relu": "LeakyRelu",
}  # fmt: skip
#: The slope of predict's 'leaky_relu' head (glassnet's activation table's default).
_HEAD_SLOPE = 0.01


def _proba_width(est: Any) -> int:
    """The number of columns of a classifier's predict_proba (as its ``_proba_and_log``):
    [1 - z, z] or [1 - p, p] for a binary output, one column of ones for one class (or
    of z, with the identity head), else one per output."""
    head = est._proba_head()
    k = est.n_outputs_
    c = len(est.classes_)
    if head == "identity":
        return 2 if k == 1 and c == 2 else k
    if c == 1:
        return 1
    if head != "softmax" and k == 1 and est._label_binarizer.y_type_ != "multilabel-indicator":
        return 2
    return k


def _fitted_head(kind: str, head: str, act: str) -> bool:
    """Whether the network's own output activation ``act`` is what predict_proba applies:
    the graph is then written as for any classifier (:func:`_classifier_head`)."""
    if kind == "single":
        return head != "identity"  # (ones, whatever the activation)
    return (head, act) in (("softmax", "softmax"), ("logistic", "sigmoid")) and (
        (kind == "multiclass") == (head == "softmax")
    )


def _head_as_set(
    g: _Graph,
    z: str,
    dt: np.dtype,
    classes: np.ndarray,
    kind: str,
    head: str,
    width: int,
    label: str,
    proba: str,
) -> int:
    """A classifier's ``label`` and ``probabilities`` from its output layer's ``z`` (in
    ``dt``, the outputs' dtype) when ``out_activation_`` is not the head it was fitted
    with: as its predict_proba (the activation ``head`` of z; ``'identity'``: z itself,
    [1 - z, z] for a binary output, the logits as scikit-learn returns them) and its predict
    (scikit-learn's LabelBinarizer reading those numbers: the argmax for multi-class, > 0.5
    for binary and multi-label, the class for one class). Returns the label's type."""
    if head == "identity":  # (predict reads the labels from z itself, as predict_proba)
        _probabilities(g, z, dt, proba, two=width == 2 and kind == "binary")
        if kind in ("binary", "multilabel"):
            above = g.op(
                "Greater", [z, g.const("half", np.array(0.5, dt))], "above_half",
                doc="label: z > 0.5 (out_activation_='identity': predict reads z itself)",
            )  # fmt: skip
            return _label(g, kind, classes, label, above)
        return _label(g, kind, classes, label, z)
    if kind == "single":
        _probabilities(g, z, dt, proba, ones=True)
        return _label(g, kind, classes, label, z)
    op = "Softmax" if head == "softmax" else "Sigmoid"
    kw: dict[str, Any] = {"axis": 1} if op == "Softmax" else {}
    formula = "e^z / sum(e^z)" if op == "Softmax" else "1 / (1 + e^-z)"
    p = g.op(op, [z], "p", doc=f"out_activation_={head!r}: p = {formula}", **kw)
    _probabilities(g, p, dt, proba, two=width == 2 and kind == "binary")  # (logistic: [1-p, p])
    # predict reads float64 probabilities (its ties and its 0.5, not those of dt), from
    # log-probabilities of z as its _proba_and_log computes them
    z64 = g.op(
        "Cast", [z], "z_double", to=TensorProto.DOUBLE,
        doc="label: the output layer's logits z in float64 (predict's probabilities)",
    )  # fmt: skip
    log_p = _log_probabilities(g, z64, head)
    if kind in ("multilabel", "binary"):  # (p > 0.5: log p above predict's own bound;
        # softmax of a binary output's one column: 1, the second class)
        above = g.op(
            "Greater", [log_p, g.const("half_log", _half_log())], "above_half",
            doc="label: log p > half_log, i.e. p > 0.5 as predict reads it",
        )  # fmt: skip
        return _label(g, kind, classes, label, above)
    # multi-class 'logistic': the argmax of p, its ties the first, as predict's
    low = g.op(
        "LessOrEqual", [log_p, g.const("log_tiny", np.array(_LOG_TINY))], "low",
        doc="label: log p <= log_tiny, the floor of predict_log_proba",
    )  # fmt: skip
    tiny = g.const("tiny", np.array(np.finfo(np.float64).tiny))
    exp = g.op("Exp", [log_p], "p_exp", doc="label: p = e^(log p) in float64")
    values = g.op(
        "Where", [low, tiny, exp], "p_double",
        doc="label: p = tiny where log p is at the floor, else e^(log p)",
    )  # fmt: skip
    return _label(g, kind, classes, label, values)


#: predict_log_proba's floor, log of the smallest normal float64 (MLPClassifier's).
_LOG_TINY = float(np.log(np.finfo(np.float64).tiny))


def _log_probabilities(g: _Graph, z64: str, head: str) -> str:
    """A classifier's float64 log-probabilities of its logits ``z64`` as its
    ``_proba_and_log`` computes them, before their floor: ``'softmax'``: z - max(z) -
    log(sum(e^(z - max(z)))) (LogSoftmax); ``'logistic'``: -log(1 + e^-z) written as
    NumPy's ``-logaddexp(0, -z)``, min(z, 0) - log1p(e^-|z|), with log1p(u) accurate for
    tiny u (``u log(w) / (w - 1)``, w = 1 + u; Sigmoid's 1 / (1 + e^-z) rounds 1 + e^-z,
    which decided near-tied rows otherwise than predict)."""
    if head == "softmax":
        return g.op(
            "LogSoftmax", [z64], "log_p", axis=1,
            doc="label: log p = z - max(z) - log(sum(e^(z - max(z)))), in float64",
        )  # fmt: skip
    one, zero = g.const("one_double", np.array(1.0)), g.const("zero_double", np.array(0.0))
    abs_z = g.op("Abs", [z64], "abs_z", doc="label: |z| (log p = log sigmoid(z))")
    neg = g.op("Neg", [abs_z], "minus_abs_z", doc="label: -|z|")
    u = g.op("Exp", [neg], "u", doc="label: u = e^-|z|")
    w = g.op("Add", [one, u], "one_plus_u", doc="label: w = 1 + u")
    w1 = g.op("Sub", [w, one], "w_minus_one", doc="label: w - 1 (u, rounded)")
    exact = g.op("Equal", [w1, zero], "u_below_ulp", doc="label: w - 1 == 0 (u below 1's ulp)")
    safe = g.op("Where", [exact, u, w1], "w_minus_one_safe", doc="label: w - 1, or u where it is 0")
    ratio = g.op("Div", [u, safe], "ratio", doc="label: u / (w - 1)")
    log_w = g.op("Log", [w], "log_w", doc="label: log w")
    log1p = g.op(
        "Mul", [log_w, ratio], "log1p_accurate", doc="label: log1p(u) = log(w) u / (w - 1)"
    )
    log1p = g.op(
        "Where", [exact, u, log1p], "log1p_u", doc="label: log1p(u), u itself where w - 1 is 0"
    )
    low = g.op("Min", [z64, zero], "min_z_0", doc="label: min(z, 0)")
    return g.op(
        "Sub", [low, log1p], "log_p", doc="label: log p = min(z, 0) - log1p(e^-|z|), float64"
    )


def _half_log() -> np.ndarray:
    """The largest float64 log-probability L whose probability ``exp(L)`` is 0.5 or less
    (near log 0.5; NumPy's exp, as predict reads p > 0.5 from exp of its L)."""
    L = np.log(np.float64(0.5))
    with np.errstate(all="ignore"):
        while np.exp(np.nextafter(L, 0.0)) <= 0.5:
            L = np.nextafter(L, 0.0)
        while np.exp(L) > 0.5:
            L = np.nextafter(L, -np.inf)
    return np.array(L, np.float64)


def _json_param(value: Any) -> Any:
    """An estimator parameter as a JSON value for ``glassnet.params``: numbers (NumPy's as
    Python's; inf and NaN as the texts 'inf', '-inf', 'nan'), strings, bools and None as
    they are, tuples, lists and arrays as lists, dicts with text keys; anything else (a
    RandomState, a callback) as a description that is the same in every process, with no
    memory address: ``'<RandomState>'``, ``'<function module.name>'``."""
    if isinstance(value, np.floating):  # (its shortest text: float32 0.001 as 0.001)
        value = float(str(value))
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else str(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_json_param(v) for v in value]
    if isinstance(value, dict):
        return {str(_json_param(k)): _json_param(v) for k, v in value.items()}
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, type) or inspect.isroutine(value):
        kind = "class" if isinstance(value, type) else "function"
        where = getattr(value, "__module__", None)
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "?")
        return f"<{kind} {where}.{name}>" if where else f"<{kind} {name}>"
    return f"<{type(value).__name__}>"


def _estimator_graph(
    g: _Graph,
    est: Any,
    x: str,
    outputs: Sequence[str],
    in_dtype: np.dtype,
    out_dtype: np.dtype,
    labels: np.ndarray | None = None,
) -> int:
    """The estimator's nodes from input ``x`` to ``outputs``; returns the label's type.
    ``labels``: what the label output holds instead of ``classes_`` (skl2onnx's types)."""
    import dataclasses

    layers, kind, classes, head = _estimator_parts(est)
    dt = layers[0].W.dtype
    if in_dtype != dt:
        x = g.op("Cast", [x], "X_cast", to=_FLOATS[dt], doc=f"X in {dt}, the network's dtype")
    own = layers[-1].act
    if kind == "regression":
        fitted = _REGRESSOR_HEADS[head] == _ONNX_ACT.get(own) or (head, own) == ("exp", "identity")
        fitted &= head != "leaky_relu" or float(layers[-1].alpha) == _HEAD_SLOPE
    else:
        fitted = _fitted_head(kind, head, own)
    if not fitted:  # (predict applies out_activation_ to z, not the network's own activation)
        # (a relu or leaky_relu head: the output layer's own, as _network writes them,
        # with predict's slope)
        act = head if kind == "regression" and head in ("relu", "leaky_relu") else "identity"
        slope = _HEAD_SLOPE if act == "leaky_relu" else 0.0
        layers = [*layers[:-1], dataclasses.replace(layers[-1], act=act, alpha=slope)]
    z: list[str] = []  # (the output layer's logits: a classifier's labels are read from them)
    out = _network(g, layers, x, z=z)
    if kind == "regression":
        if head == "exp":
            out = g.op("Exp", [out], "mu", doc="loss='poisson': mu = e^z")
        elif not fitted and head not in ("relu", "leaky_relu") and _REGRESSOR_HEADS[head]:
            kw: dict[str, Any] = {"axis": 1} if head == "softmax" else {}
            out = g.op(_REGRESSOR_HEADS[head], [out], "head", doc=f"out_activation_={head!r}", **kw)
        if out_dtype != dt:
            out = g.op(
                "Cast", [out], "out_cast", to=_FLOATS[out_dtype], doc=f"outputs in {out_dtype}"
            )
        g.op(
            "Identity", [out], "variable", out=outputs[0],
            doc="variable = the output layer's A, as predict (N, outputs)",
        )  # fmt: skip
        return TensorProto.UNDEFINED
    assert classes is not None
    if labels is not None:
        classes = labels
    if not fitted:
        zo = z[0] if out_dtype == dt else g.op(
            "Cast", [z[0]], "z_cast", to=_FLOATS[out_dtype],
            doc=f"the output layer's logits z in {out_dtype}",
        )  # fmt: skip
        width = _proba_width(est)
        return _head_as_set(g, zo, out_dtype, classes, kind, head, width, *outputs[:2])
    if out_dtype != dt:
        out = g.op("Cast", [out], "out_cast", to=_FLOATS[out_dtype], doc=f"outputs in {out_dtype}")
    return _classifier_head(
        g, out, out_dtype, classes, kind, outputs[0], outputs[1], logits=(z[0], dt)
    )


def _export_estimator(est: Any) -> tuple[str, dict[str, Any], onnx.GraphProto]:
    layers, kind, classes, _ = _estimator_parts(est)
    dt = layers[0].W.dtype
    d = layers[0].inputs
    name = type(est).__name__
    outputs = ["variable"] if kind == "regression" else ["label", "probabilities"]
    g = _Graph(reserved=("X", *outputs))
    elem = _estimator_graph(g, est, "X", outputs, dt, dt)
    k = est.n_outputs_
    what = f"glassnet.sklearn.{name} ({kind}): {_describe_layers(layers)}"
    if kind == "regression":
        head = "e^z (loss='poisson')" if est.out_activation_ == "exp" else est.out_activation_
        outs = [_value("variable", _FLOATS[dt], ["N", k], f"predictions (N, {k}); head {head}")]
    else:
        assert classes is not None
        c = len(classes)
        shown = ", ".join(map(str, classes[:20].tolist())) + (" ..." if c > 20 else "")
        label_shape = ["N", c] if kind == "multilabel" else ["N"]
        head = est.out_activation_
        what += f"; out_activation_={head!r}"
        proba_doc = "class probabilities, classes_ order"
        if head == "identity":  # (set by hand: predict_proba returns the logits)
            proba_doc = "predict_proba with out_activation_='identity': the logits z"
            proba_doc += " as [1 - z, z]" if _proba_width(est) == 2 and kind == "binary" else ""
        outs = [
            _value("label", elem, label_shape, f"predicted labels ({kind}); classes: {shown}"),
            _value("probabilities", _FLOATS[dt], ["N", _proba_width(est)], proba_doc),
        ]
    x_doc = f"features: N rows of {d}, {dt}"
    names = getattr(est, "feature_names_in_", None)  # fitted on a DataFrame: its columns
    if names is not None:
        text = _utf8_labels(names, f"export({name})", "feature name")
        x_doc += f"; columns in this order: {', '.join(text)}"
    graph = helper.make_graph(
        g.nodes,
        f"glassnet_{name}",
        [_value("X", _FLOATS[dt], ["N", d], x_doc)],
        outs,
        g.inits,
        doc_string=what,
    )
    meta = {
        "glassnet.kind": name,
        "glassnet.task": kind,
        "glassnet.params": {k: _json_param(v) for k, v in est.get_params(deep=False).items()},
    }
    if classes is not None:
        meta["glassnet.classes"] = [str(c) for c in classes.tolist()]
    if names is not None:
        meta["glassnet.feature_names"] = [str(c) for c in names]
    X = np.random.default_rng(0).normal(size=(SAMPLE_ROWS, d)).astype(dt)
    try:
        if kind == "regression":
            expected = [_quiet(est.predict, X).reshape(SAMPLE_ROWS, -1)]
        else:
            expected = [_quiet(est.predict, X), _quiet(est.predict_proba, X)]
    except ValueError as exc:  # (outputs of inf or NaN, as for a network)
        return what, meta, graph, _Unverifiable(str(exc))
    return what, meta, graph, ({"X": X}, expected, dt)


# ---------------------------------------------------------------- model files


def _export_file(
    path: Path, impute_from: Any, task: Any = None
) -> tuple[str, dict[str, Any], onnx.GraphProto]:
    if path.is_dir():
        raise IsADirectoryError(f"export: '{path}' is a directory, not a model file.")
    if not path.exists():
        raise FileNotFoundError(f"export: no such model file '{path}'.")
    # (a named pipe or a device: load_model refuses it, naming it.) A 'glassnet train' file
    # gives its Pipeline, its description checked as predict checks it: a newer format, or
    # a malformed one, is a ModelFileError saying so
    loaded = load_model(path)
    if not isinstance(loaded, Pipeline):
        if impute_from is not None:
            raise ValueError(
                f"export: '{path}' holds a network without preprocessing (not from "
                "'glassnet train'); 'impute_from' does not apply."
            )
        try:  # (a network of the file's without an ONNX form: the file's fault, not a type's)
            _network_layers(_flattened(loaded, None)[0], "export", in_file=True)
        except TypeError as exc:  # (glassnet export said "internal error" for it)
            raise OnnxError(f"{exc} (The network of '{path}'.)") from None
        return _export_network(loaded, task)  # (a bare network: the task, as for the object)
    if task is not None:  # (the file stores its task, a classifier's labels, its preprocessing)
        name = loaded.task.name
        what = (
            f"its task ({name}) and its labels, and exports with them"
            if loaded.task.is_classifier
            else f"its task ({name}), and exports with it"
        )
        raise ValueError(
            f"The 'task' parameter of export does not apply to '{path}': a model file from "
            f"'glassnet train' knows {what}; leave out task=."
        )
    return _export_cli_model(path, loaded, impute_from)


def _variants(token: str) -> list[str]:
    """Every upper/lower-case spelling of ``token`` (the reader ignores case)."""
    options = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in token]
    return sorted({"".join(p) for p in itertools.product(*options)})


#: The most letters of a missing-cell text that an export spells out in every case.
MAX_MISSING_LETTERS = 12


def _model_missing(meta: dict[str, Any], where: str) -> frozenset[str]:
    """The cell texts a ``glassnet train`` model reads as missing (its description's
    ``preprocessing.missing``; the default set for a file written before it was stored)."""
    prep = meta.get("preprocessing")
    stored = prep.get("missing") if isinstance(prep, dict) else None
    try:
        return missing_tokens(stored, where)  # (None: the default set)
    except TypeError as exc:
        raise OnnxError(f"{where}: the model description is malformed ({exc}).") from None


def _fills_from_csv(
    source: Any,
    pre: Preprocessor,
    mode: str,
    targets: list[str],
    categorical: list[str],
    missing: frozenset[str] = MISSING_TOKENS,
    decimal: str = ".",
) -> dict[str, Any]:
    """Recompute the training run's imputation statistics from its CSV, as
    ``glassnet.datasets.Table`` computed them (``missing``: the texts it read as missing;
    ``decimal``: the decimal mark its numbers were read with, train's --decimal):
    the mean or median of a number column's finite cells, the most frequent value of a
    text column (ties: the first sorted)."""
    from .datasets import read_csv

    table = read_csv(
        source,
        target=targets[0] if len(targets) == 1 else None,
        impute=mode,
        categorical=categorical,
        missing=missing,
        decimal=decimal,
        dot_thousands="decimal",  # (the statistics of the file as trained on: warned of there)
    )
    assert pre.columns_ is not None and pre.kinds_ is not None
    missing = [c for c in pre.columns_ if c not in table.names]
    if missing:
        raise ValueError(
            f"export: 'impute_from' {str(source)!r} lacks the model's column(s) {missing}; "
            "pass the CSV the model was trained on."
        )
    row_of = {int(line): r for r, line in enumerate(table.line_numbers)}
    fills: dict[str, Any] = {}
    for c in pre.columns_:
        keep = np.ones(table.n_rows, bool)
        keep[[row_of[line] for line in table.imputed.get(c, ())]] = False
        if pre.kinds_[c] == "numeric":
            good = table.numbers(c)[keep]
            fills[c] = float(np.mean(good) if mode == "mean" else np.median(good))
        else:
            counts = Counter(table.strings(c)[keep].tolist())
            top = max(counts.values())
            fills[c] = min(v for v, n in counts.items() if n == top)
    return fills


def _cli_fills(
    meta: dict[str, Any], pre: Preprocessor, impute_from: Any, path: Path
) -> dict[str, Any] | None:
    """The imputation value of each feature column, or None (trained without --impute)."""
    prep = meta.get("preprocessing", {})
    mode = prep.get("impute")
    stored = prep.get("imputation")
    if mode is None and stored is None:
        if impute_from is not None:
            raise ValueError(
                f"export: '{path}' was trained without --impute, so it has no imputation to "
                "export; leave out 'impute_from'."
            )
        return None
    fill = getattr(pre, "fill_", None) or {}
    own = None  # the statistics the file stores
    if isinstance(stored, dict):
        own = {str(k): v for k, v in stored.items()}
    elif pre.columns_ and all(c in fill for c in pre.columns_):
        own = dict(fill)  # the training run's own values, one for every column
    if own is not None and impute_from is None:
        return own
    if impute_from is None:
        raise ValueError(
            f"export: '{path}' was trained with --impute {mode} but its file does not store "
            f"the training statistics. Pass the training CSV (impute_from=..., or "
            f"--impute-from on the command line) to recompute them exactly."
        )
    training = meta.get("training", {})
    fills = _fills_from_csv(
        impute_from, pre, mode, list(meta["target"]["names"]),
        list(training.get("categorical", [])), _model_missing(meta, f"export: '{path}'"),
        _model_decimal(meta, f"export: '{path}'"),
    )  # fmt: skip
    if own is not None:  # (the file's own: the CSV may only confirm them)
        _same_fills(own, fills, impute_from, path)
        return own
    return fills


def _same_fills(own: dict[str, Any], fills: dict[str, Any], source: Any, path: Path) -> None:
    """Refuse an 'impute_from' CSV whose statistics differ from those the model file
    stores: the ONNX file would fill missing cells otherwise than glassnet predict does."""

    def differ(a: Any, b: Any) -> bool:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return not bool(np.isclose(float(a), float(b), rtol=1e-9, atol=0.0, equal_nan=True))
        return str(a) != str(b)

    diff = [c for c in own if c in fills and differ(own[c], fills[c])]
    if diff:
        shown = "; ".join(f"{c!r}: {fills[c]!r} against {own[c]!r}" for c in diff[:5])
        raise ValueError(
            f"export: '{path}' stores the imputation statistics of its training run, and "
            f"'impute_from' (--impute-from) {str(source)!r} gives others ({shown}); the ONNX "
            "file would fill missing cells otherwise than glassnet predict does. Leave out "
            "'impute_from' to export the stored statistics (--impute-from is for model files "
            "that do not store them)."
        )


def _model_decimal(meta: dict[str, Any], where: str) -> str:
    """The decimal mark a ``glassnet train`` model's training data was read with (its
    description's ``training.decimal``; '.' for a file written before it was stored)."""
    training = meta.get("training")
    stored = training.get("decimal") if isinstance(training, dict) else None
    if stored is None:
        return "."
    try:
        return check_decimal(stored, "the model")
    except ValueError:
        raise OnnxError(
            f"{where}: the model description is malformed (training.decimal must be the one "
            f"character its training data's numbers were read with, such as ','; got "
            f"{stored!r:.60})."
        ) from None


def _export_cli_model(
    path: Path, pipe: Pipeline, impute_from: Any
) -> tuple[str, dict[str, Any], onnx.GraphProto]:
    network, meta = pipe.network, pipe.meta  # (one read of the file: load_model's)
    try:
        task = meta["task"]
        pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
        target = meta["target"]
        labels = LabelEncoder.from_dict(target["labels"]) if target.get("labels") else None
        y_scaler = StandardScaler.from_dict(target["scaler"]) if target.get("scaler") else None
        task_name = str(task["name"])
    except (KeyError, TypeError, ValueError) as exc:
        raise OnnxError(f"export: '{path}': the model description is malformed ({exc}).") from None
    known = ("binary", "multiclass", "regression", "multioutput_regression", "multilabel")
    if task_name not in known:
        raise OnnxError(
            f"export: '{path}' holds a {task_name!r} model; glassnet exports the tasks "
            f"{', '.join(known)} of 'glassnet train'. Upgrade glassnet."
        )
    label_table = _label_table(pipe) if task_name == "multilabel" else None
    layers = _network_layers(network, "export")
    dt = layers[0].W.dtype
    fills = _cli_fills(meta, pre, impute_from, path)
    tokens = _model_missing(meta, f"export: '{path}'")
    long = [t for t in sorted(tokens) if sum(c.isalpha() for c in t) > MAX_MISSING_LETTERS]
    if long and fills is not None and pre.encoder_ is not None:
        raise OnnxError(
            f"export: '{path}' reads {long[0]!r} as a missing cell in any case, and a text "
            f"column's missing cells are matched in the graph spelling by spelling: its "
            f"{2 ** sum(c.isalpha() for c in long[0])} spellings are too many. Retrain with "
            f"--missing texts of at most {MAX_MISSING_LETTERS} letters."
        )
    assert pre.columns_ is not None and pre.kinds_ is not None
    columns, kinds = pre.columns_, pre.kinds_
    classifier = task_name in ("binary", "multiclass", "multilabel")
    # the inputs are named after the columns: an output whose name a column has takes
    # "_out" (a feature column 'label' made two values 'label', which does not check)
    outputs = [
        _free(o, columns) for o in (["label", "probabilities"] if classifier else ["variable"])
    ]
    g = _Graph(reserved=(*columns, *outputs))
    blocks: dict[str, str] = {}
    # 1) number columns: (N, n_num) double; impute NaN and +-inf; (x - mean) / scale
    num = [c for c in columns if kinds[c] == "numeric"]
    if num:
        named = _names_text(num)
        if len(num) > 1:
            x = g.op("Concat", num, "numbers", axis=1, doc=f"number columns side by side: {named}")
        else:
            x = num[0]
        if fills is not None:
            how = meta.get("preprocessing", {}).get("impute")
            fill = g.const("fill_values", np.array([float(fills[c]) for c in num]))
            nan = g.op("IsNaN", [x], "is_nan", doc=f"number columns ({named}): cell is NaN")
            inf = g.op("IsInf", [x], "is_inf", doc=f"number columns ({named}): cell is +-inf")
            bad = g.op("Or", [nan, inf], "bad", doc="number columns: missing = NaN or +-inf")
            x = g.op(
                "Where", [bad, fill, x], "imputed",
                doc=f"number columns ({named}): x = fill_values where missing, else x "
                f"(fill_values: each column's training {how})",
            )  # fmt: skip
        assert pre.scaler_ is not None and pre.scaler_.mean_ is not None
        x = g.op(
            "Sub", [x, g.const("mean", pre.scaler_.mean_)], "centered",
            doc=f"number columns ({named}): x - mean, mean: each column's training mean",
        )  # fmt: skip
        x = g.op(
            "Div", [x, g.const("scale", pre.scaler_.scale_)], "standardized",
            doc=f"number columns ({named}): (x - mean) / scale, scale: each column's "
            "training standard deviation",
        )  # fmt: skip
        for j, c in enumerate(num):
            blocks[c] = g.op(
                "Slice",
                [x, g.const("start", np.array([j], np.int64)),
                 g.const("end", np.array([j + 1], np.int64)),
                 g.const("axis1", np.array([1], np.int64))],
                f"{c}_std",
                doc=f"column {c!r}: its standardized number (column {j} of the numbers)",
            )  # fmt: skip
    # 2) text columns: category index (unknown: -1), then one-hot (unknown: all zeros)
    if pre.encoder_ is not None:
        assert pre.encoder_.categories_ is not None
        for c, cats in zip(pre.encoder_.names_ or [], pre.encoder_.categories_, strict=True):
            keys = [str(v) for v in cats.tolist()]
            values = list(range(len(keys)))
            if fills is not None:
                at = keys.index(str(fills[c])) if str(fills[c]) in keys else -1
                spellings = [t for tok in sorted(tokens) for t in _variants(tok)]
                extra = [t for t in spellings if t not in keys]
                keys, values = keys + extra, values + [at] * len(extra)
            missing = f"; a missing cell: the index of {fills[c]!r}" if fills is not None else ""
            idx = g.op(
                "LabelEncoder", [c], f"{c}_index", domain="ai.onnx.ml",
                keys_strings=keys, values_int64s=values, default_int64=-1,
                doc=f"column {c!r}: category index 0..{len(cats) - 1} of "
                f"{_names_text([str(v) for v in cats.tolist()])}; unknown text: -1{missing}",
            )  # fmt: skip
            eq = g.op(
                "Equal", [idx, g.const(f"{c}_codes", np.arange(len(cats)))], f"{c}_is",
                doc=f"column {c!r}: one-hot, index == k for k = 0..{len(cats) - 1}",
            )  # fmt: skip
            blocks[c] = g.op(
                "Cast", [eq], f"{c}_onehot", to=TensorProto.DOUBLE,
                doc=f"column {c!r}: its one-hot columns as 0/1 (unknown: all 0)",
            )  # fmt: skip
    # 3) the network's inputs in the preprocessor's order, in the model's dtype
    pieces = [blocks[c] for c in columns]
    blocks_named = [c if kinds[c] == "numeric" else f"{c} (one-hot)" for c in columns]
    if len(pieces) > 1:
        x = g.op(
            "Concat", pieces, "features", axis=1,
            doc=f"the network's inputs A0: {_names_text(blocks_named)}",
        )  # fmt: skip
    else:
        x = pieces[0]
    x = g.op("Cast", [x], "inputs", to=_FLOATS[dt], doc=f"the network's inputs A0 in {dt}")
    z: list[str] = []  # (a sigmoid head's labels are read from its logits z)
    out = _network(g, layers, x, z=z)
    logits = (z[0], dt) if layers[-1].act == "sigmoid" else None
    # 4) the head
    if label_table is not None:  # multi-label: each label's value, its positive's probability
        k = layers[-1].neurons
        elem = _multilabel_head(g, out, dt, logits, label_table, *outputs)
        names = ", ".join(meta["target"]["names"])
        outs = [
            _value(outputs[0], elem, ["N", k], f"predicted {names}: each label's value"),
            _value(outputs[1], _FLOATS[dt], ["N", k], f"probability of each label's positive "
                   f"value ({names})"),
        ]  # fmt: skip
    elif classifier:
        assert labels is not None and labels.classes_ is not None
        kind = "binary" if task_name == "binary" else "multiclass"
        if kind != "binary":
            logits = None
        elem = _classifier_head(g, out, dt, labels.classes_, kind, *outputs, logits, F.sigmoid_fn)
        c = len(labels.classes_)
        outs = [
            _value(outputs[0], elem, ["N"], f"predicted {meta['target']['names'][0]}"),
            _value(outputs[1], _FLOATS[dt], ["N", c], _columns_text(labels.classes_)),
        ]
    else:
        names = ", ".join(meta["target"]["names"])
        y = g.op(
            "Cast", [out], "outputs64", to=TensorProto.DOUBLE, doc="the network's outputs, float64"
        )
        if y_scaler is not None:
            y = g.op(
                "Mul", [y, g.const("y_scale", y_scaler.scale_)], "y_scaled",
                doc=f"target ({names}): y * scale, scale: the training target's standard deviation",
            )  # fmt: skip
            y = g.op(
                "Add", [y, g.const("y_mean", y_scaler.mean_)], "y_units",
                doc=f"target ({names}): y * scale + mean, mean: the training target's mean",
            )  # fmt: skip
        g.op("Identity", [y], "variable", out=outputs[0], doc=f"variable = predicted {names}")
        k = layers[-1].neurons
        outs = [_value(outputs[0], TensorProto.DOUBLE, ["N", k], f"predicted {names}")]
    inputs = [
        _value(c, TensorProto.DOUBLE, ["N", 1], f"column {c!r}: numbers; NaN is a missing cell")
        if kinds[c] == "numeric"
        else _value(c, TensorProto.STRING, ["N", 1], f"column {c!r}: text")
        for c in columns
    ]
    what = (
        f"glassnet train model '{path.name}' ({task_name}; target "
        f"{', '.join(meta['target']['names'])}): {_describe_layers(layers)}. Raw rows in: "
        f"one input per column; numbers standardized, text one-hot encoded"
        + (f", missing cells imputed ({meta['preprocessing'].get('impute')})" if fills else "")
        + "."
    )
    graph = helper.make_graph(g.nodes, "glassnet_train_model", inputs, outs, g.inits, what)
    keep = ("format", "format_version", "glassnet_version", "task", "target", "preprocessing")
    props = {f"glassnet.{k}": meta[k] for k in keep if k in meta}
    props["glassnet.kind"] = "glassnet-cli-model"
    # the training data's decimal mark beside its missing-cell texts, which feeds reads
    decimal = _model_decimal(meta, f"export: '{path}'")
    # (and the network's dtype, whose range feeds checks the scaled numbers against)
    props["glassnet.preprocessing"] = {
        **meta.get("preprocessing", {}),
        "decimal": decimal,
        "dtype": str(dt),
    }
    if fills is not None:
        props["glassnet.imputation"] = fills
    sample = _cli_sample(network, pre, dt, task_name, labels, y_scaler, tokens, label_table)
    return what, props, graph, sample


def _label_table(pipe: Pipeline) -> np.ndarray:
    """A multi-label model's values, (K, 2): each label's negative then positive value, as
    ``Pipeline.predict`` types them (int64 when every label is of whole numbers, float64
    when every label is of numbers), else as text, as ``glassnet predict`` writes them.
    ``pipe`` is the file's :class:`glassnet.io.Pipeline`, its description checked by
    :func:`glassnet.io.load_pipeline` (the read the export's other parts come from)."""
    typed = pipe.label_values or []
    if all(isinstance(v, int | float) for pair in typed for v in pair):
        whole = all(isinstance(v, int) for pair in typed for v in pair)
        return np.array(typed, np.int64 if whole else np.float64).reshape(-1, 2)
    texts = [entry["values"] for entry in pipe.meta["target"]["multilabel"]]
    return np.array([[str(v) for v in pair] for pair in texts], dtype=object).reshape(-1, 2)


def _multilabel_head(g: _Graph, p: str, dt: np.dtype, logits: tuple[str, np.dtype] | None,
                     values: np.ndarray, label: str, proba: str) -> int:  # fmt: skip
    """A multi-label model's head: ``proba`` the network's (N, K) sigmoid outputs, ``label``
    (N, K) each label's value, its positive one where ``p > 0.5`` as the task decodes it
    (read from ``logits``, the sigmoid output layer's z and dtype, as
    :func:`_classifier_head` reads it: glassnet's sigmoid rounds to 0.5 where onnxruntime's
    does not; None: from ``p``), gathered from ``values`` (K, 2) flattened: index ``2 k +
    hit``. Returns the label's element type."""
    g.op(
        "Identity", [p], "probabilities", out=proba,
        doc="probabilities = p, each label's positive value's probability (the sigmoid's)",
    )  # fmt: skip
    if logits is not None:
        high = _above_half(g, *logits, F.sigmoid_fn)
    else:
        high = g.op(
            "Greater", [p, g.const("half", np.array(0.5, dt))], "above_half",
            doc="label k: p > 0.5",
        )  # fmt: skip
    hit = g.op(
        "Cast", [high], "is_positive", to=TensorProto.INT64,
        doc="label k: hit = 1 where its value is the positive one, else 0",
    )  # fmt: skip
    k = values.shape[0]
    offsets = g.const("label_offsets", (2 * np.arange(k, dtype=np.int64)).reshape(1, k))
    idx = g.op(
        "Add", [hit, offsets], "value_index",
        doc="label k: index 2k + hit (label k's values sit at 2k, 2k+1 of label_values)",
    )  # fmt: skip
    table = g.const("label_values", values.reshape(-1))
    g.op(
        "Gather", [table, idx], "label", out=label, axis=0,
        doc="label k = label_values[2k + hit], its negative or positive value",
    )  # fmt: skip
    kind = values.dtype.kind
    return TensorProto.INT64 if kind == "i" else TensorProto.DOUBLE if kind == "f" else (
        TensorProto.STRING)  # fmt: skip


def _free(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name`` + ``_out`` (+ more ``_``) while a column has it."""
    if name not in taken:
        return name
    name += "_out"
    while name in taken:
        name += "_"
    return name


def _cli_sample(
    network: Module,
    pre: Preprocessor,
    dt: np.dtype,
    task_name: str,
    labels: LabelEncoder | None,
    y_scaler: StandardScaler | None,
    tokens: frozenset[str] = MISSING_TOKENS,
    label_table: np.ndarray | None = None,
) -> _Sample:
    """Random raw rows (numbers around the training mean, known categories) and what
    ``glassnet predict`` makes of them: the preprocessor, the network, the decoding
    (``tokens``: the texts the model reads as missing, none of which a category is;
    ``label_table``: a multi-label model's (K, 2) label values, :func:`_label_table`'s)."""
    from .datasets import Table
    from .tasks import get_task

    rng = np.random.default_rng(0)
    assert pre.columns_ is not None and pre.kinds_ is not None
    cats = dict(zip(pre.encoder_.names_ or [], pre.encoder_.categories_ or [], strict=True)) if (
        pre.encoder_ is not None
    ) else {}  # fmt: skip
    columns: dict[str, list[str]] = {}
    num = [c for c in pre.columns_ if pre.kinds_[c] == "numeric"]
    for c in pre.columns_:
        if pre.kinds_[c] == "numeric":
            assert pre.scaler_ is not None and pre.scaler_.mean_ is not None
            j = num.index(c)
            mu, sd = pre.scaler_.mean_[j], pre.scaler_.scale_[j]  # type: ignore[index]
            columns[c] = [repr(float(v)) for v in mu + sd * rng.normal(size=SAMPLE_ROWS)]
        else:
            columns[c] = [str(v) for v in rng.choice(cats[c], SAMPLE_ROWS)]
    table = Table(
        columns, categorical=[c for c in columns if c in cats], source="sample", missing=tokens
    )
    out = network.predict(pre.transform(table, extra="ignore").astype(dt))
    if label_table is not None:  # each label's value by the task's decoding, and the outputs
        k = len(label_table)
        task = get_task("multilabel").fit(np.zeros((1, k), np.int64))
        hits = np.asarray(task.decode(out)).astype(np.int64)  # (N, K) 0/1
        expected = [label_table[np.arange(k)[None, :], hits], np.asarray(task.proba(out))]
    elif labels is not None:
        task = get_task(task_name).fit(np.arange(len(labels.classes_)))  # type: ignore[arg-type]
        expected = [labels.inverse_transform(task.decode(out)), task.proba(out)]
    else:
        values = out.astype(np.float64)
        expected = [y_scaler.inverse_transform(values) if y_scaler is not None else values]
    wanted = [(c, pre.kinds_[c] != "numeric") for c in pre.columns_]
    return _typed(wanted, columns, tokens), expected, dt


def feeds(model: Any, rows: Any, *, unknown: str = "error") -> dict[str, np.ndarray]:
    """The inputs of an exported ``glassnet train`` model for ``rows``, typed as it wants.

    Parameters
    ----------
    model : onnx.ModelProto, path of an ONNX file, its bytes, or an onnxruntime InferenceSession
    rows : pandas DataFrame, dict of column name to values, or glassnet.datasets.Table
        The raw rows, as in the CSV file: a number column becomes float64 (N, 1), its
        missing cells NaN (the texts the model was trained to read as missing, in any
        case: its ``--missing``, stored in the ONNX file's ``glassnet.preprocessing``; by
        default empty, ``nan``, ``NA``, ``N/A``, ``null``); a text column str (N, 1).
        Columns the model does not take are not sent: its target and ``--id``/``--drop``
        columns in silence, others with a ``UserWarning`` naming them (``glassnet
        predict`` and ``Pipeline.predict`` refuse those).
    unknown : {"error", "ignore"}, default "error"
        A text column's cell that is none of the model's categories (those stored in the
        file's ``glassnet.preprocessing``): refused, naming the column, the cells and the
        categories, as ``glassnet predict`` refuses it; with ``"ignore"`` sent as it is
        (the graph encodes it as all zeros, as ``glassnet predict --unknown ignore``),
        counted in a warning. A cell pandas typed (``TRUE`` read as the bool True, the
        code ``02134`` as the int 2134, ``2`` as 2.0 in a column with a blank) is matched to
        the one category of that value (``'TRUE'``, ``'02134'``, ``'2'``), with a warning
        when the spelling differs; where several categories have its value (``'2'`` and
        ``'2.0'``), pandas lost which was written, and it is refused: read the file with
        ``pandas.read_csv(..., dtype=str)``.

    >>> # sess.run(None, glassnet.onnx.feeds(sess, pandas.read_csv("new.csv", dtype=str)))
    """
    if hasattr(model, "get_inputs"):  # an onnxruntime session
        wanted = [(i.name, i.type == "tensor(string)") for i in model.get_inputs()]
        props = dict(model.get_modelmeta().custom_metadata_map)
        described = str(model.get_modelmeta().graph_description)
    else:
        proto = _read(model, "feeds", "model")[0]  # (a damaged file: OnnxError, as for load)
        init = {t.name for t in proto.graph.initializer}
        wanted = [
            (i.name, i.type.tensor_type.elem_type == TensorProto.STRING)
            for i in proto.graph.input
            if i.name not in init
        ]
        props = {p.key: p.value for p in proto.metadata_props}
        described = proto.graph.doc_string
    kind = props.get("glassnet.kind")
    if kind is not None and kind != "glassnet-cli-model":  # a network or an estimator
        x = wanted[0][0] if wanted else "X"
        raise ValueError(
            f"feeds builds the inputs of an exported 'glassnet train' model (one per column); "
            f"this model ({kind}) takes one matrix: sess.run(None, {{{x!r}: X}}) with X of "
            "shape (N, features), float32 or float64 as the graph says."
        )
    try:
        prep = json.loads(props.get("glassnet.preprocessing", "{}"))
    except ValueError:
        prep = {}
    tokens = _model_missing({"preprocessing": prep}, "feeds")
    stored = prep.get("decimal", ".") if isinstance(prep, dict) else "."
    try:  # (the training data's decimal mark: a file exported before it was stored, '.')
        decimal = check_decimal(stored, "feeds")
    except (TypeError, ValueError):
        raise OnnxError(
            f"feeds: the model's metadata glassnet.preprocessing holds the decimal mark "
            f"{stored!r:.40}, not one character; export the model again."
        ) from None
    if unknown not in ("error", "ignore"):
        raise ValueError(
            f"The 'unknown' parameter of feeds must be 'error' (a category the model never "
            f"saw is refused) or 'ignore' (encoded as all zeros, with a warning). Got "
            f"{unknown!r}."
        )
    if hasattr(rows, "raw") and hasattr(rows, "names"):  # a glassnet Table
        columns = {n: rows.raw(n).tolist() for n in rows.names}
    elif hasattr(rows, "columns") and hasattr(rows, "__getitem__"):  # a DataFrame
        names = [str(c) for c in rows.columns]
        taken = {name for name, _ in wanted}
        twice = sorted({n for n in names if names.count(n) > 1 and n in taken})
        if twice:  # (df[c] is then a DataFrame, whose list is its column names)
            raise ValueError(
                f"feeds: the DataFrame 'rows' has the model's input column(s) {twice} more "
                f"than once (its columns: {names}); keep one of each, e.g. "
                "rows.loc[:, ~rows.columns.duplicated()], or rename the others."
            )
        columns = {str(c): list(rows.iloc[:, j]) for j, c in enumerate(rows.columns)}
    elif isinstance(rows, dict):
        columns = {str(k): list(np.asarray(v, dtype=object).reshape(-1)) for k, v in rows.items()}
    else:
        raise TypeError(
            "feeds: 'rows' must be a pandas DataFrame, a dict of columns or a glassnet Table. "
            f"Got {type(rows).__name__}."
        )
    missing = [name for name, _ in wanted if name not in columns]
    if missing:
        raise ValueError(
            f"feeds: the rows lack the model's input column(s) {missing}; they have "
            f"{list(columns)}."
        )
    lengths = {name: len(columns[name]) for name, _ in wanted}
    if len(set(lengths.values())) > 1:  # (onnxruntime's Concat would fail, naming no column)
        shown = ", ".join(f"{name!r}: {n}" for name, n in lengths.items())
        raise ValueError(
            f"feeds: the model's input columns have different numbers of rows ({shown}); "
            "give each column one cell per row."
        )
    taken = [name for name, _ in wanted]
    meta = {"preprocessing": prep, "target": {"names": _target_names(props)}}
    extra = not_in_model(list(columns), taken, meta) if "glassnet.target" in props else ""
    if extra:  # (documented: not sent; glassnet predict refuses them)
        warnings.warn(
            f"feeds: {extra}: they are not sent to the graph (glassnet predict and "
            f"Pipeline.predict refuse them: remove them, e.g. rows[{taken[:8]!r}]).",
            UserWarning,
            stacklevel=2,
        )
    out = _typed(wanted, columns, tokens, decimal, _categories(prep), unknown)
    _check_range(out, prep, described)
    _filled_note(out, prep, tokens)
    return out


def _target_names(props: dict[str, str]) -> list[str]:
    """The target columns named in an exported model's metadata ``glassnet.target``."""
    try:
        target = json.loads(props.get("glassnet.target", "{}"))
    except ValueError:
        return []
    names = target.get("names") if isinstance(target, dict) else None
    return [str(n) for n in names] if isinstance(names, list) else []


def _check_range(out: dict[str, np.ndarray], prep: Any, described: str) -> None:
    """Refuse a finite number cell whose scaled value, ``(x - mean) / scale`` in float64 as
    the graph computes it, is beyond the network's dtype (1e300 for a float32 network: the
    graph's cast makes it inf, and the answer NaN probabilities and a label), as
    ``Pipeline.transform`` refuses it, in its words. The dtype is the metadata's
    (``glassnet.preprocessing``'s ``dtype``), else the graph's description's (a file
    exported before it was stored); neither, no check."""
    stored = prep.get("dtype") if isinstance(prep, dict) else None
    if stored is None:
        found = re.search(r" network \([^)]*\), (float32|float64)\b", described or "")
        stored = found.group(1) if found else None
    try:
        dtype = np.dtype(str(stored)) if stored in ("float32", "float64") else None
        pre = Preprocessor.from_dict(prep["preprocessor"])
        assert pre.columns_ is not None and pre.kinds_ is not None
        num = [c for c in pre.columns_ if pre.kinds_[c] == "numeric" and c in out]
        scaler = pre.scaler_
        mean, scale = (scaler.mean_, scaler.scale_) if scaler is not None else (None, None)
    except (KeyError, TypeError, ValueError, AttributeError, AssertionError):
        return  # (no preprocessing in the metadata: nothing to scale by)
    if dtype is None or not num or mean is None or scale is None or len(mean) != len(num):
        return
    x = np.concatenate([out[c] for c in num], axis=1)
    with np.errstate(all="ignore"):
        Z = scaler._scaled(x)  # (float64, as the graph computes it)
    found = first_beyond(Z, dtype, check=np.isfinite(x))  # (NaN, +-inf: imputed or refused)
    if found is not None:
        raise ValueError(
            f"feeds: row {found.row} of the rows, column {num[found.column]!r}, "
            f"{found.as_input()}: {FAR_OUTSIDE}; check it (or retrain in float64). The graph "
            f"would answer NaN probabilities and a label for it; glassnet predict and "
            f"Pipeline.predict refuse it too."
        )


def _categories(prep: Any) -> dict[str, list[str]]:
    """The categories of each text column, from the metadata ``glassnet.preprocessing``
    (none for a graph without it)."""
    enc = prep.get("preprocessor", {}).get("encoder") if isinstance(prep, dict) else None
    if not isinstance(enc, dict):
        return {}
    names, cats = enc.get("names"), enc.get("categories")
    if not (isinstance(names, list) and isinstance(cats, list) and len(names) == len(cats)):
        return {}
    return {
        str(n): [str(c) for c in cs] for n, cs in zip(names, cats, strict=True)
        if isinstance(cs, list)
    }  # fmt: skip


def _said_texts(tokens: frozenset[str]) -> str:
    """' or <the model's missing-cell texts>' as a reader reads them, '' left out (an empty
    cell, which the messages name): nothing where '' is the only one."""
    said = [repr(t) for t in sorted(tokens) if t]
    if not said:
        return ""
    return f" or {'one of ' if len(said) > 1 else ''}the model's missing-cell " + (
        f"texts ({', '.join(said)})" if len(said) > 1 else f"text {said[0]}"
    )


def _filled_note(out: dict[str, np.ndarray], prep: Any, tokens: frozenset[str]) -> None:
    """Say what becomes of the missing cells of ``out``, as ``glassnet predict`` does: a
    model trained without imputation (no ``fill`` in its preprocessing) has none for them,
    and its graph would answer NaN and a label in silence, so they are refused; a model
    that imputes fills them with the training data's values, said in a warning."""
    if not (isinstance(prep, dict) and isinstance(prep.get("preprocessor"), dict)):
        return  # (a graph without glassnet's preprocessing: what it does with NaN is its own)
    fill = prep["preprocessor"].get("fill")
    holes = {  # (a text cell is missing in any case, as the graph matches it)
        name: np.flatnonzero(
            ~np.isfinite(v[:, 0]) if v.dtype.kind == "f" else [t.lower() in tokens for t in v[:, 0]]
        )
        for name, v in out.items()
    }
    holes = {name: rows for name, rows in holes.items() if len(rows)}
    unfilled = [name for name in holes if not (isinstance(fill, dict) and name in fill)]
    if unfilled:
        name = unfilled[0]
        read = [c for c in _categories(prep).get(name, []) if c in PANDAS_NA]
        if read:  # ('NA' a category, read by pandas as NaN: no cell was missing in the file)
            raise ValueError(
                f"feeds: row {int(holes[name][0])} of column {name!r} is missing, and the "
                f"model's categories of {name!r} include {', '.join(map(repr, read))}, which "
                "pandas' read_csv reads as missing: read the file with read_csv(..., "
                "keep_default_na=False) (or dtype=str, keep_default_na=False), which keeps "
                "such texts as written, as glassnet's own reader does; else fill the cell in "
                "or drop the row."
            )
        raise ValueError(
            f"feeds: row {int(holes[name][0])} of column {name!r} is missing or not finite "
            f"(empty, inf{_said_texts(tokens)}), and the "
            "model was trained "
            "without imputation, so its graph has no value for it and would answer NaN: fill "
            "it in, drop the row, or train with --impute mean (as glassnet predict says)."
        )
    if holes:
        counts = [f"{name!r} ({len(rows)})" for name, rows in holes.items()]
        # (a category pandas reads as missing: glassnet predict keeps the text as written,
        # the category; fed as NaN, the graph fills it with the training data's value)
        read = {
            name: [c for c in _categories(prep).get(name, []) if c in PANDAS_NA] for name in holes
        }
        read = {name: texts for name, texts in read.items() if texts}
        others = [t for t in ("NA", "null", "None", "<NA>", "#N/A") if t.lower() not in tokens]
        named = "; ".join(
            f"the categories of {name!r} include {', '.join(map(repr, texts))}"
            for name, texts in list(read.items())[:4]
        )
        written = _said_texts(tokens).replace(" or", " or writes as", 1)
        warnings.warn(
            f"feeds: {sum(len(r) for r in holes.values())} missing cell(s), by column "
            f"{', '.join(counts[:8])}{' ...' if len(counts) > 8 else ''} (empty, not finite, or "
            "a missing-cell text): the model's graph fills them with the training data's "
            f"values (--impute {prep.get('impute')}), as glassnet predict fills the cells "
            f"that its CSV file leaves empty{written}."
            f" pandas' read_csv also reads other texts as missing (such as "
            f"{', '.join(map(repr, others[:3]))}), which glassnet predict reads as text, not "
            "as missing (in a text column, a category; in a numeric column, a value it refuses)"
            + (
                f" ({named}: a cell that held such a text is that category to glassnet "
                "predict, but is filled here)"
                if read
                else ""
            )
            + ": read_csv(..., keep_default_na=False) keeps them so.",
            UserWarning,
            stacklevel=3,
        )


def _typed(
    wanted: list[tuple[str, bool]],
    columns: dict[str, list[Any]],
    tokens: frozenset[str] = MISSING_TOKENS,
    decimal: str = ".",
    categories: dict[str, list[str]] | None = None,
    unknown: str = "error",
) -> dict[str, np.ndarray]:
    """Each wanted input (name, is text) from its column: str or float64 cells, (N, 1);
    ``tokens``: the texts of a number column that are missing cells (NaN), and of a text
    column (an absent cell, None, NaN or pandas.NA, becomes the first of them, so the graph
    imputes it as the model reads it). Cells are read as glassnet's CSV reader reads them,
    the blanks around a cell stripped (``" blue"`` from ``pandas.read_csv`` is the category
    ``blue``; ``"N/A "`` a missing cell: the graph matches those texts in any case), and a
    number given as text with ``decimal``, the training data's decimal mark (``"2,5"`` for
    a model trained with ``--decimal ,``, where ``"2.5"`` is no number). ``categories``:
    each text column's categories, which its cells must be (or missing; ``unknown``:
    'error' or 'ignore', as :func:`feeds`), and which a bool or number cell is matched to
    by value (:func:`_text_cells`)."""
    out: dict[str, np.ndarray] = {}
    gap = min(tokens, default="")
    respelled: dict[str, dict[str, str]] = {}
    unseen: dict[str, list[tuple[int, Any]]] = {}
    for name, text in wanted:
        cells = columns[name]
        if text:
            raw = next((c for c in cells if isinstance(c, (bytes, np.bytes_))), None)
            if raw is not None:  # (str(b'red') is "b'red'": an unknown category, in silence)
                raise ValueError(
                    f"feeds: column {name!r} holds bytes, {raw!r:.40}, where the model reads "
                    "text: decode them first (df[col].str.decode('utf-8'), or "
                    "bytes.decode())."
                )
            cats = (categories or {}).get(name)
            texts = _text_cells(name, cells, cats, tokens, decimal, gap, respelled, unseen)
            out[name] = np.array(texts, dtype=object).reshape(-1, 1)
        else:
            values = [_number(c, name, r, tokens, decimal) for r, c in enumerate(cells)]
            out[name] = np.array(values, np.float64).reshape(-1, 1)
    if unseen and unknown == "error":
        name, bad = next(iter(unseen.items()))
        cats = (categories or {})[name]
        shown = ", ".join(f"{_plain(c)!r} (row {r})" for r, c in bad[:5])
        shown += " ..." if len(bad) > 5 else ""
        typed = any(not isinstance(c, str) for _, c in bad)
        raise ValueError(
            f"feeds: column {name!r} has {len(bad)} cell(s) that are none of the model's "
            f"categories: {shown}; its categories: {_few_texts(cats)}. The graph would encode "
            "them as all zeros and answer a label for them without a word (glassnet predict "
            "refuses them too)"
            + (
                ": pandas typed this text column (read_csv(..., dtype=str) keeps the cells as "
                "written)"
                if typed
                else ""
            )
            + "; correct the cells, drop those rows, or pass unknown='ignore' to send them "
            "as they are (all zeros, as glassnet predict --unknown ignore)."
            + (f" (Columns {list(unseen)[1:]} hold such cells too.)" if len(unseen) > 1 else "")
        )
    if unseen:
        counts = ", ".join(f"{n!r} ({len(b)})" for n, b in unseen.items())
        warnings.warn(
            f"feeds: {sum(len(b) for b in unseen.values())} cell(s) hold categories the model "
            f"never saw, encoded as all zeros by its graph (unknown='ignore'), by column "
            f"{counts}.",
            UserWarning,
            stacklevel=3,
        )
    if respelled:
        shown = CategoryValues.respelled(respelled)
        warnings.warn(
            f"feeds: pandas typed text column(s) of the rows (bools or numbers); their cells "
            f"are sent as the model's category of the same value, spelled as in its "
            f"training data ({shown}). read_csv(..., dtype=str) keeps the cells as written.",
            UserWarning,
            stacklevel=3,
        )
    return out


def _few_texts(values: list[str], shown: int = 10) -> str:
    more = f", ... ({len(values)} in all)" if len(values) > shown else ""
    return "[" + ", ".join(repr(v) for v in values[:shown]) + more + "]"


def _text_cells(
    name: str,
    cells: list[Any],
    cats: list[str] | None,
    tokens: frozenset[str],
    decimal: str,
    gap: str,
    respelled: dict[str, dict[str, str]],
    unseen: dict[str, list[tuple[int, Any]]],
) -> list[str]:
    """A text column's cells as the graph's texts. An absent cell is ``gap`` (a missing
    cell); a str is stripped. With the model's categories ``cats``: a bool or number (a
    cell pandas typed) is the one category of its value (recorded in ``respelled`` when
    spelled otherwise), refused where several have it; a cell that is no category nor a
    missing-cell text is recorded in ``unseen``. Without them: ``str(cell)``."""
    known = set(cats) if cats is not None else None
    index: CategoryValues | None = None  # (built at the first typed cell)
    texts: list[str] = []
    for r, c in enumerate(cells):
        if _absent(c):
            texts.append(gap)
            continue
        typed = isinstance(c, (bool, np.bool_, int, float, np.integer, np.floating))
        text = str(c).strip()
        if known is not None and typed and not isinstance(c, str):
            if index is None:
                index = CategoryValues(cats or [], decimal)
            match = index.category_of(c, f"feeds: row {r} of column {name!r}")
            if match is not None:
                if match != text:
                    respelled.setdefault(name, {})[repr(_plain(c))] = match
                text = match
        if known is not None and text not in known and text.lower() not in tokens:
            unseen.setdefault(name, []).append((r, c))
        texts.append(text)
    return texts


def _plain(cell: Any) -> Any:
    """A NumPy scalar as the Python value it holds (7, not np.int64(7); True, not np.True_),
    for messages; anything else as it is."""
    return cell.item() if isinstance(cell, np.generic) and cell.dtype.kind in "biuf" else cell


def _kind_of(cell: Any) -> str:
    """'an int', 'a float', 'a bool', ... for a cell's plain value, for messages."""
    kind = type(_plain(cell)).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _number(cell: Any, column: str, row: int, tokens: frozenset[str], decimal: str = ".") -> float:
    """A number column's cell as ``glassnet predict`` (``Pipeline.predict``) reads it: a
    float as it is; a missing cell NaN; anything else by its text, as in a CSV file (an int,
    a Decimal, "2,5" with the decimal mark ','), where a bool ("True"), bytes, a date and
    digits grouped by "_" are no numbers."""
    if _absent(cell):
        return float("nan")
    if isinstance(cell, (float, np.floating)):
        return float(cell)
    text = (cell if isinstance(cell, str) else str(cell)).strip()
    if text.lower() in tokens:
        return float("nan")
    try:
        if "_" in text:  # (float() reads 1_000; a CSV reader, spreadsheets and pandas do not)
            raise ValueError
        return float(as_point(text, decimal))
    except ValueError:
        mark = (
            f" (the model reads numbers with the decimal mark {decimal!r} of its training "
            f"data, as glassnet predict does: write them so, or give Python numbers)"
            if decimal != "." and (isinstance(cell, str) or _reads_with_point(text))
            else ""
        )  # (a Decimal or an int's text is written with '.')
        shown = f"the text {cell!r}" if isinstance(cell, str) else (
            f"{_plain(cell)!r:.60} ({_kind_of(cell)})")  # fmt: skip
        raise ValueError(
            f"feeds: column {column!r} is a number column of the model, but holds {shown} "
            f"at row {row}, which is not a number{mark}."
        ) from None


def _reads_with_point(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text


def _absent(cell: Any) -> bool:
    """A DataFrame's missing cell: None, a float NaN, pandas.NA or NaT."""
    if cell is None or type(cell).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(cell, float | np.floating) and bool(np.isnan(cell))


# ================================================================ scikit-learn's converter


def register_skl2onnx() -> None:
    """Register glassnet's ``MLPClassifier`` and ``MLPRegressor`` with skl2onnx.

    Afterwards ``skl2onnx.to_onnx(pipeline, X[:1])`` converts a scikit-learn
    ``Pipeline`` that ends in one, as it converts scikit-learn's own MLP (options
    ``zipmap`` and ``nocl`` work as for any skl2onnx classifier). Calling it again
    does nothing new.
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as e:
        raise ImportError(
            f"register_skl2onnx needs skl2onnx ({e}). Install it with: pip install 'glassnet[onnx]'"
        ) from e
    from .sklearn import MLPClassifier, MLPRegressor

    update_registered_converter(
        MLPClassifier,
        "GlassnetMLPClassifier",
        _skl_classifier_shapes,
        _skl_convert,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )
    update_registered_converter(
        MLPRegressor, "GlassnetMLPRegressor", _skl_regressor_shapes, _skl_convert
    )
    from .preprocessing import OneHotEncoder, StandardScaler

    update_registered_converter(
        StandardScaler, "GlassnetStandardScaler", _skl_scaler_shapes, _skl_scaler
    )
    update_registered_converter(
        OneHotEncoder, "GlassnetOneHotEncoder", _skl_onehot_shapes, _skl_onehot
    )


def _skl_scaler_shapes(operator: Any) -> None:
    n = operator.inputs[0].get_first_dimension()
    float_type, _ = _skl_float(operator)
    operator.outputs[0].type = float_type(shape=[n, operator.raw_operator.n_features_in_])


def _skl_scaler(scope: Any, operator: Any, container: Any) -> None:
    """glassnet.preprocessing.StandardScaler: (X - mean_) / scale_ computed in float64 and
    cast once to the output's float type, as transform computes it (float32 in, float32
    out; float64 or integer in, float64 out)."""
    from skl2onnx.common.data_types import DoubleTensorType

    est = operator.raw_operator
    g = _SklGraph(scope, container)
    _, dt = _skl_float(operator)
    x = operator.inputs[0].full_name
    if not isinstance(operator.inputs[0].type, DoubleTensorType):
        x = g.op("Cast", [x], "X_double", to=TensorProto.DOUBLE, doc="X in float64")
    centred = g.op(
        "Sub", [x, g.const("mean", np.asarray(est.mean_, np.float64))], "centred",
        doc="X - mean_, in float64",
    )  # fmt: skip
    out = operator.outputs[0].full_name
    scaled = g.op(
        "Div", [centred, g.const("scale", np.asarray(est.scale_, np.float64))], "scaled",
        out=out if dt == np.float64 else None,
        doc="(X - mean_) / scale_, in float64 (StandardScaler)",
    )  # fmt: skip
    if dt != np.float64:
        g.op(
            "Cast", [scaled], "scaled_float", to=_FLOATS[dt], out=out,
            doc=f"(X - mean_) / scale_ rounded once to {dt} (StandardScaler)",
        )  # fmt: skip


def _skl_onehot_shapes(operator: Any) -> None:
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    est = operator.raw_operator
    if len(operator.inputs) != 1 or not isinstance(
        operator.inputs[0].type, (StringTensorType, Int64TensorType)
    ):
        raise ValueError(
            "skl2onnx(glassnet OneHotEncoder): converts one input of text (string) or "
            "integer (int64) columns, (N, columns); got "
            f"{[type(i.type).__name__ for i in operator.inputs]}: pass X[:1] as one array "
            "of str or int64."
        )
    for name, cats in zip(est.names_, est.categories_, strict=True):
        if isinstance(operator.inputs[0].type, Int64TensorType) and not all(
            re.fullmatch(r"-?\d+", str(c)) for c in cats
        ):
            raise ValueError(
                f"skl2onnx(glassnet OneHotEncoder): column {name!r} has categories that are "
                f"no integers ({list(cats)[:5]}), and the input is int64: pass text columns."
            )
    n = operator.inputs[0].get_first_dimension()
    width = sum(len(c) for c in est.categories_)
    operator.outputs[0].type = FloatTensorType(shape=[n, width])


def _skl_onehot(scope: Any, operator: Any, container: Any) -> None:
    """glassnet.preprocessing.OneHotEncoder: each column's indicator block, side by side;
    an unknown category fails at run time, as transform's unknown='error' refuses it."""
    from skl2onnx.common.data_types import Int64TensorType

    est = operator.raw_operator
    g = _SklGraph(scope, container)
    x = operator.inputs[0].full_name
    ints = isinstance(operator.inputs[0].type, Int64TensorType)
    blocks = []
    for j, (name, cats) in enumerate(zip(est.names_, est.categories_, strict=True)):
        col = g.op(
            "ArrayFeatureExtractor", [x, g.const(f"col{j}", np.array([j], np.int64))],
            f"column{j}", domain="ai.onnx.ml", doc=f"column {name!r}",
        )  # fmt: skip
        kw: dict[str, Any] = (
            {"cats_int64s": [int(c) for c in cats]} if ints
            else {"cats_strings": [str(c) for c in cats]}
        )  # fmt: skip
        hot = g.op(
            "OneHotEncoder", [col], f"onehot{j}", domain="ai.onnx.ml", zeros=0,
            doc=f"column {name!r}: one indicator per category, {list(cats)[:8]}", **kw,
        )  # fmt: skip
        blocks.append(
            g.op(
                "Reshape",
                [hot, g.const(f"shape{j}", np.array([-1, len(cats)], np.int64))],
                f"block{j}",
                doc=f"column {name!r}'s block (N, {len(cats)})",
            )  # fmt: skip
        )
    both = blocks[0] if len(blocks) == 1 else g.op(
        "Concat", blocks, "blocks", axis=1, doc="the blocks side by side"
    )  # fmt: skip
    g.op(
        "Cast", [both], "encoded", to=TensorProto.FLOAT, out=operator.outputs[0].full_name,
        doc="the one-hot columns (OneHotEncoder)",
    )  # fmt: skip


def _skl_float(operator: Any) -> tuple[Any, np.dtype]:
    """The float type a glassnet estimator's graph computes in: float32 for a classifier
    whose probabilities go to skl2onnx's ZipMap (zipmap=True, the default: ZipMap takes
    float32 only; zipmap="columns": the type skl2onnx declared its columns in); else the
    inputs' when they are all float32 or all float64; otherwise (a DataFrame of float and
    integer columns, an integer array) the network's dtype, to which each column is cast,
    and float64 for a StandardScaler (what transform gives)."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    est = operator.raw_operator
    zipmap = (
        hasattr(est, "classes_")
        and operator.scope_inst.get_options(est, {"zipmap": True})["zipmap"]
    )
    if zipmap is True or (  # (zipmap="columns": the type skl2onnx's parser gave its outputs)
        zipmap == "columns" and not isinstance(operator.outputs[1].type, DoubleTensorType)
    ):
        return FloatTensorType, np.dtype(np.float32)
    kinds = {type(i.type) for i in operator.inputs}
    if kinds == {DoubleTensorType}:
        return DoubleTensorType, np.dtype(np.float64)
    if kinds == {FloatTensorType}:
        return FloatTensorType, np.dtype(np.float32)
    if getattr(est, "model_", None) is None:  # (StandardScaler: float64, as transform)
        return DoubleTensorType, np.dtype(np.float64)
    owner = f"skl2onnx({type(est).__name__})"
    if np.dtype(_network_layers(est.model_, owner)[0].W.dtype) == np.float64:
        return DoubleTensorType, np.dtype(np.float64)
    return FloatTensorType, np.dtype(np.float32)


def _skl_inputs(operator: Any) -> list[Any]:
    """skl2onnx's inputs of a glassnet estimator, in the order of its features: one
    (N, features) tensor, or one per column of a DataFrame (``to_onnx(est, df[:1])``),
    put in ``feature_names_in_``'s order when they are its names. A width that is not the
    network's first layer's is a ValueError naming both (the file would not run)."""
    est = operator.raw_operator
    ins = list(operator.inputs)
    names = getattr(est, "feature_names_in_", None)
    given = [i.raw_name for i in ins]
    if names is not None and len(ins) > 1:
        fitted = [str(n) for n in names]
        if sorted(given) != sorted(fitted):
            unseen = [n for n in given if n not in fitted]
            missing = [n for n in fitted if n not in given]
            raise ValueError(
                f"skl2onnx({type(est).__name__}): the inputs' names should match the columns "
                f"the estimator was fitted on (its predict refuses them too): columns not "
                f"seen at fit time {unseen[:8]}, columns seen at fit time but missing "
                f"{missing[:8]}: convert with a sample of the DataFrame it was fitted on "
                "(df[:1]), or one array of its columns in order (df.to_numpy()[:1])."
            )
        by_name = {i.raw_name: i for i in ins}
        ins = [by_name[n] for n in fitted]
    widths = []
    for i in ins:
        shape = getattr(i.type, "shape", None) or []
        widths.append(shape[1] if len(shape) == 2 else (1 if len(shape) == 1 else None))
    want = est.model_.sizes[0] if hasattr(est.model_, "sizes") else None
    if want is None:
        want = _network_layers(est.model_, f"skl2onnx({type(est).__name__})")[0].inputs
    if all(isinstance(w, int) for w in widths) and sum(widths) != want:
        cols = f" ({len(ins)} inputs: {', '.join(map(repr, given[:8]))})" if len(ins) > 1 else ""
        raise ValueError(
            f"skl2onnx({type(est).__name__}): the inputs give {sum(widths)} feature(s) per "
            f"row{cols}, but the estimator's network takes {want}: convert with a sample of "
            "the rows it was fitted on (to_onnx(est, X[:1]), or the whole DataFrame's "
            "columns, df[:1])."
        )
    return ins


def _skl_classifier_shapes(operator: Any) -> None:
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType

    est = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    _skl_inputs(operator)
    _, kind, classes, _ = _estimator_parts(est)
    assert classes is not None
    c = len(classes)
    float_type, _ = _skl_float(operator)
    nocl = operator.scope_inst.get_options(est, {"nocl": False})["nocl"]
    if nocl or kind == "multilabel" or classes.dtype.kind in "iub" or _integral(classes):
        label = Int64TensorType(shape=[n, c] if kind == "multilabel" else [n])
    else:
        _utf8_labels(classes, f"skl2onnx({type(est).__name__})")  # (its ZipMap's too)
        label = StringTensorType(shape=[n])
    operator.outputs[0].type = label
    width = _proba_width(est)
    zipmap = operator.scope_inst.get_options(est, {"zipmap": True})["zipmap"]
    if width != c and zipmap is not False:  # (a binary classifier's one output, softmax: 1)
        raise ValueError(
            f"{type(est).__name__}: out_activation_={est.out_activation_!r} on the one output of "
            f"a classifier of {c} classes makes predict_proba {width} column(s) (the softmax of "
            "one number is 1), which skl2onnx's zipmap cannot name by the classes: set "
            f"out_activation_ back to {est._fitted_head()!r}, or convert with options="
            "{MLPClassifier: {'zipmap': False}}."
        )
    operator.outputs[1].type = float_type(shape=[n, width])


def _integral(classes: np.ndarray) -> bool:
    return classes.dtype.kind == "f" and bool(np.all(classes == np.round(classes)))


def _skl_regressor_shapes(operator: Any) -> None:
    n = operator.inputs[0].get_first_dimension()
    _skl_inputs(operator)
    float_type, _ = _skl_float(operator)
    operator.outputs[0].type = float_type(shape=[n, operator.raw_operator.n_outputs_])


def _skl_convert(scope: Any, operator: Any, container: Any) -> None:
    """skl2onnx's converter: the nodes of :func:`export`, in skl2onnx's container."""
    est = operator.raw_operator
    g = _SklGraph(scope, container)
    float_type, dt = _skl_float(operator)
    xs = []
    for i in _skl_inputs(operator):  # (a DataFrame's columns: each cast, then side by side)
        x = i.full_name
        if not isinstance(i.type, float_type):
            x = g.op("Cast", [x], "X_float", to=_FLOATS[dt], doc=f"X in {dt}, the network's dtype")
        xs.append(x)
    if len(xs) > 1:
        x = g.op(
            "Concat", xs, "X_columns", axis=1,
            doc="the DataFrame's columns side by side, in the order the estimator was fitted on",
        )  # fmt: skip
    labels = None
    if hasattr(est, "classes_"):  # skl2onnx's label types: int64 or string
        labels = est.classes_
        if container.get_options(est, {"nocl": False})["nocl"]:
            labels = np.arange(len(labels), dtype=np.int64)  # class indices
        elif labels.dtype.kind == "f":
            if not _integral(labels):
                raise OnnxError(
                    "skl2onnx takes integer or string class labels; this MLPClassifier has "
                    f"fractional ones {labels[:5].tolist()}. Encode the labels first, or "
                    "pass options={'nocl': True}."
                )
            labels = labels.astype(np.int64)
    outputs = [o.full_name for o in operator.outputs]
    _estimator_graph(g, est, x, outputs, dt, dt, labels=labels)


# ================================================================ import


def _fail(message: str) -> OnnxError:
    return OnnxError(message)


def _read(source: Any, owner: str = "load", name: str = "source") -> tuple[onnx.ModelProto, str]:
    """The parsed model of ``source`` (a path, bytes or a ModelProto) and how messages
    name it; a file that is no ONNX model raises :class:`OnnxError` saying what it is.
    ``owner`` and ``name``: the function and argument the messages name."""
    if isinstance(source, onnx.ModelProto):
        return source, "the ONNX model"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, where = bytes(source), "the ONNX bytes"
    elif isinstance(source, (str, os.PathLike)):
        if not os.fspath(source):
            raise ValueError(f"{owner}: {name!r} is an empty path; give the ONNX file to read.")
        if "\0" in os.fspath(source):  # (Path.exists() is False: "no such file" would puzzle)
            raise _fail(f"{owner}: {os.fspath(source)!r}: a path cannot hold a NUL character.")
        p = Path(source)
        where = f"'{p}'"
        if p.is_dir():
            raise IsADirectoryError(f"{owner}: {where} is a directory, not an ONNX file.")
        if not p.exists() and p.is_symlink():  # (a loop of links, or one to a missing file)
            raise FileNotFoundError(
                f"{owner}: {where} is a symbolic link to '{os.readlink(p)}', which leads to no "
                "file (a missing file, or a loop of links); give the ONNX file's own path."
            )
        if not p.exists():
            raise FileNotFoundError(f"{owner}: no such ONNX file {where}{tilde_hint(source)}.")
        if not p.is_file():  # (a named pipe, a device: reading it could block or never end)
            raise _fail(
                f"{owner}: {where} is not a regular file (a named pipe or a device), so it is "
                "not an ONNX file; give the path of an .onnx file."
            )
        if os.fspath(source).endswith(("/", os.sep)):  # (Path drops the '/': open would not)
            raise _fail(
                f"{owner}: '{os.fspath(source)}' ends in '/', so it names a directory, but "
                f"{where} is a file; give the file's path without the '/'."
            )
        try:  # (a failing disk or network mount, /proc/self/mem: an I/O error names the file)
            f = open_regular(p)
            if f is None:  # (replaced by a pipe or a device since it was checked)
                raise _fail(
                    f"{owner}: {where} is not a regular file (a named pipe or a device), so it "
                    "is not an ONNX file; give the path of an .onnx file."
                )
            with f:
                size = os.fstat(f.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise _fail(
                        f"{owner}: {where} is {size} bytes, more than an ONNX file can be (2 GiB)."
                    )
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:  # (OnnxError is a ValueError: it passes)
            cause = exc.strerror or oneline(exc)
            raise _fail(f"{owner}: {where} cannot be read ({cause}).") from exc
        if len(data) > MAX_FILE_BYTES:  # (it grew while it was read)
            raise _fail(f"{owner}: {where} is more than an ONNX file can be (2 GiB).")
    else:
        opened = callable(getattr(source, "read", None))  # (an open file: its bytes load)
        raise TypeError(
            f"{owner}: {name!r} must be a path, bytes or an onnx.ModelProto"
            f"{' (or an onnxruntime InferenceSession)' if owner == 'feeds' else ''}. Got "
            f"{type(source).__name__}"
            f"{' (an open file: pass its path, or its bytes, f.read())' if opened else ''}."
        )
    header = int.from_bytes(data[:8], "little") if len(data) > 9 else 0
    if data[8:9] == b"{" and 0 < header <= len(data) - 8:  # a length, then its JSON
        raise _fail(
            f"{owner}: {where} is a safetensors file, as glassnet's own model files are, not "
            "an ONNX file: read it with glassnet.io.load_model, or convert it with "
            "glassnet.onnx.export(path)."
        )
    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError and friends: the file is damaged
        raise _fail(f"{owner}: {where} is not a valid ONNX file ({type(exc).__name__}).") from None
    if not proto.HasField("graph"):
        raise _fail(f"{owner}: {where} is not an ONNX model: it has no graph (truncated?).")
    return proto, where


def _check_versions(proto: onnx.ModelProto, where: str) -> int:
    if not 3 <= proto.ir_version <= onnx.IR_VERSION:
        raise _fail(
            f"load: {where} has IR version {proto.ir_version}; this onnx package reads 3 to "
            f"{onnx.IR_VERSION}."
        )
    versions: dict[str, int] = {}
    for o in proto.opset_import:  # ('' and 'ai.onnx' name one domain, the one glassnet reads)
        key = "" if o.domain == "ai.onnx" else o.domain
        if versions.setdefault(key, o.version) != o.version and not key:
            raise _fail(
                f"load: {where} declares opset {versions[key]} and opset {o.version} for the "
                f"domain {o.domain or 'ai.onnx'!r}; which one its nodes follow is not known. "
                "Write the file with one opset per domain."
            )
    opset = versions.get("", versions.get("ai.onnx"))
    newest = onnx.defs.onnx_opset_version()
    if opset is None or not 1 <= opset <= newest:
        raise _fail(
            f"load: {where} declares ai.onnx opset {opset}; glassnet reads opsets 1 to {newest}."
        )
    return int(opset)


def _tensor(t: onnx.TensorProto, where: str, budget: list[int]) -> np.ndarray:
    """A constant as an array, its size checked against the data present and the budget."""
    if t.data_location == TensorProto.EXTERNAL or t.external_data:
        raise _fail(
            f"load: {where}: the tensor {t.name!r} keeps its data in an external file; "
            "glassnet reads no file beside the one it is given. For a file you trust, "
            "glassnet.onnx.load(onnx.load(path)) reads it (onnx.load brings the external data "
            "in); the writer can save one self-contained file with onnx.save(..., "
            "save_as_external_data=False)."
        )
    if t.data_type not in _READABLE:
        kind = _READABLE_NAMES.get(t.data_type, str(t.data_type))
        raise _fail(
            f"load: {where}: the tensor {t.name!r} has element type {kind}; glassnet reads "
            "float32, float64 and float16 weights."
        )
    if any(d < 0 for d in t.dims) or len(t.dims) > 8:
        raise _fail(f"load: {where}: the tensor {t.name!r} has shape {list(t.dims)}.")
    n = int(np.prod([int(d) for d in t.dims], dtype=object)) if t.dims else 1
    if n > budget[0]:
        raise _fail(
            f"load: {where}: the tensor {t.name!r} of shape {list(t.dims)} holds {n} values, "
            f"more than the {budget[0]} left of max_weights; pass a larger max_weights if "
            "the file is trusted."
        )
    size = np.dtype(helper.tensor_dtype_to_np_dtype(t.data_type)).itemsize
    held = {
        TensorProto.FLOAT: len(t.float_data),
        TensorProto.DOUBLE: len(t.double_data),
        TensorProto.FLOAT16: len(t.int32_data),
        TensorProto.INT32: len(t.int32_data),
        TensorProto.INT64: len(t.int64_data),
        TensorProto.BOOL: len(t.int32_data),
    }[t.data_type]
    if t.HasField("raw_data") or t.raw_data:
        held = len(t.raw_data) // size if len(t.raw_data) % size == 0 else -1
    if held != n:
        raise _fail(
            f"load: {where}: the tensor {t.name!r} of shape {list(t.dims)} should hold {n} "
            f"values but its data holds {max(held, 0)} (truncated or corrupt)."
        )
    budget[0] -= n
    try:
        arr = numpy_helper.to_array(t)
    except Exception as exc:
        raise _fail(f"load: {where}: the tensor {t.name!r} cannot be read ({exc}).") from None
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise _fail(f"load: {where}: the tensor {t.name!r} holds NaN or inf.")
    return arr


def _sparse(sp: onnx.SparseTensorProto, where: str, budget: list[int]) -> np.ndarray:
    """A sparse initializer (or a Constant's ``sparse_value``) as a dense array: its values
    at its indices (linear, (NNZ,), or one per axis, (NNZ, rank)), zeros elsewhere; its
    dense size checked against the budget before anything is allocated."""
    name = sp.values.name
    what = f"load: {where}: the sparse initializer {name!r}"
    dims = [int(d) for d in sp.dims]
    if not dims or any(d < 0 for d in dims) or len(dims) > 8:
        raise _fail(f"{what} has shape {dims}.")
    n = int(np.prod(dims, dtype=object))
    if n > budget[0]:
        raise _fail(
            f"{what} of shape {dims} holds {n} values once dense, more than the {budget[0]} "
            "left of max_weights; pass a larger max_weights if the file is trusted."
        )
    values = _tensor(sp.values, where, budget)
    if sp.indices.data_type != TensorProto.INT64:
        raise _fail(f"{what}: its indices must be int64 (as ONNX requires).")
    index = _tensor(sp.indices, where, budget)
    nnz = values.size
    if values.ndim != 1 or index.shape not in ((nnz,), (nnz, len(dims))):
        raise _fail(
            f"{what}: its values have shape {list(values.shape)} and its indices "
            f"{list(index.shape)}; ONNX's are (NNZ,) and (NNZ,) or (NNZ, {len(dims)})."
        )
    high = np.array([n] if index.ndim == 1 else dims, dtype=np.int64)
    if nnz and (np.any(index < 0) or np.any(index >= high)):
        raise _fail(f"{what}: an index lies outside its shape {dims} (corrupt).")
    flat = index if index.ndim == 1 else np.ravel_multi_index(tuple(index.T), dims)
    if len(np.unique(flat)) != nnz:
        raise _fail(f"{what}: an index appears twice (onnx.checker refuses this file too).")
    budget[0] -= n
    dense = np.zeros(n, dtype=values.dtype)
    dense[flat] = values
    return dense.reshape(dims)


#: A Constant's attributes other than ``value`` (a tensor): a float32 or int64 tensor of
#: their values, 0-d for one value (value_float, value_int), 1-d for a list.
_CONSTANT_LISTS = {
    "value_float": TensorProto.FLOAT, "value_floats": TensorProto.FLOAT,
    "value_int": TensorProto.INT64, "value_ints": TensorProto.INT64,
}  # fmt: skip


def _constant(node: onnx.NodeProto, attrs: dict[str, Any], where: str) -> Any:
    """A Constant node's value as an initializer would hold it: a TensorProto (a copy: the
    caller's model stays as it was), or the SparseTensorProto of ``sparse_value``."""
    given = [k for k in attrs if k in ("value", "sparse_value", *_CONSTANT_LISTS)]
    if len(node.output) != 1 or len(given) != 1:
        raise _unsupported(
            node, where, "a Constant is read from one of value (a tensor), sparse_value, "
            "value_float(s) and value_int(s), giving one output",
        )  # fmt: skip
    key, name = given[0], node.output[0]
    if key == "sparse_value":
        sp = onnx.SparseTensorProto()
        sp.CopyFrom(attrs[key])
        sp.values.name = name
        return sp
    if key == "value":
        t = onnx.TensorProto()
        t.CopyFrom(attrs[key])
        t.name = name
        return t
    value = attrs[key]
    one = not isinstance(value, (list, tuple))
    return helper.make_tensor(name, _CONSTANT_LISTS[key], [] if one else [len(value)],
                              [value] if one else list(value))  # fmt: skip


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _topological(nodes: Sequence[onnx.NodeProto], where: str) -> list[onnx.NodeProto]:
    """The nodes in an order where each comes after the producers of its inputs (Kahn);
    a cycle is an error naming a node on it."""
    producer: dict[str, int] = {}
    for i, n in enumerate(nodes):
        for o in n.output:
            if o:
                if o in producer:
                    raise _fail(f"load: {where}: the value {o!r} is produced by two nodes.")
                producer[o] = i
    waiting = [0] * len(nodes)
    users: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        for name in set(n.input):
            j = producer.get(name)
            if j is not None:
                waiting[i] += 1
                users.setdefault(j, []).append(i)
    ready = [i for i, w in enumerate(waiting) if w == 0]
    order: list[int] = []
    while ready:
        i = ready.pop(0) if len(ready) < 64 else ready.pop()
        order.append(i)
        for k in users.get(i, ()):
            waiting[k] -= 1
            if waiting[k] == 0:
                ready.append(k)
    if len(order) < len(nodes):
        stuck = nodes[next(i for i, w in enumerate(waiting) if w > 0)]
        raise _fail(
            f"load: {where}: the graph has a cycle through node {_node_name(stuck)}; an MLP "
            "is a chain of layers."
        )
    return [nodes[i] for i in order]


def _view_flatten(
    nodes: list[onnx.NodeProto], graph: onnx.GraphProto, raw_consts: dict[str, Any]
) -> list[onnx.NodeProto]:
    """PyTorch's ``x.view(x.size(0), -1)``, exported as ``Reshape(x, Concat(Unsqueeze(
    Gather(Shape(x), 0), [0]), [-1]))``: the Reshape's shape becomes the constant [0, -1]
    (N copied, the rest flattened), and the four nodes that computed it are dropped. Only
    that exact pattern, each value read once, is rewritten; anything else is left to be
    refused (a Shape node's refusal names this pattern and its fix)."""
    producer = {o: n for n in nodes for o in n.output}
    reads: dict[str, int] = {}
    for n in nodes:
        for i in n.input:
            reads[i] = reads.get(i, 0) + 1
    for o in graph.output:
        reads[o.name] = reads.get(o.name, 0) + 1

    def small(name: str) -> list[int] | None:  # a constant's values, from a tiny int tensor
        t = raw_consts.get(name)
        n = producer.get(name)
        if t is None and n is not None and n.op_type == "Constant" and n.attribute:
            t = _attrs(n).get("value")
        if not isinstance(t, onnx.TensorProto) or t.data_type != TensorProto.INT64:
            return None
        if int(np.prod(t.dims, dtype=object)) > 1 or t.external_data:
            return None
        return [int(v) for v in numpy_helper.to_array(t).reshape(-1)]

    def made_by(name: str, op: str) -> onnx.NodeProto | None:
        n = producer.get(name)
        ok = n is not None and n.op_type == op and n.domain in ("", "ai.onnx")
        return n if ok and reads.get(name) == 1 and len(n.output) == 1 else None

    drop: set[int] = set()
    for r in nodes:
        if r.op_type != "Reshape" or r.domain not in ("", "ai.onnx") or len(r.input) != 2:
            continue
        if _attrs(r).get("allowzero", 0):
            continue
        cat = made_by(r.input[1], "Concat")
        if cat is None or _attrs(cat).get("axis") != 0 or len(cat.input) != 2:
            continue
        if small(cat.input[1]) != [-1]:
            continue
        uns = made_by(cat.input[0], "Unsqueeze")
        if uns is None or not uns.input:
            continue
        axes = small(uns.input[1]) if len(uns.input) > 1 else _attrs(uns).get("axes")
        gat = made_by(uns.input[0], "Gather")
        if list(axes or ()) != [0] or gat is None or len(gat.input) != 2:
            continue
        if _attrs(gat).get("axis", 0) != 0 or small(gat.input[1]) != [0]:
            continue
        shp = made_by(gat.input[0], "Shape")
        if shp is None or list(shp.input) != [r.input[0]] or _attrs(shp).get("start", 0) != 0:
            continue
        drop |= {id(cat), id(uns), id(gat), id(shp)}
        raw_consts[r.input[1]] = numpy_helper.from_array(np.array([0, -1], np.int64), r.input[1])
    return [n for n in nodes if id(n) not in drop] if drop else nodes


def _inference_dropout(
    node: onnx.NodeProto,
    attrs: dict[str, Any],
    opset: int,
    known: set[str],
    const: Any,
    graph: onnx.GraphProto,
    where: str,
) -> None:
    """Refuse a Dropout that is not the identity: one in training mode (is_test = 0 before
    opset 7; a training_mode input that is true, or not a constant), one whose ratio input
    is not a constant, or whose mask output is read (at inference it is all ones, a value
    the network's layers do not compute)."""
    if opset < 7 and not attrs.get("is_test", 0):
        raise _unsupported(
            node, where, "before opset 7 a Dropout without is_test = 1 drops values (training "
            "mode); glassnet reads the identity a Dropout is at inference: write it with "
            "is_test = 1, or remove it",
        )  # fmt: skip
    for k, role in ((1, "ratio"), (2, "training_mode")):
        name = node.input[k] if len(node.input) > k else ""
        if name and name not in known:
            raise _unsupported(
                node, where, f"its {role} input {name!r} is not a constant; glassnet reads a "
                "Dropout at inference (the identity), where training_mode is absent or a "
                "constant false and the ratio a constant",
            )  # fmt: skip
        if name and role == "training_mode":
            mode = np.asarray(const(name, node))
            if mode.size != 1 or bool(mode.reshape(-1)[0]):
                raise _unsupported(
                    node, where, f"its training_mode {name!r} is true: it drops values at "
                    "random; glassnet reads a Dropout at inference (the identity): export the "
                    "model in inference mode (PyTorch: model.eval()), or remove the node",
                )  # fmt: skip
    mask = node.output[1] if len(node.output) > 1 else ""
    if mask and (
        any(mask in n.input for n in graph.node) or any(o.name == mask for o in graph.output)
    ):
        raise _unsupported(
            node, where, f"its mask output {mask!r} is read; glassnet reads a Dropout as the "
            "identity, whose mask no layer computes",
        )  # fmt: skip
    if len(node.output) > 2:
        raise _unsupported(node, where, f"it has {len(node.output)} outputs")


def _one_producer(graph: onnx.GraphProto, where: str) -> dict[str, Any]:
    """The initializers, dense and sparse, by name; two producers of one value among them
    and the nodes refused (onnx.checker does; onnxruntime warns and takes the last): which
    one the file means is not known."""
    inits: dict[str, Any] = {}
    for t in [*graph.initializer, *graph.sparse_initializer]:
        name = t.values.name if isinstance(t, onnx.SparseTensorProto) else t.name
        if name in inits:
            sparse = " (a sparse one among them)" if graph.sparse_initializer else ""
            raise _fail(
                f"load: {where}: the value {name!r} is given by two initializers{sparse}; a "
                "value has one producer (onnx.checker refuses this file too). Write the file "
                f"with one initializer named {name!r}."
            )
        inits[name] = t
    node = next((n for n in graph.node if any(o in inits for o in n.output)), None)
    if node is not None:
        name = next(o for o in node.output if o in inits)
        raise _fail(
            f"load: {where}: the value {name!r} is both an initializer and the output of node "
            f"{_node_name(node)}; a value has one producer (onnx.checker refuses this file "
            "too). Rename one of them."
        )
    return inits


def _node_name(node: onnx.NodeProto) -> str:
    return f"{node.name or '(unnamed)'!r} ({node.op_type})"


#: Why an Exp is not read: the head of a Poisson regressor's export, which no layer computes
_EXP_HEAD = (
    "an Exp on the output is the head of MLPRegressor(loss='poisson') (its predict is exp of "
    "the network's output), which no glassnet layer computes; to load the network, export "
    "its model_ (glassnet.onnx.export(reg.model_, path)) and take np.exp of its predict"
)


#: Why an operator is not read, where a hint saves the reader a search
_WHY_NOT = {
    "Exp": _EXP_HEAD,
    "Shape": (
        "a Shape node is how PyTorch's exporter writes x.view(x.size(0), -1) (Shape, Gather, "
        "Unsqueeze, Concat, Reshape); glassnet reads that pattern only as written so (index 0 "
        "of the shape of the Reshape's own input, concatenated with -1), which this is not; "
        "flatten with nn.Flatten() or x.flatten(1) in the module and export again: that "
        "writes one Flatten node"
    ),
}


def _unsupported(node: onnx.NodeProto, where: str, why: str = "") -> OnnxError:
    return _fail(
        f"load: {where}: node {_node_name(node)} is not supported{': ' + why if why else ''}. "
        f"glassnet reads ONNX MLPs: a chain of Gemm (or MatMul + Add), Relu, LeakyRelu, "
        f"Sigmoid, Tanh, Softmax, Identity and Flatten nodes."
    )


def load(source: Any, *, max_weights: int = MAX_WEIGHTS) -> Module:
    """Read an ONNX MLP into a glassnet network.

    Parameters
    ----------
    source : path, bytes or onnx.ModelProto
        One input (N, d), one output, and a chain of ``Gemm`` (any ``alpha``, ``beta``,
        ``transB``; ``transA = 0``) or ``MatMul`` + ``Add`` layers, each optionally
        followed by ``Relu``, ``LeakyRelu`` (0 <= alpha < 1), ``Sigmoid``, ``Tanh`` or
        ``Softmax`` (over the last axis); ``Identity`` nodes, casts to a float type and
        reshapes to (N, width), as skl2onnx writes them, and ``Flatten`` at axis 1 are
        skipped. An input (N, d1, d2, ...) is read when a ``Flatten`` or ``Reshape`` to
        (N, d1 * d2 * ...) comes first; the network takes those flattened rows. Weights come
        from initializers (sparse ones densified) or ``Constant`` nodes (``value``,
        ``sparse_value``, ``value_float(s)``, ``value_int(s)``), float32 or float64
        (float16 is read as float32). A classifier's graph of several outputs (skl2onnx's
        of scikit-learn's ``MLPClassifier``: ``label`` and ``probabilities``, a ``ZipMap``
        or a tensor; glassnet's own) is read up to the ``Softmax`` or ``Sigmoid`` its
        outputs branch off: the network of the probabilities (for two classes, p of the
        second class); its head (``ArgMax``, ``ArrayFeatureExtractor``, ``ZipMap``,
        ``Cast``, ...) is not read.
    max_weights : int
        The most values the file's tensors may hold together (default 2e8); checked
        before anything is allocated.

    Returns
    -------
    glassnet.nn.MLP, or a ``Sequential`` where an MLP cannot say it (a layer without a
    bias, LeakyRelu slopes that differ, an activation that does not follow a layer).
    Every one predicts, fits and summarizes; ``explain``, ``viz.draw_network`` and
    ``export`` refuse, naming the shape, a chain that is no Linear+activation chain (two
    activations after one layer, an activation before the first layer, a hidden softmax).
    ``W`` of each ``Linear`` is ``(inputs, neurons)``: a ``Gemm`` with ``transB = 1``
    (PyTorch's ``nn.Linear``) is transposed on the way in.

    Raises
    ------
    OnnxError
        A damaged, hostile or unsupported file: the message names the first node
        outside the subset, or what is wrong.
    """
    max_weights = int(check_number(max_weights, "max_weights", "load", low=1, integer=True))
    proto, where = _read(source)
    at: list[onnx.NodeProto] = []  # the node being read, for the message below
    try:
        return _parse(proto, where, max_weights, at)
    except OnnxError:
        raise
    except Exception as exc:  # a value of the wrong type or shape: the file is malformed
        node = f" at node {_node_name(at[-1])}" if at else ""
        raise _fail(
            f"load: {where} is malformed{node} ({type(exc).__name__}: {str(exc)[:200]})."
        ) from None


def _parse(proto: onnx.ModelProto, where: str, max_weights: int, at: list) -> Module:
    """:func:`load`'s work on a parsed file; appends each node to ``at`` as it reads it."""
    opset = _check_versions(proto, where)
    graph = proto.graph
    if len(graph.node) > MAX_NODES:
        raise _fail(f"load: {where} has {len(graph.node)} nodes; an MLP has a few per layer.")
    budget = [max_weights]
    raw_consts = _one_producer(graph, where)  # (a sparse one densified when a node reads it)
    consts: dict[str, np.ndarray] = {}

    alias: dict[str, str] = {}  # an Identity's output of a constant: that constant's name

    def const(name: str, node: onnx.NodeProto) -> np.ndarray:
        name = alias.get(name, name)
        if name not in consts:
            if name not in raw_consts:
                raise _unsupported(node, where, f"its input {name!r} is not a constant")
            t = raw_consts[name]
            read = _sparse if isinstance(t, onnx.SparseTensorProto) else _tensor
            consts[name] = read(t, where, budget)
        return consts[name]

    inputs = [i for i in graph.input if i.name not in raw_consts]
    kind = next((p.value for p in proto.metadata_props if p.key == "glassnet.kind"), None)
    if kind == "glassnet-cli-model":
        raise _fail(
            f"load: {where} is a 'glassnet train' model exported with its preprocessing "
            f"({len(inputs)} inputs, one per column, and {len(graph.output)} outputs), not a "
            "network: read its .glassnet file with glassnet.io.load_pipeline(path) (its "
            "network is the pipeline's .network), or run this file with onnxruntime, feeding "
            "it rows with glassnet.onnx.feeds(session, rows)."
        )
    if len(inputs) != 1 or not graph.output:
        raise _fail(
            f"load: {where} has {len(inputs)} input(s) and {len(graph.output)} output(s); an "
            "MLP has one input, and one output (or a classifier's label and probabilities)."
        )
    current = inputs[0].name
    n_in, rank = _input_width(inputs[0], where)
    # the float type of the data along the chain (the input's, then a Cast's): ONNX binds a
    # Gemm's, MatMul's, Add's and Mul's inputs to one type, so a weight of another type (an
    # int64 or float64 weight on float32 data) makes a file onnxruntime refuses; read as it
    # is, its values were converted in silence, or the error spoke of other weights
    flowing = [np.dtype(helper.tensor_dtype_to_np_dtype(inputs[0].type.tensor_type.elem_type))]

    def typed(a: np.ndarray, name: str, node: onnx.NodeProto, role: str) -> np.ndarray:
        if a.dtype != flowing[0]:
            raise _fail(
                f"load: {where}: node {_node_name(node)}: its {role} {name!r} "
                f"is {a.dtype}, but the data it takes is {flowing[0]}; ONNX requires one type "
                "for both (onnxruntime refuses this file too). Write the file with weights of "
                "the input's type."
            )
        return a

    nodes = _view_flatten(_topological(list(graph.node), where), graph, raw_consts)
    # an Identity of a constant is that constant, as a Constant node is one: PyTorch's
    # exporter writes one where two weights are equal (the zero biases of two layers of one
    # size, tied weights), keeping one initializer and aliasing the other to it
    made = set(raw_consts) | {o for n in nodes if n.op_type == "Constant" for o in n.output}
    for node in nodes:
        if (
            node.op_type == "Identity"
            and node.domain in ("", "ai.onnx")
            and len(node.input) == 1
            and len(node.output) == 1
            and (node.input[0] in made or node.input[0] in alias)
        ):
            alias[node.output[0]] = alias.get(node.input[0], node.input[0])
    outputs = {o.name for o in graph.output}
    constant_out = next(
        (n for n in nodes if n.op_type == "Identity" and n.output[0] in alias and
         n.output[0] in outputs), None,
    )  # fmt: skip
    if constant_out is not None:  # (the graph answers a constant, whatever its input)
        raise _unsupported(
            constant_out,
            where,
            f"it gives the graph's output {constant_out.output[0]!r} the constant "
            f"{alias[constant_out.output[0]]!r}, whatever the input; glassnet reads a network "
            "whose output its layers compute",
        )
    if alias:
        nodes = [n for n in nodes if not (n.op_type == "Identity" and n.output[0] in alias)]
    end = graph.output[0].name
    every = nodes
    if len(graph.output) > 1:  # a classifier's graph: the network, then its label and proba
        nodes, end = _classifier_network(nodes, current, graph, set(raw_consts) | set(alias), where)
    modules: list[Module] = []
    pending: tuple[np.ndarray, onnx.NodeProto] | None = None  # a MatMul waiting for its Add
    leaky: tuple[float, str, onnx.NodeProto, bool] | None = None  # a Mul waiting for its Max
    for node in nodes:
        at.append(node)
        if node.domain not in ("", "ai.onnx"):
            raise _unsupported(
                node, where, f"{node.op_type} of domain {node.domain!r}: only the default ONNX "
                "domain's ops are read",
            )  # fmt: skip
        if node.op_type not in _SUPPORTED:
            raise _unsupported(node, where, _WHY_NOT.get(node.op_type, ""))
        attrs = _attrs(node)
        if node.op_type == "Constant":
            raw_consts[node.output[0]] = _constant(node, attrs, where)
            continue
        if (
            node.op_type == "Cast"
            and node.input[:1]
            and node.input[0] in {*raw_consts, *alias, *consts}
        ):
            # a Cast of a weight (float16 weights cast to float32, as fp16-compressed files
            # store them): folded, the weight's values in the type cast to
            to = attrs.get("to")
            if to not in _FLOAT_TYPES or len(node.output) != 1:
                raise _unsupported(
                    node, where, f"a Cast of the constant {node.input[0]!r} is read only when it "
                    "casts to a float type (float32, float64, float16), giving one output",
                )  # fmt: skip
            folded = const(node.input[0], node)
            consts[node.output[0]] = folded.astype(helper.tensor_dtype_to_np_dtype(to))
            continue
        data = [i for i in node.input if i and i not in {*raw_consts, *alias, *consts}]
        if leaky is not None:  # Mul(z, alpha) was read: only Max(z, alpha z) may follow
            if node.op_type != "Max" or sorted(node.input) != sorted([current, leaky[1]]):
                raise _unsupported(leaky[2], where, "a Mul must be half of max(z, alpha z)")
            slope = {"alpha": leaky[0]}  # (float32 or float64, as the graph computes)
            modules.append(_activation("LeakyRelu", slope, node, where, opset, leaky[3]))
            current, leaky = node.output[0], None
            continue
        if node.op_type == "Dropout":  # the identity at inference: checked, then skipped
            known = set(raw_consts) | set(alias) | set(consts)
            _inference_dropout(node, attrs, opset, known, const, graph, where)
            if node.input[:1] != [current]:
                raise _unsupported(
                    node, where, f"its first input must be the previous layer's output {current!r}"
                )
            current = node.output[0]
            continue
        if len(node.output) != 1:
            raise _unsupported(node, where, f"it has {len(node.output)} outputs")
        ins = list(node.input)
        if node.op_type in ("Add", "Mul") and len(ins) == 2 and ins[1] == current:
            ins.reverse()  # Add(b, z), as PyTorch writes a bias, and Mul(alpha, z): the same
        if ins[:1] != [current]:
            raise _unsupported(
                node, where, f"its first input must be the previous layer's output {current!r}"
            )
        if len(data) > 1:
            raise _unsupported(node, where, f"its input {data[1]!r} is not a constant")
        if pending is not None and node.op_type != "Add":
            modules.append(_linear(pending[0], None, pending[1], where))
            pending = None
        out = node.output[0]
        op = node.op_type
        if rank != 2 and op not in ("Flatten", "Reshape", "Identity", "Cast"):
            raise _unsupported(
                node, where, f"the input {inputs[0].name!r} has {rank} dimensions, and an MLP "
                "takes (N, features): a Flatten (axis 1) or a Reshape to (N, features) must come "
                "first",
            )  # fmt: skip
        if op == "Gemm":
            if attrs.get("transA", 0):
                raise _unsupported(node, where, "transA = 1 transposes the data, not a weight")
            if len(node.input) < 2:
                raise _unsupported(node, where, "it has no weight matrix")
            B = typed(const(node.input[1], node), node.input[1], node, "weight")
            if B.ndim != 2:
                raise _unsupported(node, where, f"its weight has shape {B.shape}")
            W = _scaled(B.T if attrs.get("transB", 0) else B, "alpha", attrs, node, where)
            if len(node.input) > 2 and node.input[2]:
                _broadcast(node, attrs, opset, where)
                C = typed(const(node.input[2], node), node.input[2], node, "bias")
                b = _bias(C, W.shape[1], node, where)
                modules.append(_linear(W, _scaled(b, "beta", attrs, node, where), node, where))
            else:  # no C: an Add may follow with the bias, as after a MatMul
                pending = (W, node)
        elif op == "MatMul":
            W = const(ins[1], node) if len(ins) == 2 else None
            if W is None or W.ndim != 2:
                raise _unsupported(node, where, "its second input must be a 2-D weight")
            typed(W, ins[1], node, "weight")
            pending = (W, node)
        elif op == "Add":
            if pending is None:
                raise _unsupported(node, where, "an Add must follow a MatMul or Gemm (its bias)")
            _broadcast(node, attrs, opset, where)
            b = _bias(
                typed(const(ins[1], node), ins[1], node, "bias"), pending[0].shape[1], node, where
            )
            modules.append(_linear(pending[0], b, pending[1], where))
            pending = None
        elif op in _GLASSNET_ACT:
            modules.append(_activation(op, attrs, node, where, opset, flowing[0] != np.float64))
        elif op == "Mul":  # leaky ReLU in float64 is written as max(z, alpha z)
            alpha = const(ins[1], node) if len(ins) == 2 else None
            if alpha is None or alpha.size != 1 or alpha.ndim > 2:  # (more: a higher rank)
                raise _unsupported(node, where, "a Mul must be half of max(z, alpha z)")
            typed(alpha, ins[1], node, "slope")
            leaky = (float(alpha.reshape(())), out, node, flowing[0] != np.float64)
            continue  # the Max that follows reads z and alpha z
        elif op == "Max":
            raise _unsupported(node, where, "a Max must be max(z, alpha z), after its Mul")
        elif op == "Cast" and attrs.get("to") not in _FLOAT_TYPES:
            raise _unsupported(node, where, "a Cast is read only when it casts to a float type")
        elif op == "Cast":
            to = np.dtype(helper.tensor_dtype_to_np_dtype(attrs["to"]))
            # the type glassnet computes the values here in: the last layer's (float16
            # weights compute in float32); a Cast narrower than it rounds what glassnet
            # does not (a Cast back to it after a widening one rounds nothing)
            made = pending[0].dtype if pending is not None else next(
                (m.W.dtype for m in reversed(modules) if isinstance(m, Linear)), None
            )  # fmt: skip
            made = np.dtype(np.float32) if made == np.float16 else made
            if made is not None and to.itemsize < made.itemsize:
                raise _unsupported(
                    node, where, f"it casts a layer's {made} output to {to}, rounding it, "
                    f"which glassnet's network does not do (it would compute in {made}, and "
                    "its results would differ from the file's by that rounding); write the "
                    "file without the narrowing Cast, or with the layers in the narrower type",
                )  # fmt: skip
            flowing[0] = to
        elif op == "Reshape":
            given = const(node.input[1], node) if len(node.input) > 1 else np.zeros(0, np.int64)
            if given.dtype.kind not in "iu":
                raise _unsupported(node, where, f"its shape is {given.dtype}, not int64")
            shape = given.reshape(-1).tolist()
            width = next((m.neurons for m in reversed(modules) if isinstance(m, Linear)), n_in)
            copy_n = (-1, 0) if not attrs.get("allowzero", 0) else (-1,)  # (allowzero: 0 is 0)
            if (
                len(shape) != 2
                or shape[0] not in copy_n
                or shape[1] not in (-1, width)
                or (
                    shape == [-1, -1]  # (two -1s: not a valid Reshape)
                )
            ):
                raise _unsupported(node, where, f"a Reshape to {shape} is not (N, {width})")
            rank = 2
        elif op == "Flatten":  # (N, d1, d2, ...) to (N, d1 * d2 * ...) at axis 1 only
            axis = attrs.get("axis", 1)
            if axis + (rank if axis < 0 else 0) != 1:
                raise _unsupported(
                    node, where, f"a Flatten at axis {axis} of a {rank}-D tensor does not give "
                    "(N, features); glassnet reads axis 1",
                )  # fmt: skip
            rank = 2
        current = out  # Identity: nothing to add
    if pending is not None:
        modules.append(_linear(pending[0], None, pending[1], where))
    if leaky is not None:
        raise _unsupported(leaky[2], where, "a Mul must be half of max(z, alpha z)")
    if current != end:
        raise _fail(
            f"load: {where}: the chain of layers ends at {current!r}, not at the graph's "
            f"output {end!r}."
        )
    # (a classifier's graph: the probabilities output, when the chain ends at one)
    declared = next((o.type.tensor_type.elem_type for o in graph.output if o.name == end), 0)
    if declared and np.dtype(helper.tensor_dtype_to_np_dtype(declared)) != flowing[0]:
        kind = _READABLE_NAMES.get(declared, str(declared)).lower()
        raise _fail(
            f"load: {where}: the output {end!r} is declared {kind}, but the network computes "
            f"{flowing[0]}; onnx.checker and onnxruntime refuse this file. Declare the output "
            f"{flowing[0]}, or Cast to {kind} before it."
        )
    if len(graph.output) > 1:  # (the head's outputs: the types onnx's inference gives them)
        _check_head_types(proto, where)
        width = next((m.neurons for m in reversed(modules) if isinstance(m, Linear)), 0)
        made_by = {o: n for n in nodes for o in n.output}
        last = made_by.get(end)
        while last is not None and last.op_type in ("Identity", "Cast"):
            last = made_by.get(last.input[0])
        sigmoid = last is not None and last.op_type == "Sigmoid"
        if width:  # (no layer: _assemble refuses the file, saying so)
            _check_probabilities(every, end, graph, const, width, flowing[0], sigmoid, opset, where)
    return _assemble(modules, n_in, where)


def _check_head_types(proto: onnx.ModelProto, where: str) -> None:
    """Refuse a classifier graph's output declared of another element type than its nodes
    give it (a label declared double that ArgMax gives as int64), as onnx.checker and
    onnxruntime do: the types onnx's shape inference gives the outputs, in a copy of the
    graph without weights' data and without the declared output types."""
    g = proto.graph
    named = {i.name for i in g.input}
    weights = [
        helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
        for t in [*g.initializer, *(s.values for s in g.sparse_initializer)]
        if t.name not in named
    ]
    bare = [onnx.ValueInfoProto(name=o.name) for o in g.output]
    lite = helper.make_graph(list(g.node), "types", [*g.input, *weights], bare)
    copy = helper.make_model(lite, opset_imports=list(proto.opset_import))
    copy.ir_version = proto.ir_version
    try:
        given = onnx.shape_inference.infer_shapes(copy).graph.output
    except Exception:  # (no inference: the check has nothing to say)
        return
    for o, inferred in zip(g.output, given, strict=True):
        declared, made = o.type.tensor_type.elem_type, inferred.type.tensor_type.elem_type
        if declared and made and declared != made:
            kind = _READABLE_NAMES.get(declared, str(declared)).lower()
            is_ = _READABLE_NAMES.get(made, str(made)).lower()
            raise _fail(
                f"load: {where}: the output {o.name!r} is declared {kind}, but the graph's "
                f"nodes give it as {is_}; onnx.checker and onnxruntime refuse this file. "
                f"Declare the output {is_}."
            )


# the nodes of a classifier's head, from the probabilities to the label and the outputs
# (skl2onnx's for scikit-learn's MLPClassifier, with its options zipmap and nocl; glassnet's)
_HEAD = {
    "": {"ArgMax", "Cast", "Concat", "Expand", "Gather", "Greater", "Identity", "Reshape",
         "Shape", "Slice", "Softmax", "Squeeze", "Sub", "Unsqueeze"},
    "ai.onnx.ml": {"ArrayFeatureExtractor", "Binarizer", "LabelEncoder", "ZipMap"},
}  # fmt: skip
_NETWORK_OPS = set(_SUPPORTED) - {"Constant"}
#: Operators of the head that only the label (the first output) may be computed with, from
#: the logits z: a glassnet.sklearn classifier's hand-set out_activation_ reads its label
#: from float64 log-probabilities of z (:func:`_log_probabilities`).
_LABEL_OPS = {"Abs", "Add", "Div", "Equal", "Exp", "LessOrEqual", "Log", "LogSoftmax", "Min",
              "Mul", "Neg", "Where"}  # fmt: skip


def _classifier_network(
    nodes: list[onnx.NodeProto], x: str, graph: onnx.GraphProto, consts: set[str], where: str
) -> tuple[list[onnx.NodeProto], str]:
    """The network's nodes in a classifier's graph of several outputs, and the value they
    end at: the chain from the input ``x`` through network nodes up to the first value that
    a node of another kind reads (the probabilities, or the sigmoid's p that skl2onnx turns
    into [1 - p, p]), which must come from a ``Softmax`` or ``Sigmoid``. The other nodes (the
    head) must compute the outputs from that value (and from that activation's input z,
    which the export of a glassnet.sklearn classifier reads its label from) and constants
    only, with the operators of
    :data:`_HEAD` (ArgMax, ArrayFeatureExtractor, ZipMap, Binarizer, Cast, ...); they are not
    read. The Constant nodes the chain reads stay in the list (its weights may be there)."""
    users: dict[str, list[onnx.NodeProto]] = {}
    for n in nodes:
        for name in dict.fromkeys(n.input):
            users.setdefault(name, []).append(n)
    ours: list[onnx.NodeProto] = []
    end = x
    outputs = [o.name for o in graph.output]
    source: onnx.NodeProto | None = None  # the last node of ours that is not Identity or Cast
    logits = None  # the output layer's z, when head nodes read it beside its activation
    while True:
        step = [n for n in users.get(end, []) if n.op_type != "Constant"]
        acts = [
            n for n in step if n.op_type in ("Softmax", "Sigmoid") and n.domain in ("", "ai.onnx")
        ]
        if (
            len(acts) == 1 < len(step)
            and logits is None
            and all(n is acts[0] or n.op_type in _HEAD.get(n.domain or "", ()) for n in step)
        ):  # (a label read from z, a glassnet.sklearn classifier's export: the chain goes on)
            logits, step = end, acts
        if not step or any(
            n.domain not in ("", "ai.onnx") or n.op_type not in _NETWORK_OPS or len(n.output) != 1
            for n in step
        ):
            break
        last = "" if source is None else source.op_type
        # probabilities that are an output (skl2onnx's), or that the head reshapes for its
        # label, end the network
        if last in ("Softmax", "Sigmoid") and (
            end in outputs or {"Reshape", "Flatten"} & {n.op_type for n in step}
        ):
            break
        if len(step) == 2 and {n.op_type for n in step} == {"Mul", "Max"}:  # max(z, alpha z)
            mul, mx = sorted(step, key=lambda n: n.op_type != "Mul")
            if mul.output[0] not in mx.input:
                break
            ours += [mul, mx]
            end, source = mx.output[0], mx
        elif len(step) == 1:
            ours.append(step[0])
            end = step[0].output[0]
            source = source if step[0].op_type in ("Identity", "Cast") else step[0]
        else:
            break
    chosen = {id(n) for n in ours}
    made = consts | {o for n in nodes if n.op_type == "Constant" for o in n.output}
    made |= {end} if end != x else set()  # (a head node reading the input is named below)
    made |= (
        {logits}
        if logits is not None and source is not None and source.input[0] == logits
        else set()
    )
    probabilities = f"{end!r}" if end != x else "(a Softmax or Sigmoid)"
    has = f"1 input and {len(outputs)} outputs ({', '.join(map(repr, outputs))})"
    why = (
        f"the graph has {has}; glassnet reads a classifier's network, whose outputs the "
        f"operators {', '.join(sorted(_HEAD[''] | _HEAD['ai.onnx.ml']))} compute from its "
        f"probabilities {probabilities}"
    )
    head = [n for n in nodes if id(n) not in chosen and n.op_type != "Constant"]
    for n in head:  # (a head node reading the input or a hidden layer, named first)
        other = next((i for i in n.input if i and i not in made), None)
        if other is not None and n.op_type in _HEAD.get(n.domain or "", ()):
            raise _unsupported(
                n, where, f"{why}; it reads {other!r}, which is not the network's output"
            )
        made.update(n.output)
    of_z = set() if logits is None else {logits}  # (values computed from the logits alone)
    label_only: set[str] = set()  # (values computed with _LABEL_OPS: the label's alone)
    for n in head:
        if of_z and all(i in of_z or i in consts or not i for i in n.input):
            of_z.update(n.output)
            if n.op_type in _LABEL_OPS and n.domain in ("", "ai.onnx"):
                label_only.update(n.output)
                continue
        if {*n.input} & label_only:
            label_only.update(n.output)
        if n.op_type not in _HEAD.get(n.domain or "", ()) and n.op_type not in _NETWORK_OPS:
            raise _unsupported(n, where, why)
        if n.op_type not in _HEAD.get(n.domain or "", ()):  # (one of the network's operators)
            raise _fail(
                f"load: {where}: node {_node_name(n)} computes outputs beside the network (in "
                f"its head), where glassnet reads no {n.op_type}: {why}, and reads the "
                "network alone (a chain of Gemm or MatMul + Add, Relu, LeakyRelu, Sigmoid, "
                "Tanh, Softmax, Identity and Flatten nodes)."
            )
    if source is None or source.op_type not in ("Softmax", "Sigmoid"):
        what = "the input" if source is None else f"node {_node_name(source)}"
        hint = ""
        if "out_activation_='identity'" in graph.doc_string:  # (export's own description)
            hint = (
                " This is the export of a glassnet.sklearn classifier whose out_activation_ "
                "was set to 'identity' by hand (its outputs read the logits, no "
                "probabilities): export it with out_activation_ set back to the one it was "
                "fitted with for a file that loads, or take the network from the estimator "
                "(clf.model_)."
            )
        raise _fail(
            f"load: {where} has {has} that branch off {what}; glassnet reads an MLP of one "
            "output, or a classifier's network when the outputs branch off its probabilities, "
            f"a Softmax or Sigmoid.{hint}"
        )
    late = next((o for o in outputs[1:] if o in label_only), None)
    if late is not None:
        raise _fail(
            f"load: {where} has {has}: the output {late!r} is computed from the logits "
            f"{logits!r} with operators ({', '.join(sorted(_LABEL_OPS))}) that glassnet lets "
            "compute only a classifier's label (its first output), not its probabilities."
        )
    missing = next((o for o in outputs if o not in made), None)
    if missing is not None:
        raise _fail(
            f"load: {where} has {has}: the output {missing!r} is not computed from the "
            f"network's probabilities {end!r}; glassnet reads a classifier's network, whose "
            "other outputs (label, probabilities) come from them."
        )
    read = {i for n in ours for i in n.input}  # (the head's own Constant nodes are not read)
    keep = [
        n
        for n in nodes
        if id(n) in chosen
        or (n.op_type == "Constant" and read & {*n.output})
        or (n.op_type == "Cast" and read & {*n.output} and n.input[:1] and n.input[0] in made)
    ]  # (a Cast of a weight the chain reads: folded by load)
    return keep, end


def _input_width(info: onnx.ValueInfoProto, where: str) -> tuple[int | None, int]:
    """The input's features per row (None: not declared) and its number of dimensions:
    (N, features), or (N, d1, d2, ...) that a Flatten or Reshape makes (N, d1 * d2 * ...)."""
    t = info.type.tensor_type
    if not info.type.HasField("tensor_type") or t.elem_type not in (
        TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16,
    ):  # fmt: skip
        raise _fail(f"load: {where}: the input {info.name!r} must be a float tensor (N, features).")
    if not t.HasField("shape"):
        return None, 2
    dims = t.shape.dim
    if len(dims) < 2:
        raise _fail(
            f"load: {where}: the input {info.name!r} has {len(dims)} dimensions; an MLP takes "
            "(N, features)."
        )
    if not all(d.HasField("dim_value") for d in dims[1:]):
        return None, len(dims)
    return int(np.prod([d.dim_value for d in dims[1:]], dtype=object)), len(dims)


def _broadcast(node: onnx.NodeProto, attrs: dict[str, Any], opset: int, where: str) -> None:
    """Before opset 7 a Gemm's C and an Add's second input broadcast only with
    ``broadcast=1``: without it, a bias (neurons,) is not (N, neurons), and onnxruntime has no
    kernel for the file."""
    if opset < 7 and not attrs.get("broadcast", 0):
        raise _unsupported(
            node, where, f"under opset {opset} its bias (neurons,) needs broadcast=1 to apply "
            "to each row (opset 7 and later broadcast it); write the file with broadcast=1, "
            "or with opset 7 or later",
        )  # fmt: skip


def _bias(b: np.ndarray, n: int, node: onnx.NodeProto, where: str) -> np.ndarray:
    if b.size == 1 and b.ndim <= 2:  # (of more dimensions, it would broadcast the rows up)
        return np.full(n, b.reshape(()), dtype=b.dtype)
    if b.shape not in ((n,), (1, n)):
        raise _unsupported(node, where, f"its bias has shape {b.shape}, not ({n},)")
    return b.reshape(n)


def _scaled(
    a: np.ndarray, name: str, attrs: dict[str, Any], node: onnx.NodeProto, where: str
) -> np.ndarray:
    """A Gemm's weights (``name`` 'alpha') or bias ('beta') times that attribute, which must
    leave them finite (the tensors were checked, but NaN, inf or an overflow here is not)."""
    factor = attrs.get(name, 1.0)
    if a.dtype == np.float16:  # (the network is float32: 40000 x 2 overflows float16 only)
        a = a.astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        out = a * factor
    if not np.all(np.isfinite(out)):
        raise _fail(
            f"load: {where}: node {_node_name(node)}: its {name} {factor:g} makes its "
            f"{'weights' if name == 'alpha' else 'bias'} NaN or inf; the file is corrupt."
        )
    return out


def _linear(W: np.ndarray, b: np.ndarray | None, node: onnx.NodeProto, where: str) -> Linear:
    dt = np.dtype(np.float32 if W.dtype == np.float16 else W.dtype)
    if dt not in _FLOATS:
        raise _unsupported(node, where, f"its weights are {W.dtype}, not float32 or float64")
    lin = Linear(W.shape[0], W.shape[1], bias=b is not None, rng=0, dtype=dt)
    lin.W.data[...] = W
    if b is not None:
        lin.b.data[...] = b  # type: ignore[union-attr]
    return lin


def _activation(
    op: str,
    attrs: dict[str, Any],
    node: onnx.NodeProto,
    where: str,
    opset: int,
    float32: bool = True,
) -> Module:
    name = _GLASSNET_ACT[op]
    if op == "Softmax":
        axis = attrs.get("axis", -1 if opset >= 13 else 1)
        if axis not in (-1, 1):
            raise _unsupported(node, where, f"softmax over axis {axis}; glassnet's is the last")
    alpha = attrs.get("alpha", 0.01)
    if op == "LeakyRelu" and not (isinstance(alpha, float) and 0 <= alpha < 1):
        raise _unsupported(node, where, f"alpha {alpha}; glassnet's LeakyReLU takes [0, 1)")
    if op == "LeakyRelu" and float32:  # (a float32 network: the slope's shortest decimal, 0.1
        alpha = float(str(np.float32(alpha)))  # and not 0.10000000149011612, one float32; a
    return activation_module(name, alpha)  # float64 one computes with the exact value)


def _assemble(modules: list[Module], n_in: int | None, where: str) -> Module:
    """An ``MLP`` when the chain is one (each Linear with a bias, one activation after
    it, one LeakyReLU slope), else a ``Sequential`` of the same modules."""
    linears = [m for m in modules if isinstance(m, Linear)]
    if not linears:
        raise _fail(f"load: {where}: the graph has no Gemm or MatMul layer.")
    for a, b in zip(linears, linears[1:]):
        if a.neurons != b.inputs:
            raise _fail(
                f"load: {where}: a layer of {a.neurons} neurons feeds one of {b.inputs} inputs."
            )
    if n_in is not None and n_in not in (0, linears[0].inputs):
        raise _fail(
            f"load: {where}: the input has {n_in} features but the first layer takes "
            f"{linears[0].inputs}."
        )
    if len({m.W.dtype for m in linears}) > 1:
        raise _fail(f"load: {where}: the layers mix float32 and float64 weights.")
    acts: list[str] = []
    alphas = {float(m.alpha) for m in modules if hasattr(m, "alpha")}
    mlp_like = isinstance(modules[0], Linear) and len(alphas) <= 1
    for m in modules:
        if isinstance(m, Linear):
            mlp_like &= m.b is not None
            acts.append("identity")
        elif acts and acts[-1] == "identity":
            acts[-1] = m.name  # type: ignore[attr-defined]
        else:
            mlp_like = False
    mlp_like &= "softmax" not in acts[:-1]
    if not mlp_like:
        return Sequential(*modules)
    sizes = [linears[0].inputs] + [m.neurons for m in linears]
    mlp = MLP(
        sizes, activation=acts[:-1], output_activation=acts[-1], rng=0,
        dtype=linears[0].W.dtype, leaky_alpha=alphas.pop() if alphas else 0.01,
    )  # fmt: skip
    for mine, theirs in zip((m for m in mlp.layers if isinstance(m, Linear)), linears):
        mine.W.data[...] = theirs.W.data
        mine.b.data[...] = theirs.b.data  # type: ignore[union-attr]
    return mlp


#: Operators :func:`_head_values` computes, on the way from the probabilities to an output
_HEAD_EVAL = {"Identity", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Sub",
              "Concat", "Slice", "Gather", "ArrayFeatureExtractor", "ZipMap", "Expand",
              "Shape"}  # fmt: skip


class _LabelLike(Exception):
    """An output computed with an operator of a label (ArgMax, Greater, Binarizer, ...)."""


def _head_values(
    nodes: list[onnx.NodeProto], p: str, P: np.ndarray, const: Any, opset: int, where: str
) -> Any:
    """A function giving the value the head computes at a name from probabilities ``P`` at
    ``p`` (a ZipMap's maps as the matrix of their values, in the order of its classes),
    each node as ONNX computes it; :class:`_LabelLike` where another operator comes (a
    label's: ArgMax, Greater, ...) or the logits are read."""
    producer = {o: n for n in nodes for o in n.output}
    env: dict[str, np.ndarray] = {p: P}

    def value(name: str) -> np.ndarray:
        if name in env:
            return env[name]
        n = producer.get(name)
        if n is not None and n.op_type == "Constant":
            t = _constant(n, _attrs(n), where)
            if not isinstance(t, onnx.TensorProto):
                raise _LabelLike(name)
            env[name] = numpy_helper.to_array(t)
            return env[name]
        if n is None:
            try:
                env[name] = np.asarray(const(name, nodes[0]))
            except OnnxError:
                raise _LabelLike(name) from None
            return env[name]
        op, a = n.op_type, _attrs(n)
        if op not in _HEAD_EVAL or n.domain not in ("", "ai.onnx", "ai.onnx.ml"):
            raise _LabelLike(name)
        ins = [value(i) if i else None for i in n.input]
        x = ins[0]
        if op in ("Identity", "ZipMap"):
            r = x
        elif op == "Cast":
            r = x.astype(helper.tensor_dtype_to_np_dtype(a["to"]))
        elif op == "Reshape":
            shape = [int(s) for s in np.asarray(ins[1]).reshape(-1)]
            if not a.get("allowzero", 0):
                shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
            r = x.reshape(shape)
        elif op == "Flatten":
            axis = a.get("axis", 1) % x.ndim if x.ndim else 0
            r = x.reshape(int(np.prod(x.shape[:axis])), -1)
        elif op in ("Squeeze", "Unsqueeze"):
            given = a.get("axes") if len(ins) < 2 or ins[1] is None else ins[1]
            axes = None if given is None else [int(i) for i in np.asarray(given).reshape(-1)]
            if op == "Squeeze":
                r = np.squeeze(x, axis=None if axes is None else tuple(axes))
            else:
                r = x
                for ax in sorted(i % (x.ndim + len(axes or ())) for i in axes or ()):
                    r = np.expand_dims(r, ax)
        elif op == "Sub":
            r = np.subtract(x, ins[1]).astype(np.result_type(x, ins[1]))
        elif op == "Concat":
            r = np.concatenate([i for i in ins if i is not None], axis=a["axis"])
        elif op == "Slice":
            if opset < 10:
                starts, ends = list(a["starts"]), list(a["ends"])
                axes, steps = list(a.get("axes", range(len(starts)))), [1] * len(starts)
            else:
                starts, ends = ins[1].reshape(-1).tolist(), ins[2].reshape(-1).tolist()
                axes = (
                    ins[3].reshape(-1).tolist()
                    if len(ins) > 3 and ins[3] is not None
                    else list(range(len(starts)))
                )
                steps = (
                    ins[4].reshape(-1).tolist()
                    if len(ins) > 4 and ins[4] is not None
                    else [1] * len(starts)
                )
            key = [slice(None)] * x.ndim
            for s, e, ax, st in zip(starts, ends, axes, steps, strict=True):
                key[ax] = slice(int(s), int(e) if abs(e) < 2**62 else None, int(st))
            r = x[tuple(key)]
        elif op == "Gather":
            r = np.take(x, ins[1].astype(np.int64), axis=a.get("axis", 0))
        elif op == "ArrayFeatureExtractor":
            r = np.take(x, ins[1].astype(np.int64).reshape(-1), axis=-1)
        elif op == "Expand":
            r = x * np.ones(tuple(int(i) for i in ins[1].reshape(-1)), x.dtype)
        else:  # Shape
            r = np.array(x.shape, np.int64)[a.get("start", 0) : a.get("end", None)]
        env[n.output[0]] = r
        return r

    return value


def _check_probabilities(
    nodes: list[onnx.NodeProto], p: str, graph: onnx.GraphProto, const: Any,
    width: int, dtype: np.dtype, sigmoid: bool, opset: int, where: str,
) -> None:  # fmt: skip
    """A classifier's graph whose probability outputs give what the loaded network
    predicts: the probabilities p themselves (after a Sigmoid, also [1 - p, p]), in each
    such output (a tensor, or a ZipMap's maps), or one column per output in order
    (skl2onnx's zipmap='columns'). The head is computed on probe rows; an output that a
    label's operator computes (ArgMax, Greater, Binarizer, ...) is the label, and not
    checked. A head that reorders, selects, rounds or changes the probabilities is refused,
    naming the output."""
    rng = np.random.default_rng(12345)
    P = (rng.random((3, width)) * 0.98 + 0.01).astype(dtype)
    value = _head_values(nodes, p, P, const, opset, where)
    got: dict[str, np.ndarray] = {}
    for o in graph.output:
        try:
            v = np.asarray(value(o.name))
        except _LabelLike:
            continue
        if v.dtype.kind == "f":
            got[o.name] = v
    # [1 - p, p] with 1 - p computed in the network's dtype, or in float64 (a head that
    # widens p first); p itself is compared unchanged in both
    full = [P] + (
        [np.concatenate([(1 - P.astype(t)).astype(t), P], axis=1) for t in (dtype, np.float64)]
        if sigmoid
        else []
    )

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.size == b.size and bool(
            np.array_equal(a.reshape(b.shape).astype(np.float64), b.astype(np.float64))
        )

    if not got or any(all(same(v, f) for v in got.values()) for f in full):
        return
    if any(
        len(got) == f.shape[1] and all(same(v, f[:, j : j + 1]) for j, v in enumerate(got.values()))
        for f in full
    ):
        return
    bad = next(n for n, v in got.items() if not any(same(v, f) for f in full))
    forms = "p" + (", or [1 - p, p] after its Sigmoid," if sigmoid else "")
    raise _fail(
        f"load: {where}: the output {bad!r} does not give the network's probabilities "
        f"{p!r} ({width} column(s)) unchanged: the graph's head reorders, selects, rounds "
        "or otherwise changes them, so the network glassnet would read predicts other "
        f"numbers than the file. glassnet reads a classifier whose probability outputs give "
        f"{forms} as they are (a tensor or a ZipMap, or one column per output, in order), "
        "through Identity, widening Cast, Reshape, Sub + Concat and ZipMap nodes; run this "
        "file with onnxruntime instead, or write it with such a head."
    )
