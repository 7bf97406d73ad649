#!/bin/sh
# Records the /proc and /sys files SystemSource reads into a fixture directory for NewRootedEnv.
# Usage: tests/data/system/record.sh OUT_DIR [PID...]
# statfs.txt gets one "MOUNT BLOCK_SIZE BLOCKS FREE AVAIL FILES FILES_FREE" line per mount.
set -eu
out=$1; shift
mkdir -p "$out/proc/self" "$out/proc/net" "$out/proc/sys/kernel/random"
for f in stat meminfo loadavg uptime diskstats vmstat; do cat /proc/$f > "$out/proc/$f"; done
cat /proc/net/dev > "$out/proc/net/dev"
cat /proc/self/mounts > "$out/proc/self/mounts"
cat /proc/sys/kernel/random/entropy_avail > "$out/proc/sys/kernel/random/entropy_avail"
for pid in "$@"; do
  if [ -r /proc/$pid/stat ]; then mkdir -p "$out/proc/$pid"; cat /proc/$pid/stat > "$out/proc/$pid/stat"; fi
done
: > "$out/statfs.txt"
awk '{print $2}' /proc/self/mounts | sort -u | while read -r m; do
  m=$(printf '%b' "$(echo "$m" | sed 's/\\0\([0-7][0-7]\)/\\0\1/g')")
  stat -f -c '%S %b %f %a %c %d' "$m" 2>/dev/null | sed "s|^|$m |" >> "$out/statfs.txt" || true
done
if [ -d /sys/class/hwmon ]; then
  for h in /sys/class/hwmon/hwmon*; do
    d="$out/sys/class/hwmon/$(basename "$h")"; mkdir -p "$d"
    cp "$h"/name "$d"/ 2>/dev/null || true
    for t in "$h"/temp*_input "$h"/temp*_label; do [ -r "$t" ] && cp "$t" "$d"/; done
  done
fi
