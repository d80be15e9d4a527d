"""Regenerate every picture of glassnet's documentation into docs/img/.

Run:  python docs/gallery.py            (writes docs/img/)
      python docs/gallery.py --out DIR

Everything is deterministic (fixed seeds). The SVG drawings need only NumPy; the
PNG plots need matplotlib (``pip install glassnet[viz]``).

Pictures
--------
activations.png                the lecture's activations g(z) and their derivatives g'(z)
and_boundary.png               one neuron's straight decision boundary, -1.5 + x1 + x2 = 0
xnor_network.svg               the slides' XNOR network, with its activations for x = (0, 0)
xnor_hidden_neurons.png        each hidden neuron's output over the input plane (AND, NOR)
xnor_hidden_space.png          the four points in (a1, a2), where XNOR is linearly separable
xnor_decision_boundary.png     the resulting decision boundary in the input plane
backprop_network.svg           the slides' backpropagation picture: the 2-2-1 network reversed,
                               w and g'(z) on the edges, dL/dz in the neurons (draw_network)
wide_network.svg               a 4-6-6-3 softmax classifier's network diagram
elided_network.svg             a 64-32-10 network, wide layers elided (the picture says so)
backprop_graph.svg             the slides' 2-2-1 network as a computational graph
backprop_graph_backward.svg    the same graph reversed, local derivatives on the edges
backprop_graph.dot             the reversed graph as Graphviz DOT text
backprop_table.md              the explain() table of that network (Markdown)
multiclass_boundary.png        a three-class decision boundary (softmax output)
moons_boundary.png             a two-moons classifier's decision boundary
training_curves.png            its training and validation curves
training_snapshots.png         its decision boundary after 0, 5, 50 and 300 epochs, one colour scale

Writing into docs/img (the default) also writes ``docs/img/gallery_png.json``: the versions
that drew the PNG plots (matplotlib, NumPy, the machine, NumPy's BLAS) and a SHA-256 of each
PNG's pixels. A PNG's pixels depend on those versions (the plots' text and antialiasing on
matplotlib's, a trained network's boundary on the arithmetic), so the tests redraw the PNGs
and compare them pixel for pixel where the versions are the same, and otherwise check that
the record matches the committed files.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet import functional as F
from glassnet import viz
from glassnet.explain import explain

HERE = Path(__file__).resolve().parent
F64 = np.float64
DPI = 100


def xnor_network() -> gn.nn.MLP:
    """The slides' XNOR network: a1 = sigma(-6 + 4 x1 + 4 x2), a2 = sigma(2 - 4 x1 - 4 x2),
    output z3 = -0.5 + a1 + a2."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]  # W1: (inputs, neurons)
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def lecture_221() -> gn.nn.Sequential:
    """The slides' backpropagation network (no biases): z1 = w1 x1 + w3 x2, ..."""
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
    )
    net.layers[0].W.data[:] = [[0.5, -0.3], [0.8, 0.2]]  # rows: x1 (w1, w2), x2 (w3, w4)
    net.layers[2].W.data[:] = [[1.0], [-1.5]]  # w5, w6
    return net


def lecture_graph() -> gn.Tensor:
    """The same network built from single-number tensors, labelled as on the slides."""
    x1 = gn.Tensor(1.0, requires_grad=True, label="x1", dtype=F64)
    x2 = gn.Tensor(0.5, requires_grad=True, label="x2", dtype=F64)
    w = [
        gn.Tensor(v, requires_grad=True, label=f"w{i + 1}", dtype=F64)
        for i, v in enumerate([0.5, -0.3, 0.8, 0.2, 1.0, -1.5])
    ]
    z1 = (w[0] * x1 + w[2] * x2).named("z1")
    z2 = (w[1] * x1 + w[3] * x2).named("z2")
    a1, a2 = F.sigmoid(z1).named("a1"), F.sigmoid(z2).named("a2")
    z3 = (w[4] * a1 + w[5] * a2).named("z3")
    y_hat = F.sigmoid(z3).named("y_hat")
    return F.mse(y_hat, 1.0, half=True).named("L")  # the lecture's L = 1/2 (y_hat - y)^2


def _moons() -> tuple[gn.nn.MLP, gn.History, np.ndarray, np.ndarray]:
    X, y = gn.datasets.make_moons(200, noise=0.15, seed=0)
    model = gn.nn.MLP([2, 16, 16, 1], activation="tanh", output_activation="sigmoid", rng=0)
    history = gn.fit(
        model,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer="adam",
        lr=0.01,
        epochs=500,
        tol=1e-4,
        validation_split=0.2,
        seed=0,
        verbose=0,
    )
    return model, history, X, y


def pictures() -> dict[str, Callable[[], object]]:
    """File name -> a function making its content (text, or a matplotlib Figure)."""
    X, y = gn.datasets.xnor_gate()
    xnor = xnor_network()
    moons: list = []

    def trained_moons() -> tuple:
        if not moons:
            moons.extend(_moons())
        return tuple(moons)

    def and_boundary():
        Xa, ya = gn.datasets.and_gate()
        neuron = gn.nn.Neuron(2, "sigmoid", dtype=F64)
        neuron.set_weights([1.0, 1.0], -1.5)
        return viz.plot_decision_boundary(
            neuron, Xa, ya, title="AND: z = -1.5 + x1 + x2 = 0", dpi=DPI
        )

    def multiclass():
        Xb, yb = gn.datasets.make_blobs(150, centers=3, seed=0)
        clf = gn.nn.MLP([2, 8, 3], activation="relu", output_activation="softmax", rng=0)
        gn.fit(
            clf,
            Xb,
            yb,
            loss="cross_entropy",
            optimizer="adam",
            lr=0.05,
            epochs=60,
            seed=0,
            verbose=0,
        )
        return viz.plot_decision_boundary(
            clf, Xb, yb, title="three classes, softmax output", dpi=DPI
        )

    def moons_boundary():
        model, _, Xm, ym = trained_moons()
        return viz.plot_decision_boundary(model, Xm, ym, title="two moons, 2-16-16-1 tanh", dpi=DPI)

    def curves():
        _, history, _, _ = trained_moons()
        return viz.plot_history(history, title="two moons: loss", dpi=DPI)

    def backprop_table() -> str:
        e = explain(lecture_221(), [1.0, 0.5], 1.0, lr=0.5, paths=["x1", "w1"])
        return e.to_markdown(level=3)

    return {
        "activations.png": lambda: viz.plot_activations(dpi=DPI),
        "and_boundary.png": and_boundary,
        "xnor_network.svg": lambda: viz.draw_network(
            xnor, x=[0, 0], title="XNOR, the slides' weights, for x = (0, 0)"
        ),
        "xnor_hidden_neurons.png": lambda: viz.plot_neuron_outputs(xnor, X, y, dpi=DPI),
        "xnor_hidden_space.png": lambda: viz.plot_hidden_space(
            xnor, X, y, title="XNOR in the hidden features (a1, a2)", dpi=DPI
        ),
        "xnor_decision_boundary.png": lambda: viz.plot_decision_boundary(
            xnor, X, y, title="XNOR: the slides' 2-2-1 network", dpi=DPI
        ),
        "backprop_network.svg": lambda: viz.draw_network(
            lecture_221(),
            [1.0, 0.5],
            1.0,
            backward=True,
            title="Backpropagation, the slides' 2-2-1 network: x = (1, 0.5), y = 1",
        ),
        "wide_network.svg": lambda: viz.draw_network(
            gn.nn.MLP([4, 6, 6, 3], output_activation="softmax", rng=0, dtype=F64),
            [0.1, 0.2, 0.3, 0.4],
            title="A 4-6-6-3 classifier for x = (0.1, 0.2, 0.3, 0.4)",
        ),
        "elided_network.svg": lambda: viz.draw_network(
            gn.nn.MLP([64, 32, 10], activation="relu", output_activation="softmax", rng=0),
            np.linspace(0, 1, 64),
            title="A 64-32-10 classifier: wide layers elided",
        ),
        "backprop_graph.svg": lambda: viz.draw_graph(
            lecture_graph(), decimals=2, title="L = ½(ŷ − y)² for x = (1, 0.5), y = 1"
        ),
        "backprop_graph_backward.svg": lambda: viz.draw_graph(
            lecture_graph(),
            backward=True,
            decimals=2,
            title="the reversed graph: each edge carries its local derivative",
        ),
        "backprop_graph.dot": lambda: viz.draw_graph(lecture_graph(), backward=True, fmt="dot"),
        "backprop_table.md": backprop_table,
        "multiclass_boundary.png": multiclass,
        "moons_boundary.png": moons_boundary,
        "training_curves.png": curves,
        "training_snapshots.png": lambda: viz.plot_training_snapshots(
            gn.nn.MLP([2, 16, 16, 1], activation="tanh", output_activation="sigmoid", rng=0),
            *gn.datasets.make_moons(200, noise=0.15, seed=0),
            [0, 5, 50, 300],
            loss="binary_cross_entropy",
            optimizer="adam",
            lr=0.01,
            seed=0,
            dpi=DPI,
        ),
    }


RECORD = HERE / "img" / "gallery_png.json"


def environment() -> dict[str, object]:
    """What a PNG's pixels depend on beside glassnet: matplotlib, NumPy, the machine and
    NumPy's BLAS (its kernel: another CPU's kernel rounds a trained boundary otherwise)."""
    import matplotlib

    try:
        from threadpoolctl import threadpool_info

        blas = sorted(
            f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        )
    except ImportError:  # (threadpoolctl is the test extra's)
        blas = ["unknown"]
    return {
        "matplotlib": matplotlib.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "blas": blas,
    }


def pixels(path: Path) -> str:
    """SHA-256 of a PNG's decoded pixels (its shape and RGBA values, not its bytes)."""
    import matplotlib.image as mpimg

    a = np.ascontiguousarray(mpimg.imread(path))
    return hashlib.sha256(repr(a.shape).encode() + a.tobytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate glassnet's documentation pictures.")
    parser.add_argument("--out", default=str(HERE / "img"), help="output folder")
    parser.add_argument(
        "--pngs",
        action="store_true",
        help="draw the PNG plots only, into --out (not docs/img), and print the environment "
        "and their pixels as JSON, as gallery_png.json holds them (what the tests compare)",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.pngs and out.resolve() == RECORD.parent:
        parser.error("--pngs draws beside the record, not over it: give --out another folder")
    made = {n: m for n, m in pictures().items() if n.endswith(".png") or not args.pngs}
    with contextlib.ExitStack() as stack:
        if any(n.endswith(".png") for n in made):
            import matplotlib

            stack.enter_context(matplotlib.rc_context())  # (the caller's settings after)
            matplotlib.rcdefaults()  # (matplotlib's own style: not a user's matplotlibrc)
        for name, make in made.items():
            path = viz.save(make(), out / name)
            if not args.pngs:
                print(f"wrote {path}")
    if args.pngs:
        pngs = {n: pixels(out / n) for n in sorted(made)}
        print(json.dumps({"environment": environment(), "pixels": pngs}))
        return 0
    if out.resolve() == RECORD.parent:
        pngs = {n: pixels(out / n) for n in sorted(pictures()) if n.endswith(".png")}
        record = {"environment": environment(), "pixels": pngs}
        RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {RECORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
