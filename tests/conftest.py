import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SIGNKIT_DATA", ROOT / ".." / "shared" / "data")).resolve()


def pytest_configure(config):
    os.environ.setdefault("SIGNKIT_DATA", str(DATA))


@pytest.fixture(scope="session")
def data_root() -> Path:
    assert (DATA / "fpha").is_dir(), f"the shared data is expected at {DATA}"
    return DATA


@pytest.fixture(scope="session")
def fpha_train():
    from signkit.data import load_fpha

    return load_fpha("train")


@pytest.fixture(scope="session")
def fpha_test():
    from signkit.data import load_fpha

    return load_fpha("test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


QUICK = ["model.name=tcn_small", "data.num_frames=16", "train.epochs=6", "train.lr=3e-3", "train.batch_size=16",
         "train.progress=lines"]


def signkit(*args, env=None, timeout=600):
    """Run the ``signkit`` CLI in a subprocess; returns the CompletedProcess (text stdout/stderr)."""
    e = {**os.environ, "GLOG_minloglevel": "2", **(env or {})}
    return subprocess.run([sys.executable, "-m", "signkit.cli", *args], capture_output=True, text=True, env=e,
                          timeout=timeout)


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A quick tcn_small trained through the CLI on the real FPHA official split: (stdout, run folder)."""
    out = tmp_path_factory.mktemp("runs")
    r = signkit("train", str(ROOT / "configs/fpha/tcn.yaml"), *QUICK, f"output_dir={out}", "name=quick")
    assert r.returncode == 0, r.stdout + r.stderr
    run = next((out / "quick").iterdir())
    return r.stdout, run
