"""Round 22: the command line reads a gzipped data file (a name ending in .gz, any case)
decompressed, as the plain file: train (in memory and --stream), predict, evaluate and
explain give the same model, outputs, errors and line numbers."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run


def _text(lines: list[str], nl: str = "\n", bom: bool = False) -> str:
    return ("\ufeff" if bom else "") + nl.join(lines) + nl


def _rows(n: int) -> list[str]:
    rng = np.random.default_rng(3)
    return [f"{rng.normal():.3f},{rng.normal():.3f},{'ab'[i % 2]}" for i in range(n)]


_H, _R = "x0,x1,label", _rows(40)
_MESSY = {
    "clean": _text([_H, *_R]),
    "blank lines": _text([_H, *_R[:10], "", "", *_R[10:]]),
    "a ragged row": _text([_H, *_R[:30], _R[30] + ",5", *_R[31:]]),
    "a late bad cell": _text([_H, *_R[:33], "zz,1,a", *_R[33:]]),
    "CRLF": _text([_H, *_R[:10], "", *_R[10:]], nl="\r\n"),
    "CRLF and a bad cell": _text([_H, *_R[:33], "zz,1,a", *_R[33:]], nl="\r\n"),
    "a BOM": _text([_H, *_R], bom=True),
    "semicolons": _text([x.replace(",", ";") for x in [_H, *_R]]),
}


def _pair(folder: Path, text: str, name: str = "s.csv.gz") -> tuple[Path, Path]:
    plain, packed = folder / "s.csv", folder / name
    plain.write_bytes(text.encode())
    packed.write_bytes(gzip.compress(text.encode()))
    return plain, packed


def _same(result: tuple[int, str, str], folder: Path, name: str) -> tuple[int, str, str]:
    code, out, err = result
    texts = (
        re.sub(r"\d+\.\d+ s\b", "T s", t.replace(str(folder / name), "DATA")).replace(
            "g.glassnet", "p.glassnet"
        )
        for t in (out, err)
    )
    return code, *texts  # type: ignore[return-value]


def _parts(model: Path) -> tuple[str, bytes]:
    """A model file's (safetensors) header text and its tensors' bytes."""
    data = model.read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = data[8 : 8 + size].decode().rstrip()
    header = re.sub(r'seconds\\": [0-9.e-]+', "seconds", header)  # (times, and prints of them)
    header = re.sub(r'fingerprint\\": \\"[0-9a-f]+', "fingerprint", header)
    return re.sub(r'"sha256":"[0-9a-f]+"', "sha256", header), data[8 + size :]


_TRAIN = ("--target", "label", "--epochs", "2", "--seed", "1", "--hidden", "3", "-q")


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
@pytest.mark.parametrize("case", list(_MESSY))
def test_train_on_a_gzipped_csv_is_train_on_the_plain_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, stream: bool
) -> None:
    """train x.csv.gz trains the model train x.csv does (same predictions and weights),
    or fails with the same error and line; it said 'it is gzip-compressed'."""
    plain, packed = _pair(tmp_path, _MESSY[case])
    extra = ("--stream",) if stream else ()
    results = []
    for data, out in ((plain, "p.glassnet"), (packed, "g.glassnet")):
        got = run(capsys, "train", data, *_TRAIN, *extra, "--out", tmp_path / out, "--force")
        results.append(_same(got, tmp_path, data.name))
    assert results[0] == results[1]
    if "bad" in case or "ragged" in case:
        assert results[0][0] != 0
        assert_one_line_error(results[0][2], "ine 3", "DATA")
        return
    assert results[0][0] == 0, results[0]
    outputs = []
    for model in ("p.glassnet", "g.glassnet"):
        outputs.append(run(capsys, "predict", tmp_path / model, plain, "--proba"))
        scored = run(capsys, "evaluate", tmp_path / model, packed)
        outputs.append(_same(scored, tmp_path, packed.name))
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]
    assert outputs[0][0] == 0 and outputs[1][0] == 0, outputs
    plain_model, packed_model = (_parts(tmp_path / m) for m in ("p.glassnet", "g.glassnet"))
    assert plain_model[1] == packed_model[1]  # the weights, byte for byte
    assert plain_model[0] == packed_model[0].replace(str(packed), str(plain))  # its header too
    assert str(packed) in packed_model[0]  # (which names the file as given)


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
@pytest.mark.parametrize("case", ["clean", "a late bad cell", "semicolons", "a BOM"])
def test_predict_evaluate_explain_read_a_gzipped_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, stream: bool
) -> None:
    """predict, evaluate and explain (upper-case .GZ too) read the file as the plain one."""
    model = tmp_path / "m.glassnet"
    clean = tmp_path / "clean.csv"
    clean.write_text(_MESSY["clean"])
    assert run(capsys, "train", clean, *_TRAIN, "--out", model)[0] == 0
    plain, packed = _pair(tmp_path, _MESSY[case], "S.CSV.GZ")
    extra = ("--stream",) if stream else ()
    commands = [("predict", *extra), ("evaluate", *extra), ("explain", "--row", "2")]
    for command in commands:
        results = [
            _same(run(capsys, command[0], model, data, *command[1:]), tmp_path, data.name)
            for data in (plain, packed)
        ]
        assert results[0] == results[1], command
        if case != "a late bad cell" and command[0] != "explain":
            assert results[0][0] == 0, results[0]


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
def test_a_gz_name_that_is_not_gzip_is_said_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stream: bool
) -> None:
    data = tmp_path / "s.csv.gz"
    data.write_text(_MESSY["clean"])
    extra = ("--stream",) if stream else ()
    code, _, err = run(capsys, "train", data, *_TRAIN, *extra, "--out", tmp_path / "m.glassnet")
    assert code == 2
    assert_one_line_error(err, str(data), "named .gz but is not gzip-compressed", "x0,x")


def test_a_cut_off_gzip_file_is_said_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "s.csv.gz"
    data.write_bytes(gzip.compress(_MESSY["clean"].encode())[:-20])
    code, _, err = run(capsys, "train", data, *_TRAIN, "--out", tmp_path / "m.glassnet")
    assert code == 2
    assert_one_line_error(err, f"cannot decompress '{data}'")
    assert not (tmp_path / "m.glassnet").exists()


def test_gzip_bytes_under_a_plain_name_are_still_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "s.csv"
    data.write_bytes(gzip.compress(_MESSY["clean"].encode()))
    code, _, err = run(capsys, "train", data, *_TRAIN, "--out", tmp_path / "m.glassnet")
    assert code == 2
    assert_one_line_error(err, "gzip-compressed", ".gz")
