#!/bin/sh
# PID 1 of the cgroup-v2 virtual machine (tests/cgroup2_vm.py). Its root is the host's own file tree, shared
# read-only over 9p. A mount on a folder of that tree does not hold (9p drops the folder's entry when the host's
# side changes, and the mount with it), so this builds a root in memory first: a tmpfs with the host's folders
# bound into it and the machine's own /proc, /sys, /dev, cgroup2 hierarchy and writable /run. There it runs
# tests.sandbox_checks as root and as an ordinary user with a delegated subtree, then powers off.
# Set by the kernel command line: autograder_root (the repository), autograder_python, autograder_user.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ "$1" != inside ]; then
    mount -t tmpfs -o mode=755 tmpfs /mnt
    for entry in /*; do
        name=${entry#/}
        case $name in
            proc|sys|dev|run|tmp|mnt|lost+found) mkdir -m 755 "/mnt/$name" ;;
            *) if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "/mnt/$name"
               elif [ -d "$entry" ]; then mkdir "/mnt/$name" && mount --bind "$entry" "/mnt/$name"
               fi ;;
        esac
    done
    mount -t proc proc /mnt/proc
    mount -t sysfs sysfs /mnt/sys
    mount -t cgroup2 cgroup2 /mnt/sys/fs/cgroup
    mount -t devtmpfs devtmpfs /mnt/dev
    mkdir -p /mnt/dev/shm && mount -t tmpfs tmpfs /mnt/dev/shm
    mount -t tmpfs tmpfs /mnt/run
    mount -t tmpfs tmpfs /mnt/tmp
    # A repository checked out under /tmp or /run (a CI runner's) is bound back in over those fresh folders.
    case $autograder_root in
        /tmp/*|/run/*) mkdir -p "/mnt$autograder_root" && mount --bind "$autograder_root" "/mnt$autograder_root" ;;
    esac
    # Over / as the initramfs put this tree there (a plain chroot would forbid user namespaces).
    cd /mnt && mount --move . / && exec chroot . "$0" inside
fi
modprobe virtio_net 2>/dev/null
ip link set lo up
for device in /sys/class/net/*; do
    [ "${device##*/}" = lo ] || { ip link set "${device##*/}" up && ip addr add 10.0.2.15/24 dev "${device##*/}"; }
done
echo "cgroup: $(stat -f -c %T /sys/fs/cgroup), controladores: $(cat /sys/fs/cgroup/cgroup.controllers)"
cd "$autograder_root" || echo o > /proc/sysrq-trigger
mkdir /run/root /run/usuario
"$autograder_python" -m tests.sandbox_checks --scratch /run/root
"$autograder_python" -m tests.sandbox_checks --scratch /run/usuario --user "$autograder_user" --delegate
echo "FIN"
echo o > /proc/sysrq-trigger
sleep 30
