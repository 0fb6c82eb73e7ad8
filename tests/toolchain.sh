# Sourced by tests/run.sh and .ci/run before the first cargo call.
# rust-toolchain.toml pins a version and no toolchain can be downloaded on these machines:
# when rustup lacks the pinned name but its stable is that very version, point the name at
# stable instead of failing.
pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if command -v rustup >/dev/null 2>&1; then
  host=$(rustc +stable -vV | sed -n 's/^host: //p')
  link="$HOME/.rustup/toolchains/$pinned-$host"
  if [ ! -e "$link" ] && rustc +stable --version | grep -q "^rustc $pinned "; then
    ln -s "$HOME/.rustup/toolchains/stable-$host" "$link"
  fi
fi
