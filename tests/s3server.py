"""A real S3-compatible HTTP server for tests: moto's server mode in a subprocess on 127.0.0.1.

A subprocess (rather than moto's in-process server) so that a test can stop it and start a new one on the
same port to simulate an outage. moto keeps its state in memory: a restarted server is empty.

SigV4 enforcement: moto checks signatures only after INITIAL_NO_AUTH_ACTION_COUNT requests (default:
never). ``enforce_auth()`` sets that count to 0 at runtime through moto's ``/moto-api/reset-auth``
endpoint; from then on every S3 request must be signed with an access key that exists in moto's IAM
(create one with ``create_iam_key()`` first, while auth is still off) and be allowed by its policies.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

#: credentials the unauthenticated server accepts (any value works until auth is enforced)
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"

_ALLOW_ALL_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1:``port``; ``start()`` waits until it answers."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Self:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        env["S3_UPLOAD_PART_MIN_SIZE"] = "5242880"  # AWS's minimum part size, moto's default too
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=log,
                env=env,
            )
        finally:
            if self.log_path and not isinstance(log, int):
                log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {self.proc.returncode} (port {self.port})")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.endpoint} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _post(self, path: str, data: bytes) -> Any:
        request = urllib.request.Request(
            f"{self.endpoint}{path}",
            data=data,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},  # Flask leaves request.data empty for forms
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def reset(self) -> None:
        """Forget every bucket, object and IAM entity."""
        self._post("/moto-api/reset", b"")

    def enforce_auth(self, enabled: bool = True) -> None:
        """Require valid SigV4 signatures by IAM access keys from the next request on (or stop requiring)."""
        self._post("/moto-api/reset-auth", b"0" if enabled else b"inf")

    def client(self, service: str = "s3", **credentials: str) -> Any:
        """A boto3 client for this server (test credentials unless given)."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=credentials.get("aws_access_key_id", ACCESS_KEY),
            aws_secret_access_key=credentials.get("aws_secret_access_key", SECRET_KEY),
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def create_iam_key(self, user: str = "archiver") -> tuple[str, str]:
        """Create an IAM user allowed s3:* and return (access key id, secret); call before enforce_auth."""
        iam = self.client("iam")
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="s3-all", PolicyDocument=_ALLOW_ALL_S3)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return str(key["AccessKeyId"]), str(key["SecretAccessKey"])
