#!/usr/bin/env bash
# Build the offline base rootfs: debootstrap (minbase) of Debian bookworm with the given packages, trimmed.
# Usage: mkbase.sh ROOTFS_DIR MIRROR PKG[,PKG...]   (run as root; the caller tars and imports the directory)
set -euo pipefail
root="$1"; mirror="$2"; packages="$3"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror"

# Debian's postgresql-common creates a "main" cluster on install; the image runs its own initdb instead.
rm -rf "$root"/var/lib/postgresql/15 "$root"/etc/postgresql/15 "$root"/var/log/postgresql/*
# The client tools live under /usr/lib/postgresql/15/bin; put every one of them on PATH.
for tool in "$root"/usr/lib/postgresql/15/bin/*; do
  ln -sf "/usr/lib/postgresql/15/bin/$(basename "$tool")" "$root/usr/local/bin/$(basename "$tool")"
done

# PostgreSQL's JIT provider drags in LLVM (~130 MB with z3); without llvmjit.so the server just runs without JIT.
rm -rf "$root"/usr/lib/postgresql/15/lib/llvmjit* "$root"/usr/lib/postgresql/15/lib/bitcode \
  "$root"/usr/lib/x86_64-linux-gnu/libLLVM-* "$root"/usr/lib/x86_64-linux-gnu/libz3.so*
# postgresql-common's perl wrappers (/usr/bin/psql -> pg_wrapper) become direct links, so perl can go too.
for link in "$root"/usr/bin/*; do
  if [ -L "$link" ] && [ "$(basename "$(readlink "$link")")" = pg_wrapper ] \
     && [ -e "$root/usr/lib/postgresql/15/bin/$(basename "$link")" ]; then
    ln -sf "/usr/lib/postgresql/15/bin/$(basename "$link")" "$link"
  fi
done
rm -rf "$root"/usr/share/perl "$root"/usr/lib/x86_64-linux-gnu/perl "$root"/usr/share/i18n

# Lean: no docs, man pages, translations, apt caches or package lists (no apt inside test images).
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/usr/share/lintian "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/tmp/* "$root"/var/tmp/*
find "$root"/usr/lib/python3* -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
# No stale machine identity or resolver config baked in (Docker provides its own).
: > "$root"/etc/machine-id
rm -f "$root"/etc/resolv.conf "$root"/etc/hostname
