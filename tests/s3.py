"""A real S3-protocol server for the object-store tests (``PRISM_DATA_URL=s3://...``, issue 18 item 2).

:class:`Server` starts moto in server mode (``moto.server.ThreadedMotoServer``: the S3 REST API over HTTP on a
free local port) in a child process and stops it. moto and its botocore live in their own virtualenv,
``.venv-s3`` (requirements-s3.txt, ``make setup-s3``): botocore requires python-dateutil < 3, and the app's
requirements pin 4.0.0. ``PRISM_S3_PYTHON`` names another interpreter that has moto. The app never imports
moto or botocore: it speaks S3 through ``pyarrow.fs.S3FileSystem``.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SERVE = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print("%s:%d" % server.get_host_and_port(), flush=True)
sys.stdin.read()  # until the parent closes the pipe (or dies)
server.stop()
"""


def python() -> str:
    """The interpreter that has moto: ``PRISM_S3_PYTHON``, else ``.venv-s3/bin/python`` in the checkout."""
    return os.environ.get("PRISM_S3_PYTHON") or str(ROOT / ".venv-s3" / "bin" / "python")


class Server:
    """moto's S3 server in a child process; ``endpoint`` is its ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.endpoint = ""

    def start(self, timeout: float = 60.0) -> "Server":
        exe = python()
        if not Path(exe).exists():
            raise RuntimeError(f"the object-store tests need moto's S3 server: {exe} does not exist; run "
                               "`make setup-s3` (requirements-s3.txt) or set PRISM_S3_PYTHON")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.proc = subprocess.Popen([exe, "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1.0)
            if ready:
                line = self.proc.stdout.readline().strip()
                if line:
                    self.endpoint = f"http://{line}"
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto's S3 server exited ({self.proc.returncode})")
        self.stop()
        raise RuntimeError(f"moto's S3 server did not start within {timeout:.0f} s")

    def env(self) -> dict[str, str]:
        """The variables a client of this server needs (test keys: moto accepts any)."""
        return {"AWS_ACCESS_KEY_ID": "prism-test", "AWS_SECRET_ACCESS_KEY": "prism-test-secret",
                "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.endpoint}

    def create_bucket(self, name: str) -> None:
        import pyarrow.fs as pafs

        e = self.env()
        fs = pafs.S3FileSystem(access_key=e["AWS_ACCESS_KEY_ID"], secret_key=e["AWS_SECRET_ACCESS_KEY"],
                               region=e["AWS_REGION"], endpoint_override=self.endpoint, allow_bucket_creation=True)
        fs.create_dir(name)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(10)
            except (subprocess.TimeoutExpired, OSError):
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
