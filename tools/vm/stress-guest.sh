# SPDX-License-Identifier: GPL-2.0-only
# Guest side of "make stress"; tools/stress.sh prepends SECONDS_WANTED and
# DEBUG. Loads gosalloc (with debug=1 if DEBUG=1), runs the example
# client's stress for SECONDS_WANTED, and prints "result: pass" or
# "result: fail".
GOSALLOC_LIB_DIR=/
. /gosalloc_lib.sh
P=/sys/module/gosalloc_example/parameters
dmesg -c >/dev/null
modprobe gosalloc debug="$DEBUG"
ok=1
start=$(cut -d. -f1 /proc/uptime)
modprobe gosalloc_example rounds=0 stress_ops=0 stress_seconds="$SECONDS_WANTED" || ok=0
end=$(cut -d. -f1 /proc/uptime)
echo "stress: $(cat $P/stress_done) operations in $((end - start)) s on $(grep -c ^processor /proc/cpuinfo) CPUs (debug=$DEBUG)"
echo "stress: $(cat $P/stress_mismatches) pattern mismatches, $(cat $P/stress_failures) failed allocations"
[ "$(cat $P/stress_mismatches)" -eq 0 ] && [ "$(cat $P/stress_failures)" -eq 0 ] || ok=0
echo "stress: corrupted_objects=$(stat corrupted_objects) double_frees=$(stat double_frees) invalid_frees=$(stat invalid_frees)"
[ "$(stat corrupted_objects)" -eq 0 ] || ok=0
rmmod gosalloc_example
all_freed || ok=0
rmmod gosalloc
log_clean || ok=0
[ "$ok" -eq 1 ] && echo "result: pass" || echo "result: fail"
