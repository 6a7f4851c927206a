"""A local Spark Connect server for the tests (issue 18: ``PRISM_ENGINE=sc://host:port``).

``python -m tests.spark_connect PORT`` starts a local Spark session with Spark's Connect plugin (the
``spark-connect`` jar ships with pyspark) on ``PORT``, with Prism's session settings (data/engine.py:
UTC, ANSI mode off), prints ``READY`` and serves until it is killed. :class:`Server` starts it on a free
local port in a child process and stops it; the client side needs pyspark's ``connect`` extras (grpcio,
grpcio-status, googleapis-common-protos: requirements-spark.txt)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.pg import _free_port

ROOT = Path(__file__).resolve().parents[1]


class Server:
    def __init__(self) -> None:
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.log = None

    @property
    def url(self) -> str:
        return f"sc://localhost:{self.port}"

    def start(self, timeout: float = 240.0) -> "Server":
        import tempfile

        self.log = tempfile.NamedTemporaryFile("w+", prefix="spark-connect-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.spark_connect", str(self.port)], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Spark Connect server exited ({self.proc.returncode}): {self._tail()}")
            if "READY" in Path(self.log.name).read_text(errors="replace"):
                return self
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the Spark Connect server did not start within {timeout:.0f} s: {self._tail()}")

    def _tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-2000:] if self.log else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.log:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)


def serve(port: int) -> None:
    from pyspark.sql import SparkSession

    from data.engine import spark_settings

    builder = SparkSession.builder.appName("prism-connect-test")
    for k, v in {**spark_settings(), "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
                 "spark.connect.grpc.binding.port": str(port)}.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    print("READY", flush=True)
    while True:
        time.sleep(5)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
