#!/bin/sh
# embed.sh NAME FILE: print a C file defining `const char NAME[]` holding
# FILE's bytes, NUL-terminated (used for schema.sql).
set -eu
name=$1
file=$2
echo "/* generated from $file by tools/embed.sh; do not edit */"
echo "const char $name[] = {"
od -An -v -tx1 "$file" | sed 's/[0-9a-f][0-9a-f]/0x&,/g'
echo "0x00 };"
