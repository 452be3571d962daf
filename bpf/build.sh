#!/usr/bin/env bash
# Builds the kernel side of `netrec record`: bpf/netrec.bpf.c -> bpf/netrec.bpf.o (CO-RE, BTF
# kept, DWARF stripped). The object is committed so that installs need no clang; it is
# reproducible (no paths, no host kernel headers: see kernel.h), and CI rebuilds it with
#   bpf/build.sh --check
# which fails when the committed object differs from what the sources build to.
#
# Needs clang and llvm-strip (Debian: clang llvm) and the UAPI headers (linux-libc-dev) plus
# libbpf's BPF headers (libbpf-dev). Pinned: Debian 12's clang 14; another clang version builds
# a working object that is not byte-identical, so --check names the version it expects.
set -euo pipefail

EXPECTED_CLANG_MAJOR=14

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: bpf/build.sh [--check]" >&2; exit 2 ;;
esac

for tool in clang llvm-strip; do
  command -v "$tool" >/dev/null || { echo "bpf/build.sh: $tool not found (Debian: apt-get install clang llvm)" >&2; exit 1; }
done
major=$(clang -dumpversion | cut -d. -f1)

# <asm/types.h> lives in the multiarch include directory on Debian.
multiarch=$(clang -print-multiarch 2>/dev/null || true)
includes=()
[[ -n $multiarch && -d /usr/include/$multiarch ]] && includes+=(-I "/usr/include/$multiarch")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Compiled from inside bpf/ with relative names, so no absolute path reaches the object.
(
  cd "$here"
  clang -g -O2 -target bpfel -Wall -Werror "${includes[@]}" \
    -fdebug-prefix-map="$here"=. -c netrec.bpf.c -o "$tmp/netrec.bpf.o"
)
llvm-strip -g "$tmp/netrec.bpf.o"

if $check; then
  if ! cmp -s "$tmp/netrec.bpf.o" "$here/netrec.bpf.o"; then
    echo "bpf/netrec.bpf.o is stale: it differs from what bpf/netrec.bpf.c builds to." >&2
    if [[ $major != "$EXPECTED_CLANG_MAJOR" ]]; then
      echo "(this host has clang $major; the committed object is built with clang $EXPECTED_CLANG_MAJOR)" >&2
    fi
    echo "Rebuild it with bpf/build.sh and commit bpf/netrec.bpf.o." >&2
    exit 1
  fi
  echo "bpf/netrec.bpf.o is up to date"
else
  install -m 0644 "$tmp/netrec.bpf.o" "$here/netrec.bpf.o"
  echo "built bpf/netrec.bpf.o ($(stat -c %s "$here/netrec.bpf.o") bytes, clang $major)"
fi
