#!/bin/sh
# PID 1 of the test VM (see vmtest.sh): mount what tests need, run the
# command from the results share, record its exit status and the kernel
# log, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=${TERM:-linux}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
# The links udev would add: bash's <(...) and scripts reading /dev/stdin
# need them (without /dev/fd, mptcp_join.sh's `cmp -l <(...)` data check
# reads nothing and passes whatever was received).
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mount -t bpf bpf /sys/fs/bpf
mkdir -p /tmp/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /tmp/results
ip link set lo up

sh /tmp/results/cmd
echo $? >/tmp/results/exit-status
dmesg >/tmp/results/dmesg
sync
reboot -f 2>/dev/null
