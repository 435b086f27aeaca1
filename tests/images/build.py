"""Build (or reuse, by content hash) the offline test images.

    python -m tests.images.build            # build what is missing or out of date, print built/cached + seconds
    python -m tests.images.build --check    # list missing/out-of-date images, exit 1 if any; builds nothing

No registry is ever contacted. The base is a debootstrap'd Debian bookworm rootfs (`base/mkbase.sh`) imported with
`docker import`; its tarball is cached under /var/cache/shipyard-test/ by hash, so only a change of the package list
or of mkbase.sh runs debootstrap again. Every derived image is built with the docker SDK's classic builder from a
staged context (`FROM` the local base, so nothing is pulled); Python packages (the app's pinned requirements, moto)
are installed by the host's uv into a cached directory and copied in. Each image carries the label
`shipyard.test.hash`; an image whose tag exists with the same hash is reused.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.images import (
    ALL_IMAGES,
    APP_FAULTS,
    BASE_REPOSITORY,
    BUILD_COMMAND,
    HASH_LABEL,
    MINIO_IMAGE,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    ROUTER_IMAGE,
    app_image,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE_DIR = Path(os.environ.get("SHIPYARD_TEST_CACHE", "/var/cache/shipyard-test"))
# Overridable only so the image pipeline can be exercised before/without the real app.
APP_DIR = Path(os.environ.get("SHIPYARD_TEST_APP_DIR", str(ROOT / "app")))
MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = (
    "python3",
    "python-is-python3",
    "haproxy",
    "postgresql-15",
    "postgresql-client-15",
    "redis-server",
    "ca-certificates",
    "bash",
    "procps",
    "coreutils",
)
BASE_SCRIPT = HERE / "base" / "mkbase.sh"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin"
# moto's server for S3 only: moto[s3] + the server's web stack, the versions of the dev group in uv.lock. (The full
# moto[server] extra adds every service's dependencies: cfn-lint, sympy, ... ~100 MB that S3 never imports.)
MOTO_REQUIREMENTS = (
    "moto[s3]==5.2.5", "flask==3.1.3", "flask-cors==6.0.5", "werkzeug==3.1.9", "boto3==1.44.5", "botocore==1.44.5",
)
PY_TARGET = ("--python-version", "3.11.2", "--python-platform", "x86_64-manylinux_2_28")
SKIP_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv"}


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:16]


def _files(directory: Path) -> list[Path]:
    """Every file under `directory` (sorted, caches and bytecode left out)."""
    found = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if any(part in SKIP_NAMES for part in rel.parts) or path.suffix in (".pyc", ".pyo") or not path.is_file():
            continue
        found.append(path)
    return found


def _tree_parts(directory: Path, prefix: str) -> list[str | bytes]:
    parts: list[str | bytes] = []
    for path in _files(directory):
        parts += [f"{prefix}/{path.relative_to(directory).as_posix()}", path.read_bytes()]
    return parts


# ---------------------------------------------------------------- base


def base_hash() -> str:
    return _digest("base", MIRROR, ",".join(BASE_PACKAGES), BASE_SCRIPT.read_bytes(), BASE_PATH)


def base_ref() -> str:
    return f"{BASE_REPOSITORY}:{base_hash()}"


def _base_tarball(h: str) -> Path:
    tarball = CACHE_DIR / f"base-{h}.tar"
    if tarball.exists():
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    rootfs = CACHE_DIR / f"rootfs-{h}.tmp"
    partial = tarball.with_suffix(".tar.partial")
    shutil.rmtree(rootfs, ignore_errors=True)
    try:
        _run(["bash", str(BASE_SCRIPT), str(rootfs), MIRROR, ",".join(BASE_PACKAGES)], "debootstrap")
        with partial.open("wb") as out:
            subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=out, check=True)
        partial.rename(tarball)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
        partial.unlink(missing_ok=True)
    return tarball


def _build_base(client: Any) -> None:
    h = base_hash()
    tarball = _base_tarball(h)
    client.api.import_image_from_file(
        str(tarball),
        repository=BASE_REPOSITORY,
        tag=h,
        changes=[f"LABEL {HASH_LABEL}={h}", f"ENV PATH={BASE_PATH}", "ENV LANG=C.UTF-8", 'CMD ["bash"]'],
    )


# ---------------------------------------------------------------- python packages


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {' '.join(command)}\n{done.stdout}\n{done.stderr}")


def _deps_dir(name: str, key: str) -> Path:
    return CACHE_DIR / "deps" / f"{name}-{_digest(key, *PY_TARGET)}"


def _python_packages(name: str, args: list[str], key: str) -> Path:
    """`uv pip install --target` for CPython 3.11 manylinux, cached by `key` (the requirement text)."""
    target = _deps_dir(name, key)
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    uv = shutil.which("uv")
    if uv:
        command = [uv, "pip", "install", "--quiet", "--no-config", "--target", str(partial), *PY_TARGET, *args]
    else:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(partial),
                   "--only-binary=:all:", "--python-version", "3.11.2", "--platform", "manylinux_2_28_x86_64", *args]
    _run(command, f"installing the {name} packages")
    # Console scripts carry the host's interpreter path; the images run modules with `python -m`.
    shutil.rmtree(partial / "bin", ignore_errors=True)
    partial.rename(target)
    return target


# ---------------------------------------------------------------- derived images


@dataclass
class Spec:
    ref: str
    context: str  # directory under tests/images/ holding the Dockerfile and its files
    buildargs: dict[str, str] = field(default_factory=dict)
    with_app: bool = False
    packages: str | None = None  # "app" or "moto": a uv --target directory COPY'd as deps/

    def content_hash(self) -> str:
        """What the staged context holds (shared by every tag of one context)."""
        return _digest(*self.inputs())

    def hash(self, content: str | None = None) -> str:
        args = [f"{key}={value}" for key, value in sorted(self.buildargs.items())]
        return _digest(content or self.content_hash(), *args)

    def inputs(self) -> list[str | bytes]:
        parts: list[str | bytes] = ["derived", base_hash(), *_tree_parts(HERE / self.context, "context")]
        if self.with_app:
            parts += _tree_parts(APP_DIR, "app")
        if self.packages == "moto":
            parts += [*MOTO_REQUIREMENTS, *PY_TARGET]
        elif self.packages == "app":
            parts += [_app_requirements().read_bytes(), *PY_TARGET]
        return parts


def _app_requirements() -> Path:
    path = APP_DIR / "requirements.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist yet: the app images need the app's pinned requirements")
    return path


def specs() -> list[Spec]:
    app = [
        Spec(app_image(tag), "app", {"APP_VERSION": tag, "APP_FAULT": fault}, with_app=True, packages="app")
        for tag, fault in APP_FAULTS.items()
    ]
    return [
        Spec(ROUTER_IMAGE, "haproxy"),
        Spec(POSTGRES_IMAGE, "postgres"),
        Spec(REDIS_IMAGE, "redis"),
        Spec(MINIO_IMAGE, "minio", packages="moto"),
        *app,
    ]


def _stage(spec: Spec) -> Path:
    """The build context as one tar (made once, sent for every tag): the spec's directory, plus app/ and deps/."""
    stage = CACHE_DIR / "contexts" / spec.context
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(HERE / spec.context, stage, ignore=shutil.ignore_patterns(*SKIP_NAMES, "*.pyc"))
    if spec.with_app:
        for path in _files(APP_DIR):
            dest = stage / "app" / path.relative_to(APP_DIR)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    if spec.packages == "app":
        deps = _python_packages("app", ["-r", str(_app_requirements())], _app_requirements().read_text())
        shutil.copytree(deps, stage / "deps", copy_function=_link_or_copy)
    elif spec.packages == "moto":
        deps = _python_packages("moto", list(MOTO_REQUIREMENTS), "\n".join(MOTO_REQUIREMENTS))
        shutil.copytree(deps, stage / "deps", copy_function=_link_or_copy)
    archive = stage.with_suffix(".tar")
    with tarfile.open(archive, "w") as tar:
        for path in sorted(stage.rglob("*")):
            tar.add(path, arcname=path.relative_to(stage).as_posix(), recursive=False)
    shutil.rmtree(stage)
    return archive


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _build(client: Any, spec: Spec, staged: dict[str, tuple[Path, str]], nocache: bool = False) -> None:
    """Build from the staged context; the label is the hash of what was staged (inputs that change while a build
    runs, as app/ may, are staged again for the next image, never mislabelled)."""
    import docker.errors

    for _ in range(5):
        current = spec.content_hash()
        if spec.context in staged and staged[spec.context][1] == current:
            break
        archive = _stage(spec)
        if spec.content_hash() == current:
            staged[spec.context] = (archive, current)
            break
    else:
        raise RuntimeError(f"{spec.ref}: the inputs keep changing while they are staged; build again")
    archive, content = staged[spec.context]
    h = spec.hash(content)
    try:
        with archive.open("rb") as context:
            _send_build(client, spec, h, context, nocache)
    except docker.errors.BuildError as error:
        log = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in error.build_log)
        raise RuntimeError(f"building {spec.ref} failed: {error.msg}\n{log[-4000:]}") from error


def _send_build(client: Any, spec: Spec, h: str, context: Any, nocache: bool) -> None:
    client.images.build(
        fileobj=context,
        custom_context=True,
        tag=spec.ref,
        buildargs={"BASE_IMAGE": base_ref(), **spec.buildargs},
        labels={HASH_LABEL: h},
        pull=False,
        nocache=nocache,
        rm=True,
        forcerm=True,
    )


def _forget_stale_cache() -> None:
    """Drop base tarballs and package directories that no current input hashes to (after a clean build only)."""
    keep = {f"base-{base_hash()}.tar"}
    keep.add(_deps_dir("moto", "\n".join(MOTO_REQUIREMENTS)).name)
    with contextlib.suppress(FileNotFoundError):
        keep.add(_deps_dir("app", _app_requirements().read_text()).name)
    for path in [*CACHE_DIR.glob("base-*.tar"), *CACHE_DIR.glob("deps/*")]:
        if path.name not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


# ---------------------------------------------------------------- state


def _client(client: Any | None = None) -> Any:
    if client is not None:
        return client
    import docker

    return docker.from_env(timeout=600)


def _label(client: Any, ref: str) -> str | None:
    import docker.errors

    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None
    return (image.labels or {}).get(HASH_LABEL)


def expected_hashes(refs: Iterable[str]) -> dict[str, str]:
    """ref -> the hash its image must carry (raises FileNotFoundError while app/requirements.txt is absent)."""
    wanted = set(refs)
    found = {spec.ref: spec.hash() for spec in specs() if spec.ref in wanted}
    unknown = wanted - set(found)
    if unknown:
        raise ValueError(f"not a test image: {sorted(unknown)}")
    return found


def missing_images(refs: list[str] | None = None, client: Any | None = None) -> dict[str, str]:
    """ref -> why it is not usable ("missing", "out of date", ...); empty when every image is ready."""
    refs = list(refs or ALL_IMAGES)
    try:
        client = _client(client)
        client.ping()
    except Exception as error:  # noqa: BLE001 - any failure to reach the engine is reported the same way
        return {ref: f"Docker engine unreachable ({error})" for ref in refs}
    problems: dict[str, str] = {}
    for ref in refs:
        try:
            want = expected_hashes([ref])[ref]
        except FileNotFoundError as error:
            problems[ref] = str(error)
            continue
        have = _label(client, ref)
        if have is None:
            problems[ref] = "missing"
        elif have != want:
            problems[ref] = f"out of date (label {HASH_LABEL}={have}, inputs hash to {want})"
    return problems


# ---------------------------------------------------------------- main


def build_all(client: Any | None = None, out: Any = sys.stdout, force: bool = False) -> int:
    """Build what is missing or stale; `force`: everything from nothing (no tarball, packages or layer cache),
    while the current tags stay usable until each replacement is ready. One build at a time per host."""
    CACHE_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{CACHE_DIR}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_all(_client(client), out, force)


def _build_all(client: Any, out: Any, force: bool) -> int:
    started = time.monotonic()
    if force:
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
    failures = 0

    def report(ref: str, status: str, since: float) -> None:
        print(f"{ref:<40} {status:<7} {time.monotonic() - since:7.1f}s", file=out, flush=True)

    t0 = time.monotonic()
    ref = base_ref()
    if not force and _label(client, ref) == base_hash():
        report(ref, "cached", t0)
    else:
        _build_base(client)
        report(ref, "built", t0)

    staged: dict[str, tuple[Path, str]] = {}
    for spec in specs():
        t0 = time.monotonic()
        try:
            h = spec.hash()
            if not force and _label(client, spec.ref) == h:
                report(spec.ref, "cached", t0)
                continue
            _build(client, spec, staged, nocache=force)
            report(spec.ref, "built", t0)
        except (RuntimeError, FileNotFoundError, OSError) as error:
            failures += 1
            report(spec.ref, "FAILED", t0)
            print(f"  {error}", file=out, flush=True)
    for archive, _ in staged.values():
        archive.unlink(missing_ok=True)
    if not failures:
        _forget_stale_cache()
    # Tags moved to new builds leave the old images dangling; drop ours (only images carrying our label).
    with contextlib.suppress(Exception):  # best effort housekeeping
        client.images.prune(filters={"dangling": True, "label": HASH_LABEL})
    print(f"{'total':<40} {'FAILED' if failures else 'ok':<7} {time.monotonic() - started:7.1f}s", file=out)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.images.build", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list missing images and exit 1 if any; build nothing")
    parser.add_argument("--force", action="store_true",
                        help="rebuild everything from nothing: debootstrap, package installs, no layer cache")
    args = parser.parse_args(argv)
    if args.check:
        problems = missing_images()
        for ref, why in problems.items():
            print(f"{ref}: {why}")
        if problems:
            print(f"{len(problems)} test image(s) not ready; run `{BUILD_COMMAND}`")
            return 1
        print(f"all {len(ALL_IMAGES)} test images are ready")
        return 0
    return build_all(force=args.force)


if __name__ == "__main__":
    sys.exit(main())
