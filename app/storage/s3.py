"""S3-compatible object storage (AWS S3, SeaweedFS, MinIO, ...) through boto3.

Writes are staged on local disk (hashed and size-checked as they stream in, one chunk in memory), then
uploaded with boto3's managed transfer: a multipart upload in parts of `multipart_chunk` bytes above
`multipart_threshold`, read from the file part by part, never the whole file in memory. The object exists
only once the upload is complete. Code that needs a file gets one through a bounded local read cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from app.storage.base import CHUNK, Staged, Staging, check_key, check_prefix
from app.storage.read_cache import ReadCache

MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchBucket")
MB = 1024 * 1024


def _missing(err: ClientError) -> bool:
    return str(err.response.get("Error", {}).get("Code")) in MISSING


class S3Storage(Staging):
    def __init__(
        self, *, endpoint: str | None, bucket: str, region: str | None, access_key: str | None,
        secret_key: str | None, tmp_dir: Path, cache: ReadCache,
        multipart_threshold: int = 8 * MB, multipart_chunk: int = 8 * MB, max_concurrency: int = 4,
    ) -> None:
        self.bucket = bucket
        self.cache = cache
        super().__init__(tmp_dir)
        self.client: Any = boto3.session.Session().client(
            "s3", endpoint_url=endpoint or None, region_name=region or "us-east-1",
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            # path-style addressing works with every S3-compatible server (no per-bucket DNS names)
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", max_pool_connections=64,
                          retries={"max_attempts": 5, "mode": "standard"}),
        )
        self.transfer = TransferConfig(multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunk,
                                       max_concurrency=max_concurrency, use_threads=max_concurrency > 1)
        self._region = region

    def ensure_bucket(self) -> None:
        """Create the bucket when it is missing (several processes may race to do it: all succeed)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as err:
            if not _missing(err):
                raise
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self._region and self._region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def commit(self, staged: Staged, key: str) -> str:
        check_key(key)
        try:
            self._upload(staged.path, key)
        finally:
            staged.path.unlink(missing_ok=True)
        return key

    def discard(self, staged: Staged) -> None:
        staged.path.unlink(missing_ok=True)

    def put_file(self, src: Path, key: str) -> str:
        """Upload `src` to `key` (complete or not at all), then remove `src`."""
        check_key(key)
        self._upload(src, key)
        src.unlink(missing_ok=True)
        return key

    def put_and_keep(self, src: Path, key: str) -> Path:
        """Upload `src` to `key`, then keep it as the read cache's copy (no second download)."""
        check_key(key)
        self._upload(src, key)
        return self.cache.adopt(key, src)

    def path(self, key: str) -> Path:
        return self.local_path(key)

    def local_path(self, key: str) -> Path:
        """A local copy through the read cache; FileNotFoundError when there is no such object."""
        return self.cache.get(check_key(key), self._download)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as err:
            if _missing(err):
                return False
            raise
        return True

    def size(self, key: str) -> int:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as err:
            if _missing(err):
                raise FileNotFoundError(key) from None
            raise
        return int(head["ContentLength"])

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes start..end (inclusive) straight from the bucket, a chunk at a time."""
        check_key(key)
        byte_range = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key, Range=byte_range)["Body"]
        except ClientError as err:
            if _missing(err):
                raise FileNotFoundError(key) from None
            raise
        return _chunks_of(body)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))
        self.cache.forget(key)

    def list_keys(self, prefix: str = "") -> list[str]:
        return sorted(key for key, _ in self._list(prefix))

    def list_modified(self, prefix: str) -> list[tuple[str, float]]:
        return sorted(self._list(prefix))

    def _list(self, prefix: str) -> Iterator[tuple[str, float]]:
        if prefix:
            check_prefix(prefix)
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"], obj["LastModified"].timestamp()

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(check_prefix(prefix))
        for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = keys[i:i + 1000]
            self.client.delete_objects(Bucket=self.bucket,
                                       Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
        for key in keys:
            self.cache.forget(key)
        return len(keys)

    def _upload(self, src: Path, key: str) -> None:
        self.client.upload_file(str(src), self.bucket, key, Config=self.transfer)

    def _download(self, key: str, dest: Path) -> None:
        try:
            self.client.download_file(self.bucket, key, str(dest), Config=self.transfer)
        except ClientError as err:
            if _missing(err):
                raise FileNotFoundError(key) from None
            raise


def _chunks_of(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
