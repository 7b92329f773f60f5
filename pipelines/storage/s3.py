"""S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Cloudflare R2) for ``s3://bucket/prefix`` URIs.

boto3 is optional: it is imported when an ``s3://`` storage is opened (``pip install 'newsarchive[s3]'``).
Credentials come from Scrapy settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) when
set, else from boto3's standard chain (environment, ~/.aws, container or instance role). They are never
put in messages or reprs, and a filter redacts them from botocore's and urllib3's DEBUG logs.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import errno
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Self
from urllib.parse import urlsplit

from pipelines.storage.base import StorageError, check_key
from pipelines.text import parse_flag

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MULTIPART_THRESHOLD = 64 * MiB
DEFAULT_MULTIPART_CHUNKSIZE = 16 * MiB
MIN_MULTIPART_CHUNKSIZE = 5 * MiB  # S3's minimum size of every part but the last
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_MODE = "standard"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 60.0
PROBE_DIR = ".probe"  # hidden segment: never a valid key, never listed

_CREDENTIAL_ERRORS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "InvalidClientTokenId"}
)
_NOT_FOUND = frozenset({"NoSuchKey", "NotFound", "404"})
_EXISTS = frozenset({"PreconditionFailed", "412"})
_DENIED = frozenset({"AccessDenied", "AllAccessDisabled", "Forbidden", "403"})
_TOKEN_RE = re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^'\"\s,;&}]+")


class _RedactSecrets(logging.Filter):
    """Replace known secrets and session tokens in log records of the AWS client libraries."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN_RE.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACT = _RedactSecrets()
_REDACTED_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3")


def _install_redaction(secrets: Iterable[str | None]) -> None:
    """Add ``secrets`` to the redaction set and attach the filter to every AWS client library logger.

    A logger's filters see only records created by that very logger, so the filter goes on each one
    (they exist once boto3 has built a client).
    """
    _REDACT.secrets.update(s for s in secrets if s and len(s) >= 4)
    for name in [*_REDACTED_LOGGERS, *logging.root.manager.loggerDict]:
        if name.split(".", 1)[0] in _REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(_REDACT)  # addFilter ignores duplicates


def _one_line(text: str) -> str:
    return " ".join(_REDACT.redact(str(text)).split())


def _public_endpoint(endpoint: str | None) -> str:
    """The endpoint URL without any user:password part."""
    if not endpoint:
        return "the default AWS endpoint"
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else endpoint


def _setting(settings: Mapping[str, Any], name: str, env: tuple[str, ...] = ()) -> str | None:
    value = settings.get(name)
    if value is None or value == "":
        for var in env:
            if os.environ.get(var):
                return os.environ[var]
        return None
    return str(value)


def _number(settings: Mapping[str, Any], name: str, default: float, minimum: float) -> float:
    raw = settings.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise StorageError(f"setting {name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise StorageError(f"setting {name} must be at least {minimum:g}, not {raw!r}")
    return value


def _flag(settings: Mapping[str, Any], name: str, default: bool) -> bool:
    try:
        return parse_flag(settings.get(name), default)
    except ValueError as exc:
        raise StorageError(f"setting {name} must be true or false, not {settings.get(name)!r}") from exc


@dataclasses.dataclass(frozen=True)
class S3Options:
    """Tuning of an S3Storage (from the ARCHIVE_S3_* settings)."""

    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD
    multipart_chunksize: int = DEFAULT_MULTIPART_CHUNKSIZE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_mode: str = DEFAULT_RETRY_MODE
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    conditional_writes: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Self:
        mode = str(settings.get("ARCHIVE_S3_RETRY_MODE") or DEFAULT_RETRY_MODE).lower()
        if mode not in ("standard", "adaptive"):
            raise StorageError(
                f"setting ARCHIVE_S3_RETRY_MODE must be 'standard' or 'adaptive', not {mode!r}"
            )
        return cls(
            multipart_threshold=int(
                _number(settings, "ARCHIVE_S3_MULTIPART_THRESHOLD", cls.multipart_threshold, 1)
            ),
            multipart_chunksize=int(
                _number(
                    settings,
                    "ARCHIVE_S3_MULTIPART_CHUNKSIZE",
                    cls.multipart_chunksize,
                    MIN_MULTIPART_CHUNKSIZE,
                )
            ),
            max_attempts=int(_number(settings, "ARCHIVE_S3_MAX_ATTEMPTS", cls.max_attempts, 1)),
            retry_mode=mode,
            connect_timeout=_number(settings, "ARCHIVE_S3_CONNECT_TIMEOUT", cls.connect_timeout, 0.001),
            read_timeout=_number(settings, "ARCHIVE_S3_READ_TIMEOUT", cls.read_timeout, 0.001),
            conditional_writes=_flag(settings, "ARCHIVE_S3_CONDITIONAL_WRITES", cls.conditional_writes),
        )


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into (bucket, prefix without surrounding slashes)."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "s3":
        raise StorageError(f"not an s3:// URI: {uri!r}")
    if "@" in parts.netloc:  # do not echo the URI: it holds credentials
        raise StorageError(
            "credentials in s3:// URIs are not supported; set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
            "or use the AWS credentials chain"
        )
    if parts.query or parts.fragment:
        raise StorageError("unsupported query or fragment in an s3:// URI (only s3://bucket/prefix)")
    bucket = parts.netloc
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}", bucket):
        raise StorageError(f"invalid bucket name in {uri!r}")
    prefix = parts.path.strip("/")
    if prefix:
        try:
            check_key(prefix)
        except ValueError:
            raise StorageError(f"invalid prefix in {uri!r}") from None
    return bucket, prefix


class S3Storage:
    """Objects under ``s3://bucket/prefix``: key ``k`` is the S3 object ``prefix/k``.

    ``put`` is a conditional write (``If-None-Match: *``), so it never overwrites, even when two writers race;
    it sends a SHA-256 checksum the server verifies and stores (and ``get`` checks it again on the way
    back), plus the hex digest as metadata ``sha256``. Objects of ARCHIVE_S3_MULTIPART_THRESHOLD bytes or
    more go up as a multipart upload whose completion is the conditional write. Transient failures
    (connection refused, timeouts, 5xx, throttling) are retried by botocore with exponential backoff.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str,
        client: Any,
        options: S3Options | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.options = options or S3Options()
        self.endpoint = _public_endpoint(endpoint)
        self.uri = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        # HTTP requests sent to the store, retries included (the archive reports them as newsarchive/s3_requests)
        self.requests = 0
        client.meta.events.register("before-send.s3", self._count_request)

    def _count_request(self, **_: Any) -> None:
        self.requests += 1

    @classmethod
    def from_uri(cls, uri: str, settings: Mapping[str, Any], *, writable: bool = True) -> Self:
        bucket, prefix = parse_s3_uri(uri)
        options = S3Options.from_settings(settings)
        client = _make_client(settings, options)
        storage = cls(bucket, prefix, client, options, client.meta.endpoint_url)
        try:
            if writable:
                storage.check_writable()
            else:
                storage.check_readable()
        finally:
            _install_redaction(())  # loggers that botocore creates at the first request
        return storage

    def __repr__(self) -> str:
        return f"S3Storage({self.uri!r}, endpoint={self.endpoint!r})"

    # ------------------------------------------------------------------------------------------- helpers
    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _error(self, exc: Exception, action: str, key: str | None = None) -> Exception:
        """Map a botocore exception to FileNotFoundError / FileExistsError / a one-line StorageError."""
        from botocore import exceptions as bce

        what = f"{key!r} in {self.uri}" if key else self.uri
        if isinstance(exc, bce.ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code") or "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _NOT_FOUND and key is not None:
                return FileNotFoundError(errno.ENOENT, "no such object", key)
            if code in _EXISTS and key is not None:
                return FileExistsError(errno.EEXIST, "object exists", key)
            if code in _CREDENTIAL_ERRORS:
                return StorageError(
                    f"S3 rejected the credentials ({code}) for bucket {self.bucket!r} at {self.endpoint}"
                )
            if code == "NoSuchBucket":
                return StorageError(f"S3 bucket {self.bucket!r} does not exist at {self.endpoint}")
            if code in _DENIED:
                return StorageError(
                    f"S3 denied access ({code}) to {what} while trying to {action}: "
                    "check the credentials and their permissions"
                )
            message = _one_line(error.get("Message") or "")
            return StorageError(
                f"S3 error {code or status} while trying to {action} {what}"
                + (f": {message}" if message else "")
            )
        if isinstance(
            exc, bce.NoCredentialsError | bce.PartialCredentialsError | bce.CredentialRetrievalError
        ):
            return StorageError(
                f"no usable S3 credentials for bucket {self.bucket!r} ({type(exc).__name__}): set "
                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or configure the AWS credentials chain"
            )
        if isinstance(exc, bce.ConnectionError | bce.HTTPClientError):
            return StorageError(
                f"cannot reach S3 endpoint {self.endpoint} for bucket {self.bucket!r} "
                f"({type(exc).__name__}, {self.options.max_attempts} attempt(s)) while trying to {action}"
            )
        if isinstance(exc, bce.ChecksumError):
            return StorageError(f"checksum mismatch while trying to {action} {what}: {_one_line(str(exc))}")
        return StorageError(
            f"S3 failure while trying to {action} {what}: {type(exc).__name__}: {_one_line(str(exc))}"
        )

    def _call(self, action: str, key: str | None, method: str, **params: Any) -> Any:
        from botocore import exceptions as bce

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **params)
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._error(exc, action, key) from exc

    def _head(self, key: str) -> dict[str, Any] | None:
        """head_object of ``key``, or None when it does not exist."""
        try:
            head: dict[str, Any] = self._call(
                "read", key, "head_object", Key=self._name(key), ChecksumMode="ENABLED"
            )
        except FileNotFoundError:
            return None
        return head

    # ---------------------------------------------------------------------------------------- protocol
    def check_readable(self) -> None:
        """Raise StorageError (one line) unless the bucket can be listed with these credentials."""
        prefix = f"{self.prefix}/" if self.prefix else ""
        self._call("list", None, "list_objects_v2", Prefix=prefix, MaxKeys=1)

    def check_writable(self) -> None:
        probe = (
            f"{self.prefix}/{PROBE_DIR}/{uuid.uuid4().hex}"
            if self.prefix
            else f"{PROBE_DIR}/{uuid.uuid4().hex}"
        )
        self._call("write a probe object", None, "put_object", Key=probe, Body=b"")
        if self.options.conditional_writes:
            self._check_conditional_writes(probe)
        try:
            self._call("delete the probe object", None, "delete_object", Key=probe)
        except StorageError as exc:  # write-only credentials (no s3:DeleteObject) are fine for an archive
            logger.warning("Could not delete the write probe %s (harmless): %s", probe, exc)

    def _check_conditional_writes(self, probe: str) -> None:
        """Fall back to a check before each write when the store ignores or rejects ``If-None-Match: *``."""
        try:
            self._call("write a probe object", None, "put_object", Key=probe, Body=b"", IfNoneMatch="*")
        except StorageError as exc:
            code = getattr(exc.__cause__, "response", {}).get("Error", {}).get("Code")
            if code in _EXISTS:
                return  # refused to overwrite: conditional writes work
            if code not in ("NotImplemented", "InvalidArgument", "InvalidRequest", "501", "400"):
                raise
        logger.warning(
            "%s at %s does not support conditional writes (If-None-Match); checking for an existing object "
            "before each write instead, which cannot stop two writers racing for one key",
            self.uri,
            self.endpoint,
        )
        self.options = dataclasses.replace(self.options, conditional_writes=False)

    def put(self, key: str, data: bytes) -> None:
        name = self._name(key)
        digest = hashlib.sha256(data).digest()
        conditional = self.options.conditional_writes
        if (not conditional or len(data) >= self.options.multipart_threshold) and self._head(key) is not None:
            raise FileExistsError(errno.EEXIST, "object exists", key)
        try:
            if len(data) >= self.options.multipart_threshold:
                self._put_multipart(key, name, data, digest)
            else:
                extra = {"IfNoneMatch": "*"} if conditional else {}
                self._call(
                    "write",
                    key,
                    "put_object",
                    Key=name,
                    Body=data,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=base64.b64encode(digest).decode(),
                    Metadata={"sha256": digest.hex()},
                    **extra,
                )
        except FileExistsError as exc:
            cause = exc.__cause__
            retried = getattr(cause, "response", {}).get("ResponseMetadata", {}).get("RetryAttempts", 0)
            if retried and self._stored_sha256(key) == digest.hex():
                # an earlier attempt of this very call was stored, but its response was lost
                logger.debug("put %s: the retried write found its own earlier attempt stored", key)
                return
            raise FileExistsError(errno.EEXIST, "object exists", key) from None

    def _stored_sha256(self, key: str) -> str | None:
        head = self._head(key)
        return None if head is None else head.get("Metadata", {}).get("sha256")

    def _put_multipart(self, key: str, name: str, data: bytes, digest: bytes) -> None:
        """Upload parts with their SHA-256; completing the upload is the conditional write."""
        upload = self._call(
            "start a multipart upload of",
            key,
            "create_multipart_upload",
            Key=name,
            ChecksumAlgorithm="SHA256",
            Metadata={"sha256": digest.hex()},
        )
        upload_id = upload["UploadId"]
        try:
            parts: list[dict[str, Any]] = []
            view = memoryview(data)
            chunk = self.options.multipart_chunksize
            for number, offset in enumerate(range(0, len(data), chunk), start=1):
                body = bytes(view[offset : offset + chunk])
                checksum = base64.b64encode(hashlib.sha256(body).digest()).decode()
                response = self._call(
                    "upload a part of",
                    key,
                    "upload_part",
                    Key=name,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=body,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=checksum,
                )
                parts.append({"ETag": response["ETag"], "PartNumber": number, "ChecksumSHA256": checksum})
            extra = {"IfNoneMatch": "*"} if self.options.conditional_writes else {}
            self._call(
                "complete the multipart upload of",
                key,
                "complete_multipart_upload",
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                **extra,
            )
        except BaseException:
            with contextlib.suppress(
                Exception
            ):  # best effort: a lifecycle rule should also abort stale uploads
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise

    def get(self, key: str) -> bytes:
        from botocore import exceptions as bce

        response = self._call("read", key, "get_object", Key=self._name(key), ChecksumMode="ENABLED")
        try:
            body: bytes = response["Body"].read()
        except bce.BotoCoreError as exc:
            raise self._error(exc, "read", key) from exc
        return body

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        from botocore import exceptions as bce

        if offset < 0 or length < 0:
            raise ValueError(f"invalid range offset={offset} length={length}")
        if length == 0:
            self.size(key)  # FileNotFoundError for a missing key, like the file backend
            return b""
        try:
            response = self._call(
                "read", key, "get_object", Key=self._name(key), Range=f"bytes={offset}-{offset + length - 1}"
            )
        except StorageError as exc:
            cause = exc.__cause__
            if (
                isinstance(cause, bce.ClientError)
                and cause.response.get("Error", {}).get("Code") == "InvalidRange"
            ):
                return b""  # offset at or beyond the end, like reading past the end of a file
            raise
        try:
            body: bytes = response["Body"].read()
        except bce.BotoCoreError as exc:
            raise self._error(exc, "read", key) from exc
        return body

    def list(self, prefix: str = "") -> list[str]:
        if "\\" in prefix or "\x00" in prefix or prefix.startswith("/") or ".." in prefix.split("/"):
            raise ValueError(f"invalid storage prefix {prefix!r}")
        from botocore import exceptions as bce

        root = f"{self.prefix}/" if self.prefix else ""
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=root + prefix
            ):
                for obj in page.get("Contents", ()):
                    key = str(obj["Key"])[len(root) :]
                    try:
                        keys.append(check_key(key))
                    except ValueError:  # probes and other hidden or foreign names are not archive objects
                        continue
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self._error(exc, "list", prefix or None) from exc
        return sorted(keys)

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        if self._head(key) is None:
            raise FileNotFoundError(errno.ENOENT, "no such object", key)
        self._call("delete", key, "delete_object", Key=self._name(key))

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(errno.ENOENT, "no such object", key)
        return int(head["ContentLength"])


def _make_client(settings: Mapping[str, Any], options: S3Options) -> Any:
    """A boto3 S3 client configured from Scrapy settings and the environment."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        from scrapy.exceptions import NotConfigured

        raise NotConfigured("s3:// archives need boto3: pip install 'newsarchive[s3]'") from None

    style = (_setting(settings, "AWS_S3_ADDRESSING_STYLE", ("AWS_S3_ADDRESSING_STYLE",)) or "auto").lower()
    if style not in ("auto", "path", "virtual"):
        raise StorageError(f"setting AWS_S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}")
    access_key = _setting(settings, "AWS_ACCESS_KEY_ID")
    secret_key = _setting(settings, "AWS_SECRET_ACCESS_KEY")
    token = _setting(settings, "AWS_SESSION_TOKEN")
    if bool(access_key) != bool(secret_key):
        raise StorageError("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
    verify: bool | str | None = None
    raw_verify = settings.get("AWS_VERIFY")
    if raw_verify is not None and raw_verify != "":
        lowered = str(raw_verify).strip().lower()
        verify = (
            False
            if lowered in ("0", "false", "no", "off")
            else (True if lowered in ("1", "true") else str(raw_verify))
        )
    config = Config(
        retries={"total_max_attempts": options.max_attempts, "mode": options.retry_mode},
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        s3={"addressing_style": style},
        user_agent_extra="newsarchive",
        request_checksum_calculation="when_supported",
        response_checksum_validation="when_supported",
    )
    try:
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=token
        )
        client = session.client(
            "s3",
            endpoint_url=_setting(settings, "AWS_ENDPOINT_URL", ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")),
            region_name=_setting(settings, "AWS_REGION_NAME", ("AWS_REGION", "AWS_DEFAULT_REGION")),
            use_ssl=_flag(settings, "AWS_USE_SSL", True),
            verify=verify,
            config=config,
        )
    except Exception as exc:  # bad endpoint URL, unknown profile, malformed config files
        raise StorageError(
            f"cannot set up the S3 client: {type(exc).__name__}: {_one_line(str(exc))}"
        ) from None
    frozen = session.get_credentials()
    chain = frozen.get_frozen_credentials() if frozen is not None else None
    _install_redaction([secret_key, token, getattr(chain, "secret_key", None), getattr(chain, "token", None)])
    return client
