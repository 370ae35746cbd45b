#!/usr/bin/env bash
# Window test: starts the production binary under Xvfb, waits for its window,
# screenshots the screen and fails when the picture is blank (a window that
# never painted its UI is one flat colour).
#
#   e2e/window.sh [path/to/switchboard]   (default build/bin/switchboard)
#
# Needs xvfb-run, xdotool and ImageMagick (import, identify, compare). Exits non-zero
# on any failure and always stops the app and Xvfb it started. Then checks
# that SIGTERM shuts the app down cleanly.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/bin/switchboard}"
shots="$root/build/screenshots"
timeout_s="${WINDOW_TIMEOUT:-60}"
[[ -x "$bin" ]] || { echo "window test: $bin not found; run make desktop" >&2; exit 1; }
mkdir -p "$shots"

if [[ -z "${SWITCHBOARD_IN_XVFB:-}" ]]; then
	# Re-run this script inside a private X server; -a picks a free display.
	export SWITCHBOARD_IN_XVFB=1
	exec xvfb-run -a -s "-screen 0 1440x900x24 -nolisten tcp" "$0" "$@"
fi

# From here on we are inside Xvfb (DISPLAY is set).
work="$(mktemp -d)"
app_pid=""
cleanup() {
	if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
		kill -TERM "$app_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$app_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A throwaway HOME so the app's config and cache never touch the user's.
# No D-Bus session is started: the app must cope without one.
HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" \
	"$bin" >"$work/app.log" 2>&1 &
app_pid=$!

# The console puts the unanswered count in front of the title: "(3) Switchboard".
if ! wid="$(timeout "$timeout_s" xdotool search --sync --onlyvisible --name '^(\([0-9]+\) )?Switchboard$' | sed -n 1p)" || [[ -z "$wid" ]]; then
	echo "window test: no Switchboard window within ${timeout_s}s" >&2
	sed 's/^/  app: /' "$work/app.log" >&2 || true
	exit 1
fi
kill -0 "$app_pid" 2>/dev/null || { echo "window test: app exited" >&2; cat "$work/app.log" >&2; exit 1; }
echo "window test: window $wid is up"

# The window maps before WebKit has painted the UI: poll until the
# screenshot shows something, up to the timeout.
shot="$shots/window.png"
deadline=$((SECONDS + timeout_s))
while :; do
	import -window "$wid" "$work/shot.png"
	# Standard deviation of all pixels, 0 for a single flat colour.
	sd="$(identify -format '%[fx:standard_deviation]' "$work/shot.png")"
	# Rule out a flat frame with a stray cursor: most of the picture must not
	# be one colour. Count distinct colours too.
	colours="$(identify -format '%k' "$work/shot.png")"
	if awk -v sd="$sd" -v c="$colours" 'BEGIN { exit !(sd > 0.02 && c > 16) }'; then
		break
	fi
	if ((SECONDS >= deadline)); then
		cp "$work/shot.png" "$shots/window-blank.png"
		echo "window test: screen still blank after ${timeout_s}s (sd=$sd colours=$colours); see $shots/window-blank.png" >&2
		sed 's/^/  app: /' "$work/app.log" >&2 || true
		exit 1
	fi
	sleep 1
done
# Painted: now let it settle (data loading, fonts) so the saved picture shows
# the finished screen. Settled = two shots a second apart are identical; give
# up waiting after SETTLE_TIMEOUT seconds, which is not a failure.
settle_deadline=$((SECONDS + ${SETTLE_TIMEOUT:-15}))
while ((SECONDS < settle_deadline)); do
	sleep 1
	import -window "$wid" "$work/next.png"
	diff_px="$(compare -metric AE "$work/shot.png" "$work/next.png" null: 2>&1 || true)"
	mv "$work/next.png" "$work/shot.png"
	[[ "$diff_px" == "0" ]] && break
done
cp "$work/shot.png" "$shot"
echo "window test: ok (sd=$sd colours=$colours) -> ${shot#"$root"/}"

# SIGTERM (what a session logout sends) must end the app cleanly: Wails
# quits and the facade's Shutdown runs. Xvfb has no window manager to send
# WM_DELETE_WINDOW, so the signal is also how this test closes the window.
kill -TERM "$app_pid"
for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$app_pid" 2>/dev/null; then
	echo "window test: app still running 10s after SIGTERM" >&2
	exit 1
fi
rc=0
wait "$app_pid" || rc=$?
app_pid=""
if ((rc != 0)) || ! grep -q 'switchboard stopped' "$work/app.log"; then
	echo "window test: app did not shut down cleanly on SIGTERM (exit $rc)" >&2
	sed 's/^/  app: /' "$work/app.log" >&2 || true
	exit 1
fi
echo "window test: clean shutdown on SIGTERM"
echo "1 passed, 0 failed"
