#!/usr/bin/env bash
# The typefaces of the official forms, in the look of GB/T 9704-2012 (党政机关公文格式):
#   FandolFang (仿宋, body text), FandolHei (黑体, headings), FandolKai (楷体, second-level headings),
#   FandolSong Bold (宋体加粗, the title, in place of 小标宋).
# Fandol fonts: GPL v3 with the font exception, simplified Chinese (GB 2312 and more). Debian ships
# them inside texlive-lang-chinese; only the font files are taken from that package (apt-get
# download + dpkg-deb -x), not TeX. Used by ./dev and the Dockerfile. Idempotent.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
  DEST="${FONT_DIR:-/usr/local/share/fonts/fandol}"
else
  DEST="${FONT_DIR:-$HOME/.local/share/fonts/fandol}"
fi
FONTS=(FandolFang-Regular.otf FandolHei-Regular.otf FandolHei-Bold.otf FandolKai-Regular.otf
       FandolSong-Regular.otf FandolSong-Bold.otf)

missing=0
for f in "${FONTS[@]}"; do [ -s "$DEST/$f" ] || missing=1; done
[ "$missing" = 0 ] && exit 0

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "==> Installing the Fandol fonts of the official forms into $DEST"
# apt-get download runs as the _apt user where it can; a root-owned temporary folder is fine too.
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null) || {
  sudo="" ; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  (cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null)
}
dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
src="$tmp/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
mkdir -p "$DEST"
for f in "${FONTS[@]}"; do install -m 644 "$src/$f" "$DEST/$f"; done
install -m 644 "$tmp/x/usr/share/doc/texlive-lang-chinese/copyright" "$DEST/COPYRIGHT.debian" 2>/dev/null || true
fc-cache -f "$DEST" >/dev/null
