"""What the benchmarks read about a process from /proc, all threads included."""

import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _tasks(pid):
    try:
        return os.listdir("/proc/%d/task" % pid)
    except FileNotFoundError:
        return []


def cpu_ns(pid):
    """CPU time of every live thread (user + system), in ns, from /proc/PID/task/*/schedstat."""
    total = 0
    for task in _tasks(pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended between listdir and open
    return total


def stat_cpu_ns(pid):
    """utime + stime of the whole process (dead threads included), from /proc/PID/stat, in ns.

    Clock-tick resolution (10 ms at USER_HZ=100): a cross-check, not the measurement.
    """
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // CLOCK_TICKS


def minor_faults(pid):
    """Minor page faults of the whole process so far (dead threads included), from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])  # field 10 (minflt)


def status(pid):
    """The numeric kB/count fields of /proc/PID/status we use."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                out[key] = int(value.split()[0])
    return out


def context_switches(pid):
    """Voluntary + involuntary context switches summed over every live thread."""
    voluntary = involuntary = 0
    for task in _tasks(pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        voluntary += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        involuntary += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return voluntary, involuntary


def snapshot(pid):
    s = status(pid)
    voluntary, involuntary = context_switches(pid)
    return {
        "cpu_ns": cpu_ns(pid),
        "stat_cpu_ns": stat_cpu_ns(pid),
        "rss_kb": s.get("VmRSS", 0),
        "hwm_kb": s.get("VmHWM", 0),
        "threads": s.get("Threads", 0),
        "ctx_voluntary": voluntary,
        "ctx_involuntary": involuntary,
        "minor_faults": minor_faults(pid),
    }
