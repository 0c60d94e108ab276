import os
import socket
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
