#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: PATH first, then pyenv's versions.
# Rasa 3.6 runs on Python 3.8-3.10 only, so both virtual environments are built from 3.10.
set -u
is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

for candidate in python3.10 python3 python; do
  if path=$(command -v "$candidate" 2>/dev/null) && is_310 "$path"; then
    "$path" -c 'import sys; print(sys.executable)'; exit 0
  fi
done
roots=()
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
for root in "${roots[@]}"; do
  for path in "$root"/versions/3.10*/bin/python3.10; do
    if [ -x "$path" ] && is_310 "$path"; then echo "$path"; exit 0; fi
  done
done
cat >&2 <<'MSG'
error: Python 3.10 was not found (Rasa 3.6 needs Python 3.10; 3.11 and newer do not work).
Install it with one of:
  pyenv install 3.10.13                                   (then run make again)
  apt-get install python3.10 python3.10-venv python3.10-dev   (where your distribution has it)
and make sure `python3.10` is on PATH or under $(pyenv root)/versions/.
MSG
exit 1
