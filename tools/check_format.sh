#!/usr/bin/env bash
# Fails when a C++ file under src/ apps/ tests/ fuzz/ bench/ differs from what
# clang-format (with the repository's .clang-format) would write.
# Fix with: clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -uo pipefail
cd "${1:-$(dirname "$0")/..}"
mapfile -t files < <(find src apps tests fuzz bench -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "${#bad[@]}" -ne 0 ]; then
    printf 'check_format: not formatted: %s\n' "${bad[@]}"
    echo "check_format: run clang-format -i on the files above"
    exit 1
fi
echo "check_format: ${#files[@]} files formatted"
